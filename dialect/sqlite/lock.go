package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tandem-db/tandem"
)

// pollInterval is how often Lock tries again while another process holds the lock.
const pollInterval = 200 * time.Millisecond

// Lock takes the deploy lock named key for the database that conn is open on.
//
// SQLite has no lock that outlives a transaction, and a deploy runs many transactions; holding
// one open transaction as the lock would block the deploy's own writes. So the lock is a file
// beside the database, <db>.tandem-lock (<db>.<key>.tandem-lock for a key other than
// "deploy"), locked with flock(2). The kernel releases it when the process dies, however it
// dies, so a crashed deploy never leaves the database locked; the file itself stays, empty,
// and is reused. The lock belongs to the process, not to conn: closing conn does not release
// it, unlock (or the end of the process) does. Two Lock calls in one process contend like two
// processes, as each opens the file anew.
//
// The holder writes "pid N on host H since T" into the file, which a waiter reports in its
// *tandem.LockError. An in-memory database (no file) is private to its process and gets a
// lock that only contends within it.
func (Dialect) Lock(ctx context.Context, conn *sql.Conn, key string, wait time.Duration) (func(context.Context) error, error) {
	file, err := mainFile(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: take deploy lock %q: %w", key, err)
	}
	if file == "" {
		return memoryLock(key, wait)
	}
	path := lockPath(file, key)
	start := time.Now()
	for {
		f, ok, err := tryLockFile(path)
		if err != nil {
			return nil, fmt.Errorf("sqlite: take deploy lock %q (%s): %w", key, path, err)
		}
		if ok {
			host, _ := os.Hostname()
			info := fmt.Sprintf("pid %d on host %s since %s", os.Getpid(), host, time.Now().UTC().Format("2006-01-02 15:04:05 MST"))
			if err := writeHolder(f, info); err != nil {
				f.Close()
				return nil, fmt.Errorf("sqlite: take deploy lock %q (%s): %w", key, path, err)
			}
			var once sync.Once
			return func(context.Context) error {
				var err error
				once.Do(func() { err = unlockFile(f) })
				if err != nil {
					return fmt.Errorf("sqlite: release deploy lock %q (%s): %w", key, path, err)
				}
				return nil
			}, nil
		}
		left := wait - time.Since(start)
		if left <= 0 {
			holder, _ := os.ReadFile(path)
			h := "lock file " + path
			if s := strings.TrimSpace(string(holder)); s != "" {
				h = s + ", " + h
			}
			return nil, &tandem.LockError{
				Key:    key,
				Holder: h,
				Waited: time.Since(start).Round(100 * time.Millisecond).String(),
			}
		}
		t := time.NewTimer(min(pollInterval, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("sqlite: wait for deploy lock %q: %w", key, ctx.Err())
		case <-t.C:
		}
	}
}

// mainFile returns the file of conn's main database, or "" for an in-memory one.
func mainFile(ctx context.Context, conn *sql.Conn) (string, error) {
	rows, err := conn.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq        int
			name, file string
		)
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", err
		}
		if name == "main" {
			return file, rows.Err()
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return "", errors.New("no main database on the connection")
}

// lockPath names the lock file for key. Keys are made safe for a file name; long ones are
// hashed.
func lockPath(file, key string) string {
	if key == "" || key == "deploy" {
		return file + ".tandem-lock"
	}
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, key)
	if len(safe) > 64 || safe != key {
		sum := sha256.Sum256([]byte(key))
		safe = hex.EncodeToString(sum[:8])
	}
	return file + "." + safe + ".tandem-lock"
}

func writeHolder(f *os.File, info string) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(info+"\n"), 0); err != nil {
		return err
	}
	return f.Sync()
}

// unlockFile empties the holder line while still holding the lock (so no new holder's line is
// erased), then closes the file, which releases the lock.
func unlockFile(f *os.File) error {
	terr := f.Truncate(0)
	cerr := f.Close()
	return errors.Join(terr, cerr)
}

var (
	memMu    sync.Mutex
	memLocks = map[string]bool{}
)

// memoryLock is the lock of an in-memory database: a process-wide set of held keys.
func memoryLock(key string, wait time.Duration) (func(context.Context) error, error) {
	start := time.Now()
	for {
		memMu.Lock()
		if !memLocks[key] {
			memLocks[key] = true
			memMu.Unlock()
			var once sync.Once
			return func(context.Context) error {
				once.Do(func() {
					memMu.Lock()
					delete(memLocks, key)
					memMu.Unlock()
				})
				return nil
			}, nil
		}
		memMu.Unlock()
		if time.Since(start) >= wait {
			return nil, &tandem.LockError{Key: key, Holder: fmt.Sprintf("this process, pid %d", os.Getpid()),
				Waited: time.Since(start).Round(100 * time.Millisecond).String()}
		}
		time.Sleep(min(pollInterval, wait-time.Since(start)))
	}
}
