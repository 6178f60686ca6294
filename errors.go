package tandem

import (
	"errors"
	"fmt"
)

// ErrNotFound is wrapped by a Dialect when an object it was asked about does not exist.
var ErrNotFound = errors.New("not found")

// ErrNotSupported is returned by an optional ability that the connection at hand cannot provide
// (a driver other than the one the ability needs); the caller falls back to the generic way.
var ErrNotSupported = errors.New("not supported by this connection")

// LockError is returned by Dialect.Lock when another deploy holds the lock for longer than the
// wait allowed. Its Hint says what to do, apart from the message.
type LockError struct {
	Key    string
	Holder string // who holds it, as the database tells (e.g. "pid 4242 on host db1 since 10:04"); may be empty
	Waited string
}

func (e *LockError) Error() string {
	msg := fmt.Sprintf("another deploy holds the lock %q", e.Key)
	if e.Holder != "" {
		msg += " (" + e.Holder + ")"
	}
	if e.Waited != "" {
		msg += "; waited " + e.Waited
	}
	return msg
}

// Hint says to wait for the holder, or to wait longer.
func (e *LockError) Hint() Hint {
	return Hint{Code: HintLockWait, Text: "wait for the deploy that holds the lock to finish, or wait longer for it"}
}

// The hint mechanism: an error says what happened and where; what to do about it is a Hint,
// kept apart from the message. A Hint has a stable Code, which a front end (cmd/tandem) maps
// to advice in its own terms (a flag, a command line), and a neutral Text, which names no flag
// and no command and is the advice for a caller that does not know the code.
//
// To give an error a hint, either
//   - give its type a method Hint() Hint (a typed error, as LockError), or
//   - wrap it: WithHint(err, Hint{Code: ..., Text: ...}).
//
// An error that carries several (one per problem) has a method Hints() []Hint instead.
// HintOf and Hints find them through any wrapping (fmt.Errorf's %w, errors.Join).
//
// Adopting it (as the move packages did): take the advice out of the message ("...; pass
// --confirm" becomes the message alone), attach it as a hint with a code from the list below
// (add one when none fits), and give the code its flag-level words in cmd/tandem/hints.go.

// HintCode names a kind of advice. Codes are stable: a front end maps them to its own words.
type HintCode string

// The hint codes.
const (
	// HintLockWait: another deploy holds the lock; wait for it, or wait longer.
	HintLockWait HintCode = "lock-wait"
	// HintDeployAgain: a deploy stopped at a failing statement; fix it and deploy again.
	HintDeployAgain HintCode = "deploy-again"
	// HintRollbackAgain: a rollback stopped at a failing statement, or did not start (a change
	// without a rollback section); fix that and roll back again.
	HintRollbackAgain HintCode = "rollback-again"
	// HintRunAgain: the work done so far is recorded; the same operation again goes on from there.
	HintRunAgain HintCode = "run-again"
	// HintOutOfOrder: a migration numbered below the highest deployed; renumber it or allow
	// out-of-order migrations.
	HintOutOfOrder HintCode = "out-of-order"
	// HintRebaseline: a deployed change was edited; the edit can be accepted as deployed.
	HintRebaseline HintCode = "rebaseline"
	// HintEditConfig: the project's configuration (tandem.yaml, an Obevo system-config.xml)
	// must change before the project can be read.
	HintEditConfig HintCode = "edit-config"
	// HintProjectFolder: the folder read is not the project needed (no layout tandem reads, or
	// not the release a rollback needs); name the right project folder.
	HintProjectFolder HintCode = "project-folder"

	// The move codes. A move's error names the move (move.Error, coord.GateError), so a
	// front end can name it in its advice.

	// HintMoveAdvance: the operation belongs to a later phase; the move must advance to it.
	HintMoveAdvance HintCode = "move-advance"
	// HintMoveBackfill: the move's backfill has not run or not finished; run it (it resumes
	// from its checkpoint).
	HintMoveBackfill HintCode = "move-backfill"
	// HintMoveRepair: rows of B differ from A; re-copy them, then advance again.
	HintMoveRepair HintCode = "move-repair"
	// HintMoveCheck: the move's pre-flight check tells what is wrong with its tables.
	HintMoveCheck HintCode = "move-check"
	// HintMoveStart: something the move's start creates is missing; start the move.
	HintMoveStart HintCode = "move-start"
	// HintMoveRestore: the switch store lost the move's state; a coordinator reading the move's
	// state restores it from the audit copy.
	HintMoveRestore HintCode = "move-restore"
	// HintMoveRestoreByHand: the switch store lost the move's state and cannot be restored
	// automatically; the Text is what to repair by hand before running the operation again.
	HintMoveRestoreByHand HintCode = "move-restore-by-hand"
	// HintMoveHandover: the application's writes wait for a handover that a coordinator
	// stopped in; advancing or rolling the move back again finishes or lifts it.
	HintMoveHandover HintCode = "move-handover"
	// HintMoveForceReason: passing a gate by force needs a reason, recorded in the audit log.
	HintMoveForceReason HintCode = "move-force-reason"
	// HintMoveConfirm: the next phase cannot be undone; entering it must be confirmed.
	HintMoveConfirm HintCode = "move-confirm"
)

// Hint is what to do about an error, apart from its message.
type Hint struct {
	Code HintCode
	// Text is the advice in neutral words: no flag, no command line.
	Text string
}

// Hinter is an error that carries a Hint.
type Hinter interface {
	Hint() Hint
}

// WithHint returns err with the hint h attached: its message is err's, errors.Is and errors.As
// see err through it, and HintOf finds h. A nil err stays nil.
func WithHint(err error, h Hint) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hint: h}
}

type hinted struct {
	err  error
	hint Hint
}

func (e *hinted) Error() string { return e.err.Error() }
func (e *hinted) Unwrap() error { return e.err }
func (e *hinted) Hint() Hint    { return e.hint }

// HintOf returns the first hint found in err's tree (the outermost), and whether there is one.
func HintOf(err error) (Hint, bool) {
	hs := Hints(err)
	if len(hs) == 0 {
		return Hint{}, false
	}
	return hs[0], true
}

// Hints returns every hint in err's tree, outermost first, each code once (the first hint of a
// code wins). It finds a Hinter's Hint and the Hints of an error that has several, through
// Unwrap() error and Unwrap() []error.
func Hints(err error) []Hint {
	var out []Hint
	seen := map[Hint]bool{}
	seenCode := map[HintCode]bool{}
	add := func(h Hint) {
		if h.Code == "" && h.Text == "" || seen[h] || h.Code != "" && seenCode[h.Code] {
			return
		}
		seen[h], seenCode[h.Code] = true, h.Code != ""
		out = append(out, h)
	}
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if h, ok := err.(Hinter); ok {
			add(h.Hint())
		}
		if hs, ok := err.(interface{ Hints() []Hint }); ok {
			for _, h := range hs.Hints() {
				add(h)
			}
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}
