package tandem

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MoveState is the shared state of one online table move, as every instance of the application
// and the coordinator see it.
type MoveState struct {
	Move  string
	Phase Phase
	// Switches are those of Phase, kept beside it so that a program in any language can read
	// them with one lookup (in Redis, a GET of tandem:move:<name>).
	Switches Switches
	// Version increases by one on every change of the state; it is the compare-and-set token.
	Version int64
	// Epoch increases on every phase change. Instances acknowledge the epoch they run with, and a
	// phase is effective only when every live instance has acknowledged it.
	Epoch int64
	// Paused stops the backfill between batches.
	Paused    bool
	UpdatedAt time.Time
}

// Transition is one recorded change of a move's phase: the audit log.
type Transition struct {
	Move     string
	From, To Phase
	Version  int64 // the state's version after the transition
	Epoch    int64 // the epoch after the transition
	By       string
	Reason   string
	Forced   bool
	At       time.Time
}

// Heartbeat is what an application instance reports about itself.
type Heartbeat struct {
	Instance    string           // unique per process, e.g. host:pid:start
	CodeVersion string           // the application's version
	Epochs      map[string]int64 // the epoch of each move this instance runs with
	At          time.Time
}

// SwitchStore keeps the state of moves and of the fleet that reads them. Implementations live in
// store/redisstore (Redis, the production choice) and store/sqlstore (a table in the target
// database, the embedded default); both pass store/storetest.
//
// Every write is atomic, and every writer refuses an illegal transition or switch pattern,
// whoever calls it. Implementations are safe for concurrent use. Rules every implementation
// keeps (store/storetest checks them): the version is checked before the step's legality, so
// the loser of a race always gets ErrConflict; SetPaused bumps Version on every call; Release by
// a non-holder does nothing and returns nil; the store sets Heartbeat.At; move names are
// case-sensitive, 1 to 128 bytes, without ':', spaces or control characters.
type SwitchStore interface {
	// State returns a move's state. A move that was never written is pending (1100) at version 0.
	State(ctx context.Context, move string) (MoveState, error)
	// Transition moves a move to phase `to`, if its version is still `version` (else
	// ErrConflict) and the step is legal (else ErrIllegalTransition). It bumps Version and
	// Epoch, records t (with From, To, Version, Epoch and At filled in) in the audit log, and
	// notifies subscribers.
	Transition(ctx context.Context, move string, version int64, to Phase, t Transition) (MoveState, error)
	// SetPaused sets the pause switch. It bumps Version, not Epoch, and notifies subscribers.
	SetPaused(ctx context.Context, move string, paused bool) (MoveState, error)
	// Audit returns a move's transitions, oldest first.
	Audit(ctx context.Context, move string) ([]Transition, error)
	// Subscribe calls fn with the new state of any move after every change, until ctx ends. It
	// returns once the subscription is established; delivery is best effort, so readers also
	// poll State now and then.
	Subscribe(ctx context.Context, fn func(MoveState)) error
	// Heartbeat records that an instance is alive, for ttl.
	Heartbeat(ctx context.Context, h Heartbeat, ttl time.Duration) error
	// Instances returns the instances whose heartbeat has not expired.
	Instances(ctx context.Context) ([]Heartbeat, error)
	// Lease takes or renews the lease on a named resource (a key range of a backfill) for
	// holder, for ttl. It reports false when another holder's lease is still live.
	Lease(ctx context.Context, resource, holder string, ttl time.Duration) (bool, error)
	// Release gives a lease up, if holder holds it.
	Release(ctx context.Context, resource, holder string) error
	// Restore writes a move's state and audit log back into a store that lost them (a Redis
	// restarted without persistence reads as pending at version 0), from a copy kept
	// elsewhere: the coordinator restores from the audit copy in B's database. It is a
	// compare-and-set from the empty state: it succeeds only while the store has recorded no
	// transition of st.Move (Epoch 0, no audit) and holds a lower Version than st's; otherwise
	// it returns ErrConflict. st and audit must pass CheckRestore. It sets UpdatedAt, keeps
	// audit (oldest first) as the move's audit log, and notifies subscribers.
	Restore(ctx context.Context, st MoveState, audit []Transition) (MoveState, error)
}

// CheckRestore says whether st and audit can be restored into a store: st is a known phase with
// that phase's switches, 1 <= Epoch <= Version, and the audit entries belong to st.Move, have
// rising versions up to st.Version, and the last one entered st.Phase at st.Epoch.
func CheckRestore(st MoveState, audit []Transition) error {
	switch {
	case !st.Phase.Valid():
		return fmt.Errorf("restore move %q: unknown phase %q", st.Move, st.Phase)
	case st.Switches != st.Phase.Switches():
		return fmt.Errorf("restore move %q: switches %s do not match phase %s (%s): %w", st.Move, st.Switches, st.Phase, st.Phase.Switches(), ErrIllegalSwitches)
	case st.Epoch < 1 || st.Version < st.Epoch:
		return fmt.Errorf("restore move %q: version %d and epoch %d: a restored move has had a transition, so 1 <= epoch <= version", st.Move, st.Version, st.Epoch)
	}
	var prev int64
	for i, t := range audit {
		switch {
		case t.Move != st.Move:
			return fmt.Errorf("restore move %q: audit entry %d is of move %q", st.Move, i, t.Move)
		case t.Version <= prev || t.Version > st.Version:
			return fmt.Errorf("restore move %q: audit entry %d has version %d; versions must rise, up to the state's %d", st.Move, i, t.Version, st.Version)
		case !t.From.Valid() || !t.To.Valid():
			return fmt.Errorf("restore move %q: audit entry %d goes from %q to %q, not phases", st.Move, i, t.From, t.To)
		}
		prev = t.Version
	}
	if n := len(audit); n > 0 && (audit[n-1].To != st.Phase || audit[n-1].Epoch != st.Epoch) {
		return fmt.Errorf("restore move %q: the last audit entry enters %s at epoch %d, but the state is %s at epoch %d", st.Move, audit[n-1].To, audit[n-1].Epoch, st.Phase, st.Epoch)
	}
	return nil
}

// Errors returned by every SwitchStore.
var (
	// ErrConflict: the state changed since it was read (another operator was first).
	ErrConflict = errors.New("the move's state changed since it was read; read it again and retry")
	// ErrIllegalTransition: the transition skips or repeats a phase.
	ErrIllegalTransition = errors.New("illegal transition: a move goes one phase forward, or back to its rollback target")
)
