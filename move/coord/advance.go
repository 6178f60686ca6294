package coord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
)

// Advance moves to the next phase once its gate is met. The gates are in gates.go, one function
// per phase entered (see gates):
//
//   - pending -> dual-write: the pre-flight check passes.
//   - dual-write -> backfill: every instance writes both tables; the bound H is fixed then.
//   - backfill -> verified: the backfill reached H and a verification finds no difference.
//   - verified -> read-b: nothing more (the verification gate was the last).
//   - read-b -> write-b: B's key sequence is moved past A's, and the reverse window opens.
//     Across databases the application's writes wait (BarrierTable) from the switch until
//     every instance acknowledged it and A's outbox is copied to B.
//   - write-b -> complete: Confirm.
//
// A gate that is not met returns a *GateError (wrapping ErrGate), unless Force passes it; the
// gates passed by force and Reason are recorded in the audit log.
func (c *Driver) Advance(ctx context.Context, o AdvanceOptions) (tandem.MoveState, error) {
	st, err := c.State(ctx)
	if err != nil {
		return st, err
	}
	if done, err := c.finishHandover(ctx, st); err != nil || done == tandem.PhaseWriteB {
		return st, err // an interrupted step to write-b, now finished
	}
	next, ok := st.Phase.Next()
	if !ok {
		return st, fmt.Errorf("move %s is complete: there is no phase after it", c.name())
	}
	if o.Force && strings.TrimSpace(o.Reason) == "" {
		return st, &move.Error{Move: c.name(), Err: errors.New("a forced step needs a reason, which is recorded in the audit log"),
			Hint: tandem.Hint{Code: tandem.HintMoveForceReason, Text: "give the reason for forcing the step"}}
	}
	run := &gateRun{c: c, st: st, next: next, opts: o, reason: o.Reason}
	if g, ok := gates[next]; ok {
		if err := g(ctx, run); err != nil {
			return st, err
		}
	}
	reason := run.reason
	if next == tandem.PhaseWriteB && !c.Move.Shared {
		// Across databases, A's outbox may still hold writes when an instance starts to write
		// B alone: B must have them first, or the reconciler would later undo B's newer rows.
		return c.handover(ctx, st, next, reason, o.Force, func() error { return c.Move.DrainOutbox(ctx) })
	}
	st, err = c.transition(ctx, st, next, reason, o.Force)
	if err != nil {
		return st, err
	}
	if next == tandem.PhaseComplete {
		if err := c.Move.ReverseLog().Clear(ctx, nil); err != nil {
			return st, err
		}
	}
	return st, nil
}

// Rollback returns the move to its previous safe phase:
//
//   - dual-write, backfill, verified -> pending: every instance stops writing B first; then
//     B's rows and the backfill's checkpoint are discarded.
//   - read-b -> verified: reads go back to A, which is complete: instant and lossless.
//   - write-b -> read-b: the rows written to B alone during the reverse window are copied back
//     to A through the reverse mapping, before the switch, and again after the instances
//     acknowledge it; the application's writes wait (BarrierTable) from the switch until then.
//
// A rollback or a step to write-b that stopped after its switch (an instance did not
// acknowledge) keeps the writes waiting; running the same command again finishes it.
func (c *Driver) Rollback(ctx context.Context, reason string) (tandem.MoveState, error) {
	st, err := c.State(ctx)
	if err != nil {
		return st, err
	}
	if done, err := c.finishHandover(ctx, st); err != nil || done == tandem.PhaseReadB {
		return st, err // an interrupted rollback from write-b, now finished
	}
	// A rollback that stopped while waiting for instances (a StragglersError) left its phase
	// set but its work undone: running it again finishes that work.
	switch st.Phase {
	case tandem.PhasePending:
		if hasLeftovers(ctx, c.Move) {
			if err := c.WaitAcks(ctx, st); err != nil {
				return st, err
			}
			c.log().Info("finishing an interrupted rollback: discarding B's rows", "move", c.name())
			return st, c.Move.Discard(ctx)
		}
	case tandem.PhaseReadB:
		if log, err := c.Move.ReverseLog().Entries(ctx); err == nil && len(log) > 0 {
			if err := c.WaitAcks(ctx, st); err != nil {
				return st, err
			}
			n, err := c.copyBack(ctx, !c.Move.Shared)
			c.log().Info("finished an interrupted rollback from write-b", "move", c.name(), "keys", n)
			return st, err
		}
	}
	to, ok := st.Phase.RollbackTarget()
	if !ok {
		switch st.Phase {
		case tandem.PhaseComplete:
			return st, fmt.Errorf("move %s is complete, which cannot be undone by design", c.name())
		default:
			return st, fmt.Errorf("move %s is %s: there is nothing to roll back", c.name(), st.Phase)
		}
	}
	switch st.Phase {
	case tandem.PhaseWriteB:
		if len(c.Move.Def.Reverse) == 0 {
			return st, fmt.Errorf("move %s: rolling back from write-b copies the rows written to B alone back to A, which needs a reverse mapping (reverse: in moves/%s.yaml); add one, or stay in write-b", c.name(), c.name())
		}
		n, err := c.copyBack(ctx, false)
		if err != nil {
			return st, err
		}
		c.log().Info("copied the reverse window back to A", "move", c.name(), "keys", n)
		// The writes made to B alone until every instance acknowledged are copied under the
		// write barrier: no instance writes A before they are all there, so B holds the
		// latest row of every logged key.
		return c.handover(ctx, st, to, reason, false, func() error {
			n, err := c.copyBack(ctx, false)
			c.log().Info("copied the last writes of the reverse window back to A", "move", c.name(), "keys", n)
			return err
		})
	case tandem.PhaseDualWrite, tandem.PhaseBackfill, tandem.PhaseVerified:
		st, err = c.transition(ctx, st, to, reason, false)
		if err != nil {
			return st, err
		}
		return st, c.Move.Discard(ctx)
	}
	return c.transition(ctx, st, to, reason, false)
}

// copyBack copies the keys logged in the reverse window back to A and clears them; with
// skipOutbox, keys waiting in A's outbox are cleared without copying (A has a newer write).
func (c *Driver) copyBack(ctx context.Context, skipOutbox bool) (int, error) {
	entries, err := c.Move.ReverseLog().Entries(ctx)
	if err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return 0, nil
	}
	var newer map[string]bool
	if skipOutbox {
		if newer, err = c.Move.Outbox().Keys(ctx); err != nil {
			return 0, err
		}
	}
	keys := make([]move.Key, 0, len(entries))
	for _, e := range entries {
		if !newer[e.Key.String()] {
			keys = append(keys, e.Key)
		}
	}
	if err := c.Move.CopyBack(ctx, keys); err != nil {
		return 0, err
	}
	return len(keys), c.Move.ReverseLog().Clear(ctx, entries)
}

// transition sets the next phase, records it in B's database, and waits until it is effective.
func (c *Driver) transition(ctx context.Context, st tandem.MoveState, to tandem.Phase, reason string, forced bool) (tandem.MoveState, error) {
	next, err := c.Store.Transition(ctx, c.name(), st.Version, to, tandem.Transition{By: c.By, Reason: reason, Forced: forced})
	if err != nil {
		return st, fmt.Errorf("move %s: %s -> %s: %w", c.name(), st.Phase, to, err)
	}
	c.log().Info("phase set", "move", c.name(), "from", st.Phase, "to", to, "switches", next.Switches, "epoch", next.Epoch)
	if err := c.Move.Audit().Record(ctx, tandem.Transition{Move: c.name(), From: st.Phase, To: to, Version: next.Version,
		Epoch: next.Epoch, By: c.By, Reason: reason, Forced: forced, At: next.UpdatedAt}); err != nil {
		return next, err
	}
	if err := c.WaitAcks(ctx, next); err != nil {
		return next, err
	}
	c.grace(ctx)
	return next, nil
}

func (c *Driver) grace(ctx context.Context) {
	g := c.Grace
	if g == 0 {
		g = 5 * time.Second
	}
	if g < 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(g):
	}
}

// hasLeftovers reports whether a pending move still has what an interrupted rollback to pending
// should have discarded: rows in B, or a backfill checkpoint.
func hasLeftovers(ctx context.Context, m *move.Move) bool {
	if cp, err := m.Checkpoint(ctx); err == nil && cp.Bound != nil {
		return true
	}
	var one int
	err := m.B.DB.QueryRowContext(ctx, "SELECT 1 FROM "+m.B.Dialect.Qualify(m.B.Schema, m.B.Table)+" LIMIT 1").Scan(&one)
	return err == nil
}
