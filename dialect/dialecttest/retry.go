package dialecttest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/testdb"
)

// shortWaitURL is the suite's database with lock waits bounded by the DSN, for databases
// without a per-session lock timeout (SQLite's busy_timeout).
func (s *suite) shortWaitURL() string {
	if s.d.Capabilities().LockTimeout {
		return s.url
	}
	sep := "?"
	if strings.Contains(s.url, "?") {
		sep = "&"
	}
	return s.url + sep + "_pragma=busy_timeout(200)"
}

func (s *suite) testRetryable(t *testing.T) {
	ctx := ctxT(t)
	for _, err := range []error{nil, errors.New("lock wait timeout"), context.DeadlineExceeded} {
		if s.d.Retryable(err) {
			t.Errorf("Retryable(%v) = true, want false", err)
		}
	}
	tbl := s.d.Qualify(s.schema, "dt_retry")
	s.exec(t, "CREATE TABLE "+tbl+" (id integer NOT NULL PRIMARY KEY, v integer)", "INSERT INTO "+tbl+" (id, v) VALUES (1, 0), (2, 0)")

	if _, err := s.db.ExecContext(ctx, "SELEKT nothing"); err == nil || s.d.Retryable(err) {
		t.Errorf("a syntax error (%v) is retryable or missing", err)
	}

	waiter := testdb.Open(t, s.shortWaitURL())
	for _, tc := range []struct{ name, stmt string }{
		{"row update", "UPDATE " + tbl + " SET v = 3 WHERE id = 1"},
		{"ddl", "ALTER TABLE " + tbl + " ADD COLUMN w integer"},
	} {
		t.Run("lock timeout "+tc.name, func(t *testing.T) {
			holder := s.conn(t, s.db)
			tx, err := holder.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, "UPDATE "+tbl+" SET v = 2 WHERE id = 1"); err != nil {
				t.Fatal(err)
			}
			c := s.conn(t, waiter)
			for _, st := range s.d.SessionSetup(200 * time.Millisecond) {
				if _, err := c.ExecContext(ctx, st); err != nil {
					t.Fatal(err)
				}
			}
			_, err = c.ExecContext(ctx, tc.stmt)
			if err == nil {
				t.Fatalf("%s succeeded while another transaction held the row", tc.stmt)
			}
			if !s.d.Retryable(err) {
				t.Errorf("Retryable(%v) = false for a lock wait timeout", err)
			}
		})
	}

	t.Run("deadlock", func(t *testing.T) {
		a, b := s.conn(t, s.db), s.conn(t, waiter)
		for _, st := range s.d.SessionSetup(10 * time.Second) { // long: the deadlock, not the timeout, must end it
			if _, err := b.ExecContext(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		txA, err := a.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer txA.Rollback()
		txB, err := b.BeginTx(ctx, nil)
		if err != nil {
			if s.d.Retryable(err) {
				return // SQLite: the second writer cannot even begin; that is the retryable error
			}
			t.Fatal(err)
		}
		defer txB.Rollback()
		if _, err := txA.ExecContext(ctx, "UPDATE "+tbl+" SET v = 1 WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := txB.ExecContext(ctx, "UPDATE "+tbl+" SET v = 1 WHERE id = 2"); err != nil {
			if s.d.Retryable(err) {
				return
			}
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, errs[0] = txA.ExecContext(ctx, "UPDATE "+tbl+" SET v = 2 WHERE id = 2")
			if errs[0] != nil {
				txA.Rollback()
			}
		}()
		go func() {
			defer wg.Done()
			time.Sleep(100 * time.Millisecond)
			_, errs[1] = txB.ExecContext(ctx, "UPDATE "+tbl+" SET v = 2 WHERE id = 1")
			if errs[1] != nil {
				txB.Rollback()
			}
		}()
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				failed++
				if !s.d.Retryable(err) {
					t.Errorf("Retryable(%v) = false for a deadlock", err)
				}
			}
		}
		if failed == 0 {
			t.Errorf("no deadlock: %v", fmt.Sprint(errs))
		}
	})
}
