package coord

import (
	"context"
	"errors"

	"github.com/tandem-db/tandem"
)

// handover runs the transition to phase `to` under the write barrier, and then catchUp,
// which brings the table that becomes authoritative up to date while no instance writes.
// The barrier stays when the transition is set but not yet effective (instances that did not
// acknowledge): running the command again finishes it (finishHandover).
func (c *Driver) handover(ctx context.Context, st tandem.MoveState, to tandem.Phase, reason string, forced bool, catchUp func() error) (tandem.MoveState, error) {
	why := "the rows written to B alone are copied back to A"
	if to == tandem.PhaseWriteB {
		why = "A's outbox is copied to B"
	}
	if err := c.Move.Barrier().Set(ctx, to, why); err != nil {
		return st, err
	}
	next, err := c.transition(ctx, st, to, reason, forced)
	if err != nil {
		if next.Phase != to {
			// The store refused the transition: no instance switched.
			return next, errors.Join(err, c.Move.Barrier().Clear(ctx))
		}
		return next, err
	}
	if err := catchUp(); err != nil {
		return next, err
	}
	return next, c.Move.Barrier().Clear(ctx)
}

// finishHandover completes a handover that a coordinator left under way: its barrier row is
// still there. When the move reached the handover's phase, it waits for the instances, catches
// up and returns that phase (the interrupted command is then done); when it did not (the
// coordinator stopped before the transition), nothing switched and the barrier is lifted.
func (c *Driver) finishHandover(ctx context.Context, st tandem.MoveState) (tandem.Phase, error) {
	target, _, _, err := c.Move.Barrier().Read(ctx)
	if err != nil || target == "" {
		return "", err
	}
	if st.Phase != target {
		return "", c.Move.Barrier().Clear(ctx)
	}
	if err := c.WaitAcks(ctx, st); err != nil {
		return "", err
	}
	switch target {
	case tandem.PhaseReadB:
		n, err := c.copyBack(ctx, false)
		if err != nil {
			return "", err
		}
		c.log().Info("finished an interrupted rollback from write-b", "move", c.name(), "keys", n)
	case tandem.PhaseWriteB:
		if err := c.Move.DrainOutbox(ctx); err != nil {
			return "", err
		}
		c.log().Info("finished an interrupted step to write-b: A's outbox is copied to B", "move", c.name())
	}
	return target, c.Move.Barrier().Clear(ctx)
}
