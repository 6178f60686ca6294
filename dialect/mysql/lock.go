package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// pollInterval is how often Lock retries GET_LOCK while another session holds the lock.
const pollInterval = 200 * time.Millisecond

// lockName turns a key into a GET_LOCK name. User locks are server-wide, so the name carries
// the current database to make the lock database-wide as the contract says; names longer than
// MySQL's 64 characters are hashed.
func lockName(database, key string) string {
	n := "tandem/" + database + "/" + key
	if len(n) <= 64 {
		return n
	}
	sum := sha256.Sum256([]byte(n))
	return "tandem/" + hex.EncodeToString(sum[:])[:48]
}

// Lock takes a user lock with GET_LOCK(name, 0), polled every 200 ms until wait has passed, so
// that a context cancellation is noticed between attempts. The lock belongs to the connection:
// it lasts until unlock or until the connection closes, so a killed deploy releases it. When it
// stays held, Lock returns a *tandem.LockError naming the holding connection (its id, user, host
// and how long it has been in its current state, where PROCESSLIST shows them).
func (Dialect) Lock(ctx context.Context, conn *sql.Conn, key string, wait time.Duration) (func(context.Context) error, error) {
	var db sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&db); err != nil {
		return nil, fmt.Errorf("mysql: take deploy lock %q: %w", key, err)
	}
	name := lockName(db.String, key)
	start := time.Now()
	for {
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", name).Scan(&got); err != nil {
			return nil, fmt.Errorf("mysql: take deploy lock %q: %w", key, err)
		}
		if got.Valid && got.Int64 == 1 {
			return func(ctx context.Context) error { return unlock(ctx, conn, key, name) }, nil
		}
		left := wait - time.Since(start)
		if left <= 0 {
			return nil, &tandem.LockError{
				Key:    key,
				Holder: lockHolder(ctx, conn, name),
				Waited: time.Since(start).Round(100 * time.Millisecond).String(),
			}
		}
		t := time.NewTimer(min(pollInterval, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("mysql: wait for deploy lock %q: %w", key, ctx.Err())
		case <-t.C:
		}
	}
}

func unlock(ctx context.Context, conn *sql.Conn, key, name string) error {
	var released sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT RELEASE_LOCK(?)", name).Scan(&released); err != nil {
		return fmt.Errorf("mysql: release deploy lock %q: %w", key, err)
	}
	if !released.Valid || released.Int64 != 1 {
		return fmt.Errorf("mysql: release deploy lock %q: this connection does not hold it", key)
	}
	return nil
}

// lockHolder describes the connection holding the lock, or returns "" when it has gone.
func lockHolder(ctx context.Context, conn *sql.Conn, name string) string {
	var id sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", name).Scan(&id); err != nil || !id.Valid {
		return ""
	}
	s := fmt.Sprintf("connection %d", id.Int64)
	var user, host string
	var secs sql.NullInt64
	// Without the PROCESS privilege other users' connections are hidden: the id alone remains.
	err := conn.QueryRowContext(ctx, "SELECT USER, HOST, TIME FROM information_schema.PROCESSLIST WHERE ID = ?", id.Int64).
		Scan(&user, &host, &secs)
	if err != nil {
		return s
	}
	s += " user " + user
	if host != "" {
		s += " from " + host
	}
	if secs.Valid {
		s += fmt.Sprintf(", in its current state for %ds", secs.Int64)
	}
	return s
}
