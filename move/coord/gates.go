package coord

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
)

// The gates of Advance, one function per phase entered. A new gate goes into the function of
// the phase it guards (or a new function in gates, for a phase that has none yet): it checks
// what must hold, and on failure returns run.fail(...), which Force passes and records.

// gates maps the phase Advance enters to its gate. read-b has none: the verification gate of
// verified was the last.
var gates = map[tandem.Phase]gate{
	tandem.PhaseDualWrite: preflightGate,
	tandem.PhaseBackfill:  acknowledgedGate,
	tandem.PhaseVerified:  verifiedGate,
	tandem.PhaseWriteB:    reverseWindowGate,
	tandem.PhaseComplete:  confirmGate,
}

// gate checks (and prepares) what must hold before the move enters a phase. It returns
// run.fail for a condition that Force may pass, and any other error to stop the step.
type gate func(ctx context.Context, run *gateRun) error

// GateError says that the gate of a phase is not met: the move, the phase it would enter, what
// is not met (Gate), and what to do (Hint). It wraps ErrGate.
type GateError struct {
	Move  string
	Phase tandem.Phase // the phase the move would enter
	Gate  string       // what is not met
	Hint  tandem.Hint  // what to do; its Text names no flag and no command
}

func (e *GateError) Error() string {
	return fmt.Sprintf("move %s: cannot enter %s: %s: %v", e.Move, e.Phase, e.Gate, ErrGate)
}

// Unwrap returns ErrGate.
func (e *GateError) Unwrap() error { return ErrGate }

// Hints returns the gate's hint.
func (e *GateError) Hints() []tandem.Hint { return []tandem.Hint{e.Hint} }

// MoveName names the move, for advice that names it.
func (e *GateError) MoveName() string { return e.Move }

// gateRun is one run of a phase's gate: the step asked for, and what the audit log records of
// it (the reason, with the gates passed by force and what the gates fixed).
type gateRun struct {
	c      *Driver
	st     tandem.MoveState
	next   tandem.Phase
	opts   AdvanceOptions
	reason string
	forced []string // every gate passed by force
}

// fail reports that the condition gate is not met: a *GateError, or, with Force, nil, the gate
// logged and recorded in the reason.
func (run *gateRun) fail(gate string, hint tandem.Hint) error {
	if !run.opts.Force {
		return &GateError{Move: run.c.name(), Phase: run.next, Gate: gate, Hint: hint}
	}
	run.c.log().Warn("gate forced", "move", run.c.name(), "to", run.next, "gate", gate, "reason", run.opts.Reason)
	run.forced = append(run.forced, gate)
	run.reason = "forced past: " + strings.Join(run.forced, "; and: ") + "; " + run.opts.Reason
	return nil
}

// note adds what a gate fixed to the reason recorded.
func (run *gateRun) note(format string, args ...any) {
	run.reason = strings.TrimSpace(run.reason + " " + fmt.Sprintf(format, args...))
}

// preflightGate (pending -> dual-write): the pre-flight check passes.
func preflightGate(ctx context.Context, run *gateRun) error {
	rep, err := run.c.Move.Check(ctx)
	if err != nil || rep.OK() {
		return err
	}
	return run.fail("the pre-flight check found problems:\n"+rep.String(),
		tandem.Hint{Code: tandem.HintMoveCheck, Text: "fix the problems the pre-flight check lists, then start the move again"})
}

// acknowledgedGate (dual-write -> backfill): every instance writes both tables; the bound H is
// fixed now, after that acknowledgement, so no row below it can miss both the backfill and the
// dual writes.
func acknowledgedGate(ctx context.Context, run *gateRun) error {
	if err := run.c.WaitAcks(ctx, run.st); err != nil {
		return err
	}
	b, err := run.c.Move.FixBound(ctx)
	if err != nil {
		return err
	}
	run.note("bound %s", b)
	return nil
}

// verifiedGate (backfill -> verified): the backfill reached H and a verification finds no
// difference.
func verifiedGate(ctx context.Context, run *gateRun) error {
	cp, err := run.c.Move.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if !cp.Done {
		what := fmt.Sprintf("the backfill is not finished (%d of about %d rows scanned)", cp.RowsScanned, cp.Total)
		if cp.Total < 0 || cp.Batches == 0 {
			what = "the backfill has not run"
		}
		if err := run.fail(what, tandem.Hint{Code: tandem.HintMoveBackfill, Text: "run the move's backfill (it resumes from its checkpoint), then advance again"}); err != nil {
			return err
		}
	}
	rep, real, err := run.c.verifyStable(ctx)
	if err != nil {
		return err
	}
	if real > 0 {
		if err := run.fail(fmt.Sprintf("verification found %d rows that differ and are not in flight", real),
			tandem.Hint{Code: tandem.HintMoveRepair, Text: "repair the move (it re-copies the rows that differ), then advance again"}); err != nil {
			return err
		}
	}
	run.note("verified %d rows of A against %d of B", rep.RowsA, rep.RowsB)
	return nil
}

// reverseWindowGate (read-b -> write-b): B's key sequence is moved past A's, and the reverse
// window's log is ready.
func reverseWindowGate(ctx context.Context, run *gateRun) error {
	if err := run.c.Move.AlignSequence(ctx); err != nil {
		return err
	}
	return run.c.Move.ReverseLog().Ensure(ctx)
}

// confirmGate (write-b -> complete): the step is confirmed. It is not a condition Force passes:
// complete cannot be undone.
func confirmGate(_ context.Context, run *gateRun) error {
	if run.opts.Confirm {
		return nil
	}
	return &move.Error{Move: run.c.name(), Err: errors.New("complete cannot be undone (A stops being written for good)"),
		Hint: tandem.Hint{Code: tandem.HintMoveConfirm, Text: "confirm the step to enter complete"}}
}
