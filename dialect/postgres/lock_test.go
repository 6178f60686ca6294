package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/testdb"
)

// TestLockHolder checks that the LockError names the holding session precisely.
func TestLockHolder(t *testing.T) {
	ctx := context.Background()
	url := testdb.Postgres(t)
	db1, db2 := testdb.Open(t, url), testdb.Open(t, url)
	c1, err := db1.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := db2.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c1.ExecContext(ctx, "SET application_name = 'tandem-holder'"); err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := c1.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	d := postgres.New()
	unlock, err := d.Lock(ctx, c1, "deploy", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Lock(ctx, c2, "deploy", 300*time.Millisecond)
	var le *tandem.LockError
	if !errors.As(err, &le) {
		t.Fatalf("Lock: %v, want *tandem.LockError", err)
	}
	for _, part := range []string{fmt.Sprintf("pid %d ", pid), `application "tandem-holder"`, "from 127.0.0.1", "user postgres", "connected since "} {
		if !strings.Contains(le.Holder, part) {
			t.Errorf("Holder %q lacks %q", le.Holder, part)
		}
	}
	if err := unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := unlock(ctx); err == nil {
		t.Errorf("a second unlock succeeded; it should say the lock is not held")
	}
}

// TestLockDoesNotBlockConcurrentIndex is why Lock polls: a waiter inside pg_advisory_lock would
// hold a snapshot that CREATE INDEX CONCURRENTLY, run by the holder, waits for.
func TestLockDoesNotBlockConcurrentIndex(t *testing.T) {
	ctx := context.Background()
	url := testdb.Postgres(t)
	db := testdb.Open(t, url)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (a int)"); err != nil {
		t.Fatal(err)
	}
	c1, _ := db.Conn(ctx)
	defer c1.Close()
	c2, _ := db.Conn(ctx)
	defer c2.Close()
	d := postgres.New()
	unlock, err := d.Lock(ctx, c1, "deploy", 0)
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() {
		_, err := d.Lock(ctx, c2, "deploy", 3*time.Second)
		waited <- err
	}()
	time.Sleep(300 * time.Millisecond)
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := c1.ExecContext(cctx, "CREATE INDEX CONCURRENTLY t_a ON t (a)"); err != nil {
		t.Errorf("CREATE INDEX CONCURRENTLY while another deploy waits for the lock: %v", err)
	}
	if err := unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Errorf("the waiter did not get the lock after release: %v", err)
	}
}
