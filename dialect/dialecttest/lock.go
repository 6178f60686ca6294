package dialecttest

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/testdb"
)

func (s *suite) lock(t *testing.T, c *sql.Conn, key string, wait time.Duration) (func(context.Context) error, error) {
	t.Helper()
	return s.d.Lock(ctxT(t), c, key, wait)
}

func (s *suite) testLock(t *testing.T) {
	ctx := ctxT(t)
	const key = "deploy"
	// A second *sql.DB stands for a second deploy process as far as the database can tell.
	other := testdb.Open(t, s.url)

	t.Run("contention", func(t *testing.T) {
		c1, c2 := s.conn(t, s.db), s.conn(t, other)
		unlock, err := s.lock(t, c1, key, 0)
		if err != nil {
			t.Fatalf("first Lock: %v", err)
		}
		start := time.Now()
		_, err = s.lock(t, c2, key, 600*time.Millisecond)
		var le *tandem.LockError
		if !errors.As(err, &le) {
			t.Fatalf("second Lock: %v, want a *tandem.LockError", err)
		}
		if waited := time.Since(start); waited < 500*time.Millisecond || waited > 5*time.Second {
			t.Errorf("second Lock gave up after %v, want about 600ms", waited)
		}
		if le.Key != key || le.Holder == "" || le.Waited == "" {
			t.Errorf("LockError = %+v, want the key, a holder and the time waited", le)
		}
		if !strings.Contains(le.Error(), le.Holder) {
			t.Errorf("LockError message %q does not name the holder", le.Error())
		}
		// Another key is another lock.
		unlockOther, err := s.lock(t, c2, "move", 0)
		if err != nil {
			t.Fatalf("Lock on another key: %v", err)
		}
		if err := unlockOther(ctx); err != nil {
			t.Errorf("unlock other key: %v", err)
		}
		if err := unlock(ctx); err != nil {
			t.Fatalf("unlock: %v", err)
		}
		unlock2, err := s.lock(t, c2, key, time.Second)
		if err != nil {
			t.Fatalf("Lock after release: %v", err)
		}
		if err := unlock2(ctx); err != nil {
			t.Errorf("unlock: %v", err)
		}
	})

	t.Run("waits for release", func(t *testing.T) {
		c1, c2 := s.conn(t, s.db), s.conn(t, other)
		unlock, err := s.lock(t, c1, key, 0)
		if err != nil {
			t.Fatal(err)
		}
		released := make(chan error, 1)
		go func() {
			time.Sleep(400 * time.Millisecond)
			released <- unlock(context.Background())
		}()
		start := time.Now()
		unlock2, err := s.lock(t, c2, key, 10*time.Second)
		if err != nil {
			t.Fatalf("Lock while the holder releases: %v", err)
		}
		if err := <-released; err != nil {
			t.Errorf("unlock: %v", err)
		}
		if d := time.Since(start); d < 300*time.Millisecond || d > 3*time.Second {
			t.Errorf("took the lock after %v, want soon after the release at 400ms", d)
		}
		if err := unlock2(ctx); err != nil {
			t.Errorf("unlock: %v", err)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		c1, c2 := s.conn(t, s.db), s.conn(t, other)
		unlock, err := s.lock(t, c1, key, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unlock(ctx)
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = s.d.Lock(cctx, c2, key, time.Minute)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Lock with a cancelled context: %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Lock noticed the cancellation after %v", d)
		}
	})

	t.Run("killed holder", func(t *testing.T) {
		if s.cfg.lockOwnedByProcess {
			t.Skip("the lock belongs to the process; the adapter tests a dying holder process")
		}
		c1, c2 := s.conn(t, s.db), s.conn(t, other)
		if _, err := s.lock(t, c1, key, 0); err != nil {
			t.Fatal(err)
		}
		discard(c1) // the holder dies without unlocking
		unlock, err := s.lock(t, c2, key, 10*time.Second)
		if err != nil {
			t.Fatalf("Lock after the holder's connection closed: %v", err)
		}
		if err := unlock(ctx); err != nil {
			t.Errorf("unlock: %v", err)
		}
	})
}
