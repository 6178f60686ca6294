package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// Subscribe calls fn with the new state of every move whose version changed, polling the moves
// table every Options.PollInterval, until ctx ends. It returns after the first read, which
// sets the baseline: a change made after Subscribe returns is delivered; changes made between
// two polls are delivered once, as the latest state. fn is called from one goroutine, one
// state at a time. A failed poll is retried at the next tick; the baseline stays as it was,
// so nothing is missed.
func (s *Store) Subscribe(ctx context.Context, fn func(tandem.MoveState)) error {
	seen := map[string]int64{}
	if _, err := s.pollChanges(ctx, seen); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	go func() {
		tick := time.NewTicker(s.poll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			changed, err := s.pollChanges(ctx, seen)
			if err != nil {
				continue
			}
			for _, st := range changed {
				if ctx.Err() != nil {
					return
				}
				fn(st)
			}
		}
	}()
	return nil
}

// pollChanges reads every move and returns those whose version differs from seen, updating
// seen. On an error seen is left unchanged.
func (s *Store) pollChanges(ctx context.Context, seen map[string]int64) ([]tandem.MoveState, error) {
	rows, err := s.db.QueryContext(ctx, s.q.allStates)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.q.movesTable, err)
	}
	defer rows.Close()
	var all []tandem.MoveState
	for rows.Next() {
		st, err := scanState(rows)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", s.q.movesTable, err)
		}
		all = append(all, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", s.q.movesTable, err)
	}
	var changed []tandem.MoveState
	for _, st := range all {
		if v, ok := seen[st.Move]; !ok || v != st.Version {
			seen[st.Move] = st.Version
			changed = append(changed, st)
		}
	}
	return changed, nil
}
