package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/tandem-db/tandem"
)

// pollInterval is how often Lock retries pg_try_advisory_lock while another session holds it.
const pollInterval = 200 * time.Millisecond

// lockID maps a lock key to the bigint of a session-level advisory lock. The hash is computed
// here rather than with hashtext(), whose result is not guaranteed stable across server
// versions; the "tandem/" prefix keeps clear of applications' own advisory lock numbers.
func lockID(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte("tandem/" + key))
	return int64(h.Sum64())
}

// Lock takes a session-level advisory lock on conn, polling pg_try_advisory_lock every 200 ms
// until wait has passed. It never calls the blocking pg_advisory_lock: a session waiting there
// is a transaction that CREATE INDEX CONCURRENTLY, run by the lock holder on another
// connection, would wait for in turn — a deadlock that no timeout breaks.
//
// The lock is per database and lasts until unlock is called or the connection closes, so a
// killed deploy releases it. When it stays held, Lock returns a *tandem.LockError naming the
// holder's pid, application_name, client address and backend start.
func (Dialect) Lock(ctx context.Context, conn *sql.Conn, key string, wait time.Duration) (func(context.Context) error, error) {
	id := lockID(key)
	start := time.Now()
	for {
		var ok bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", id).Scan(&ok); err != nil {
			return nil, fmt.Errorf("postgres: take deploy lock %q: %w", key, err)
		}
		if ok {
			return func(ctx context.Context) error { return unlock(ctx, conn, key, id) }, nil
		}
		left := wait - time.Since(start)
		if left <= 0 {
			return nil, &tandem.LockError{
				Key:    key,
				Holder: lockHolder(ctx, conn, id),
				Waited: time.Since(start).Round(100 * time.Millisecond).String(),
			}
		}
		t := time.NewTimer(min(pollInterval, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("postgres: wait for deploy lock %q: %w", key, ctx.Err())
		case <-t.C:
		}
	}
}

func unlock(ctx context.Context, conn *sql.Conn, key string, id int64) error {
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", id).Scan(&ok); err != nil {
		return fmt.Errorf("postgres: release deploy lock %q: %w", key, err)
	}
	if !ok {
		return fmt.Errorf("postgres: release deploy lock %q: this connection does not hold it", key)
	}
	return nil
}

// lockHolder describes the session holding the advisory lock, or returns "" when it cannot
// tell (the holder may have just released it, or pg_stat_activity may be restricted).
func lockHolder(ctx context.Context, conn *sql.Conn, id int64) string {
	u := uint64(id)
	var (
		pid             int64
		app, addr, user string
		started         sql.NullTime
	)
	err := conn.QueryRowContext(ctx, `SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), ''),
       coalesce(a.usename::text, ''), a.backend_start
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.classid::bigint = $1 AND l.objid::bigint = $2
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
LIMIT 1`, int64(u>>32), int64(u&0xffffffff)).Scan(&pid, &app, &addr, &user, &started)
	if err != nil {
		return "" // released meanwhile, or pg_stat_activity hides other users' sessions
	}
	s := fmt.Sprintf("pid %d", pid)
	if user != "" {
		s += " user " + user
	}
	if app != "" {
		s += fmt.Sprintf(" application %q", app)
	}
	if addr != "" {
		s += " from " + addr
	} else {
		s += " from a local socket"
	}
	if started.Valid {
		s += " connected since " + started.Time.UTC().Format("2006-01-02 15:04:05 MST")
	}
	return s
}
