package sqlite_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
)

// TestLockHelperProcess is not a test: TestLockReleasedWhenHolderDies runs the test binary
// again with TANDEM_SQLITE_LOCK_HELPER set, to hold the lock in another process.
func TestLockHelperProcess(t *testing.T) {
	url := os.Getenv("TANDEM_SQLITE_LOCK_HELPER")
	if url == "" {
		t.Skip("helper process only")
	}
	db := testdb.Open(t, url)
	c, err := db.Conn(context.Background())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if _, err := sqlite.New().Lock(context.Background(), c, "deploy", 0); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	time.Sleep(time.Minute) // until killed
	os.Exit(0)
}

// TestLockReleasedWhenHolderDies: a deploy killed with SIGKILL never unlocks, and the next one
// must not wait for it.
func TestLockReleasedWhenHolderDies(t *testing.T) {
	ctx := context.Background()
	url := testdb.SQLite(t)
	db := testdb.Open(t, url)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (a int)"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$", "-test.v=false")
	cmd.Env = append(os.Environ(), "TANDEM_SQLITE_LOCK_HELPER="+url)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper said %q, %v", line, err)
	}

	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := sqlite.New()
	_, err = d.Lock(ctx, c, "deploy", 300*time.Millisecond)
	var le *tandem.LockError
	if !errors.As(err, &le) {
		t.Fatalf("Lock while the helper holds it: %v, want *tandem.LockError", err)
	}
	host, _ := os.Hostname()
	if want := fmt.Sprintf("pid %d on host %s since ", cmd.Process.Pid, host); !strings.Contains(le.Holder, want) {
		t.Errorf("Holder %q does not name the helper (%q)", le.Holder, want)
	}
	if !strings.Contains(le.Holder, ".tandem-lock") {
		t.Errorf("Holder %q does not name the lock file", le.Holder)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	unlock, err := d.Lock(ctx, c, "deploy", 5*time.Second)
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	if err := unlock(ctx); err != nil {
		t.Error(err)
	}
}

// TestLockMemory: an in-memory database has no file to lock; the lock still contends within
// the process.
func TestLockMemory(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t, "sqlite::memory:")
	c1, _ := db.Conn(ctx)
	defer c1.Close()
	c2, _ := db.Conn(ctx)
	defer c2.Close()
	d := sqlite.New()
	unlock, err := d.Lock(ctx, c1, "mem-test", 0)
	if err != nil {
		t.Fatal(err)
	}
	var le *tandem.LockError
	if _, err := d.Lock(ctx, c2, "mem-test", 100*time.Millisecond); !errors.As(err, &le) {
		t.Errorf("second Lock: %v, want *tandem.LockError", err)
	}
	if err := unlock(ctx); err != nil {
		t.Fatal(err)
	}
	unlock2, err := d.Lock(ctx, c2, "mem-test", 0)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	_ = unlock2(ctx)
}
