package redisstore

import (
	"context"

	"github.com/tandem-db/tandem"
)

// Subscribe calls fn with the new state of any move after every change, until ctx ends. It
// returns once Redis has confirmed the subscription, so a change made after it returns is
// delivered. fn is called from one goroutine, one state at a time; a slow fn delays later
// notifications (go-redis buffers 100 messages, then drops them after a minute).
//
// go-redis reconnects a broken subscription by itself, but what is published while it is down
// is lost: readers must also poll State now and then.
func (s *Store) Subscribe(ctx context.Context, fn func(tandem.MoveState)) error {
	ps := s.c.Subscribe(ctx, s.Channel())
	if _, err := ps.Receive(ctx); err != nil {
		ps.Close()
		return s.wrap("subscribe to "+s.Channel(), err)
	}
	msgs := ps.Channel()
	go func() {
		defer ps.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-msgs:
				if !ok {
					return
				}
				st, err := decodeState(m.Payload)
				// A payload this store did not write (another program publishing on the
				// channel) is not a state; it is skipped rather than passed on half-read.
				if err != nil || ctx.Err() != nil {
					continue
				}
				fn(st)
			}
		}
	}()
	return nil
}
