package mysql_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/internal/testdb"
)

// TestLockHolder checks that the LockError names the holding connection, and that the lock
// is per database: a deploy to another database on the same server does not wait.
func TestLockHolder(t *testing.T) {
	ctx := context.Background()
	url := testdb.MySQL(t)
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
	var id int64
	if err := c1.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		t.Fatal(err)
	}
	d := mysql.New()
	unlock, err := d.Lock(ctx, c1, "deploy", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Lock(ctx, c2, "deploy", 300*time.Millisecond)
	var le *tandem.LockError
	if !errors.As(err, &le) {
		t.Fatalf("Lock: %v, want *tandem.LockError", err)
	}
	for _, part := range []string{fmt.Sprintf("connection %d ", id), "user root", "from 127.0.0.1:"} {
		if !strings.Contains(le.Holder, part) {
			t.Errorf("Holder %q lacks %q", le.Holder, part)
		}
	}

	other := testdb.Open(t, testdb.MySQL(t))
	c3, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	unlock3, err := d.Lock(ctx, c3, "deploy", 0)
	if err != nil {
		t.Errorf("Lock on another database waited for this one's: %v", err)
	} else if err := unlock3(ctx); err != nil {
		t.Error(err)
	}

	if err := unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := unlock(ctx); err == nil {
		t.Errorf("a second unlock succeeded; it should say the lock is not held")
	}
}
