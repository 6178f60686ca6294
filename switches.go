package tandem

import (
	"errors"
	"fmt"
)

// Switches are the four switches of an online table move, written as a 4-character string in
// the order read A, write A, read B, write B: "1100" means "read A, write A". Table A is the old
// table, B the new one. Every instance of an application reads them to know which table to read
// and which tables to write.
type Switches struct {
	ReadA, WriteA, ReadB, WriteB bool
}

// The only legal switch patterns, one per phase group. Anything else (reading a table that is
// not written, writing neither) is refused by every writer of a store.
var (
	SwitchesA      = Switches{ReadA: true, WriteA: true}                           // 1100
	SwitchesDual   = Switches{ReadA: true, WriteA: true, WriteB: true}             // 1101
	SwitchesReadB  = Switches{WriteA: true, ReadB: true, WriteB: true}             // 0111
	SwitchesB      = Switches{ReadB: true, WriteB: true}                           // 0011
	legalSwitches  = []Switches{SwitchesA, SwitchesDual, SwitchesReadB, SwitchesB} //
	errBadSwitches = errors.New("switches are 4 characters of 0 and 1: read A, write A, read B, write B")
)

// ErrIllegalSwitches is returned for a switch pattern that is not one of 1100, 1101, 0111, 0011.
var ErrIllegalSwitches = errors.New("illegal switches: only 1100, 1101, 0111 and 0011 keep every read on a table that is written")

// ParseSwitches reads "1100"-style text. It does not check legality; see Legal.
func ParseSwitches(s string) (Switches, error) {
	if len(s) != 4 {
		return Switches{}, fmt.Errorf("%q: %w", s, errBadSwitches)
	}
	var b [4]bool
	for i := range 4 {
		switch s[i] {
		case '0':
		case '1':
			b[i] = true
		default:
			return Switches{}, fmt.Errorf("%q: %w", s, errBadSwitches)
		}
	}
	return Switches{ReadA: b[0], WriteA: b[1], ReadB: b[2], WriteB: b[3]}, nil
}

// String renders the switches as "1100".
func (s Switches) String() string {
	b := []byte("0000")
	for i, on := range []bool{s.ReadA, s.WriteA, s.ReadB, s.WriteB} {
		if on {
			b[i] = '1'
		}
	}
	return string(b)
}

// Legal reports whether s is one of the four legal patterns.
func (s Switches) Legal() bool {
	for _, l := range legalSwitches {
		if s == l {
			return true
		}
	}
	return false
}

// Phase is where an online table move is. See shared/design/MOVES.md for what each phase
// guarantees and how it is entered.
type Phase string

// The phases of a move, in order.
const (
	PhasePending   Phase = "pending"    // 1100: A is authoritative; B exists
	PhaseDualWrite Phase = "dual-write" // 1101: every write goes to A and B
	PhaseBackfill  Phase = "backfill"   // 1101: old rows are copied A -> B up to a fixed bound
	PhaseVerified  Phase = "verified"   // 1101: B equals mapping(A)
	PhaseReadB     Phase = "read-b"     // 0111: reads come from B; A is still written
	PhaseWriteB    Phase = "write-b"    // 0011: B is authoritative; the reverse window is open
	PhaseComplete  Phase = "complete"   // 0011: irreversible; A may be dropped
)

// Phases lists the phases in order.
var Phases = []Phase{PhasePending, PhaseDualWrite, PhaseBackfill, PhaseVerified, PhaseReadB, PhaseWriteB, PhaseComplete}

// Index is the position of p in Phases, or -1.
func (p Phase) Index() int {
	for i, x := range Phases {
		if x == p {
			return i
		}
	}
	return -1
}

// Valid reports whether p is a known phase.
func (p Phase) Valid() bool { return p.Index() >= 0 }

// Switches returns the switches in force during the phase.
func (p Phase) Switches() Switches {
	switch p {
	case PhaseDualWrite, PhaseBackfill, PhaseVerified:
		return SwitchesDual
	case PhaseReadB:
		return SwitchesReadB
	case PhaseWriteB, PhaseComplete:
		return SwitchesB
	}
	return SwitchesA
}

// Next returns the phase after p; false at the end.
func (p Phase) Next() (Phase, bool) {
	i := p.Index()
	if i < 0 || i+1 >= len(Phases) {
		return "", false
	}
	return Phases[i+1], true
}

// RollbackTarget returns the phase a rollback from p returns to; false where none exists
// (pending has nothing to undo; complete is irreversible by design).
func (p Phase) RollbackTarget() (Phase, bool) {
	switch p {
	case PhaseDualWrite, PhaseBackfill, PhaseVerified:
		return PhasePending, true
	case PhaseReadB:
		return PhaseVerified, true
	case PhaseWriteB:
		return PhaseReadB, true
	}
	return "", false
}

// CanTransition reports whether a move may go from one phase to another: one step forward, or
// a rollback to the phase RollbackTarget names.
func CanTransition(from, to Phase) bool {
	if next, ok := from.Next(); ok && next == to {
		return true
	}
	if back, ok := from.RollbackTarget(); ok && back == to {
		return true
	}
	return false
}
