package coord

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tandem-db/tandem"
)

// Acks lists the live instances that follow this move, split into those that run with the
// state's epoch and those that lag.
func (c *Driver) Acks(ctx context.Context, st tandem.MoveState) (acked, lagging []tandem.Heartbeat, err error) {
	hs, err := c.Store.Instances(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("move %s: list instances: %w", c.name(), err)
	}
	for _, h := range hs {
		e, follows := h.Epochs[c.name()]
		switch {
		case !follows:
		case e >= st.Epoch:
			acked = append(acked, h)
		default:
			lagging = append(lagging, h)
		}
	}
	sort.Slice(lagging, func(i, j int) bool { return lagging[i].Instance < lagging[j].Instance })
	return acked, lagging, nil
}

// WaitAcks waits until every live instance that follows the move runs with st's epoch, or
// returns a *StragglersError after AckTimeout.
func (c *Driver) WaitAcks(ctx context.Context, st tandem.MoveState) error {
	timeout := c.AckTimeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	start := time.Now()
	for {
		_, lagging, err := c.Acks(ctx, st)
		if err != nil {
			return err
		}
		if len(lagging) == 0 {
			return nil
		}
		if time.Since(start) > timeout {
			return &StragglersError{Move: c.name(), Phase: st.Phase, Epoch: st.Epoch, Stragglers: lagging, Waited: time.Since(start)}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
