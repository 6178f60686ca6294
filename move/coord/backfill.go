package coord

import (
	"context"
	"errors"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
)

// Backfill copies A's rows up to the bound into B, pausing while the move's pause switch is on
// and while the throttles say so. It runs only in the backfill phase.
func (c *Driver) Backfill(ctx context.Context, progress func(move.Progress)) error {
	st, err := c.State(ctx)
	if err != nil {
		return err
	}
	if st.Phase != tandem.PhaseBackfill {
		return &move.Error{Move: c.name(), Phase: st.Phase, Err: errors.New("the backfill runs in the backfill phase"),
			Hint: tandem.Hint{Code: tandem.HintMoveAdvance, Text: "advance the move: it enters the backfill phase once every instance writes both tables"}}
	}
	return c.backfiller(progress).Run(ctx)
}

// backfiller configures the backfill Backfill runs: it obeys the pause switch and the
// throttles, and copies with BackfillOptions.Workers workers, else the definition's.
func (c *Driver) backfiller(progress func(move.Progress)) *move.Backfiller {
	paused := move.PauseCheck(func(ctx context.Context) (bool, error) {
		st, err := c.Store.State(ctx, c.name())
		return st.Paused, err
	})
	workers := c.BackfillOptions.Workers
	if workers <= 0 {
		workers = c.Move.Def.Workers
	}
	b := &move.Backfiller{Move: c.Move, Throttle: move.NewThrottle(c.Move, paused), Log: c.Log, Progress: progress,
		Workers: workers, LeaseTTL: c.BackfillOptions.LeaseTTL}
	if c.BackfillOptions.Share {
		b.Leases = c.Store
	}
	return b
}

// Pause sets or clears the pause switch that a running backfill obeys between batches.
func (c *Driver) Pause(ctx context.Context, paused bool) (tandem.MoveState, error) {
	if st, err := c.State(ctx); err != nil {
		return st, err
	}
	return c.Store.SetPaused(ctx, c.name(), paused)
}

// verifyStable verifies the move and counts the differences that are real. Across databases, a
// key waiting in A's outbox is a write in flight that the reconciler will copy, not a stable
// difference; a difference that persists over several rounds, outside the outbox, is real.
func (c *Driver) verifyStable(ctx context.Context) (*move.VerifyReport, int, error) {
	var rep *move.VerifyReport
	real := 0
	for attempt := 0; attempt < 5; attempt++ {
		var err error
		if rep, err = c.Move.Verify(ctx, move.VerifyOptions{}); err != nil {
			return nil, 0, err
		}
		if rep.OK() {
			return rep, 0, nil
		}
		if c.Move.Shared {
			return rep, max(len(rep.Differences), rep.DifferingChunks), nil // Verify already waited for it to settle
		}
		pending, err := c.Move.Outbox().Keys(ctx)
		if err != nil {
			return nil, 0, err
		}
		real = 0
		for _, d := range rep.Differences {
			if !pending[d.Key.String()] {
				real++
			}
		}
		if real == 0 && !rep.Truncated {
			return rep, 0, nil
		}
		if _, err := c.Move.Reconcile(ctx); err != nil {
			return nil, 0, err
		}
		select {
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return rep, real, nil
}
