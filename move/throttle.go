package move

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Throttler decides when the backfill may run its next batch.
type Throttler interface {
	// Wait blocks while the backfill should pause, and returns why it waited ("" when it did not
	// wait). It returns early with ctx's error when ctx ends. While it waits it calls waiting
	// (when not nil) with the reason each time the reason changes, so that the backfill's
	// progress shows why it waits while it waits, not only afterwards.
	Wait(ctx context.Context, waiting func(reason string)) (reason string, err error)
}

// Check is one throttling condition: it returns why the backfill should pause now, or "".
type Check func(ctx context.Context) (reason string, err error)

// Poller is the built-in Throttler: it runs its checks in order and, while one gives a reason,
// waits Interval and asks again. Safe for concurrent use.
type Poller struct {
	Checks []Check
	// Interval between polls while throttled (default 1s).
	Interval time.Duration
}

// Wait implements Throttler. It reports the first reason it waited for.
func (p *Poller) Wait(ctx context.Context, waiting func(reason string)) (string, error) {
	interval := p.Interval
	if interval <= 0 {
		interval = time.Second
	}
	var first, last string
	for {
		reason := ""
		for _, c := range p.Checks {
			r, err := c(ctx)
			if err != nil {
				return first, err
			}
			if r != "" {
				reason = r
				break
			}
		}
		if reason == "" {
			return first, nil
		}
		if first == "" {
			first = reason
		}
		if reason != last {
			if waiting != nil {
				waiting(reason)
			}
			last = reason
		}
		if err := sleep(ctx, interval); err != nil {
			return first, err
		}
	}
}

// NewThrottle returns the throttle a move's file asks for: replica lag of B's database
// (PostgreSQL only), active sessions on A's database, and the custom check (run on A's
// database), followed by extra checks such as PauseCheck.
func NewThrottle(m *Move, extra ...Check) *Poller {
	t := m.Def.Throttle
	p := &Poller{}
	if t.MaxReplicaLag > 0 {
		p.Checks = append(p.Checks, ReplicaLag(m.B, t.MaxReplicaLag))
	}
	if t.MaxActiveSessions > 0 {
		p.Checks = append(p.Checks, ActiveSessions(m.A, t.MaxActiveSessions))
	}
	if t.Check != "" {
		p.Checks = append(p.Checks, CustomCheck(m.A, t.Check))
	}
	p.Checks = append(p.Checks, extra...)
	return p
}

// PauseCheck turns a pause switch (such as the SwitchStore's Paused flag) into a Check. While
// the switch cannot be read, the backfill waits.
func PauseCheck(paused func(ctx context.Context) (bool, error)) Check {
	return func(ctx context.Context) (string, error) {
		on, err := paused(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			// A store that does not answer might hold a pause the backfill cannot see: wait
			// for it (the reason shows in progress, logs and metrics) rather than copy on or
			// give up.
			return fmt.Sprintf("the pause switch cannot be read (%v); waiting for the switch store", err), nil
		}
		if on {
			return "paused by the pause switch", nil
		}
		return "", nil
	}
}

// ReplicaLag pauses while a streaming replica of s's database replays more than max behind
// (PostgreSQL: the largest replay_lag in pg_stat_replication; no replica, no pause). A MySQL or
// MariaDB primary does not know its replicas' lag, and SQLite has no replicas: there the check
// never pauses; use a custom check (e.g. against a heartbeat table) instead.
func ReplicaLag(s Side, max time.Duration) Check {
	query := s.Dialect.ReplicaLagQuery()
	if query == "" {
		return func(context.Context) (string, error) { return "", nil }
	}
	return func(ctx context.Context) (string, error) {
		var secs float64
		err := s.DB.QueryRowContext(ctx, query).Scan(&secs)
		if err != nil {
			return "", fmt.Errorf("replica lag of %s's database: %w", s, err)
		}
		if lag := time.Duration(secs * float64(time.Second)); lag > max {
			return fmt.Sprintf("replica lag %s is above max_replica_lag %s", lag.Round(time.Millisecond), max), nil
		}
		return "", nil
	}
}

// ActiveSessions pauses while s's database has more than max sessions running a statement
// (PostgreSQL: pg_stat_activity; MySQL: the process list of its database), not counting the
// session that asks. SQLite has no sessions to count: it never pauses.
func ActiveSessions(s Side, max int) Check {
	stmt := s.Dialect.ActiveSessionsQuery()
	if stmt == "" {
		return func(context.Context) (string, error) { return "", nil }
	}
	return func(ctx context.Context) (string, error) {
		var n int
		if err := s.DB.QueryRowContext(ctx, stmt).Scan(&n); err != nil {
			return "", fmt.Errorf("active sessions on %s's database: %w", s, err)
		}
		if n > max {
			return fmt.Sprintf("%d active sessions on %s's database, above max_active_sessions %d", n, s, max), nil
		}
		return "", nil
	}
}

// CustomCheck pauses while query, run on s's database, returns true.
func CustomCheck(s Side, query string) Check {
	short := strings.Join(strings.Fields(query), " ")
	if len(short) > 60 {
		short = short[:57] + "..."
	}
	return func(ctx context.Context) (string, error) {
		var pause bool
		if err := s.DB.QueryRowContext(ctx, query).Scan(&pause); err != nil {
			return "", fmt.Errorf("throttle check %q: %w; it must return one boolean", short, err)
		}
		if pause {
			return fmt.Sprintf("the throttle check %q returned true", short), nil
		}
		return "", nil
	}
}
