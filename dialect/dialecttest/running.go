package dialecttest

import (
	"context"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
)

// testRunning checks that a StatementWatcher sees a statement another session is running, and
// only while it runs.
func (s *suite) testRunning(t *testing.T) {
	sw, ok := s.d.(tandem.StatementWatcher)
	if !ok {
		t.Skipf("%s does not implement tandem.StatementWatcher", s.d.Name())
	}
	if s.fx.sleep == "" {
		t.Fatalf("%s implements tandem.StatementWatcher but its fixture has no sleep statement", s.d.Name())
	}
	ctx := ctxT(t)
	done := make(chan error, 1)
	go func() {
		_, err := s.db.ExecContext(context.Background(), s.fx.sleep)
		done <- err
	}()
	var running []string
	for deadline := time.Now().Add(1500 * time.Millisecond); len(running) == 0 && time.Now().Before(deadline); {
		var err error
		if running, err = sw.Running(ctx, s.db, s.fx.sleep); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(running) != 1 {
		t.Errorf("Running(%q) while another session runs it = %q, want one session", s.fx.sleep, running)
	}
	if other, err := sw.Running(ctx, s.db, "SELECT 42"); err != nil || len(other) != 0 {
		t.Errorf("Running of a statement nobody runs = %q, %v; want nothing", other, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if after, err := sw.Running(ctx, s.db, s.fx.sleep); err != nil || len(after) != 0 {
		t.Errorf("Running after the statement ended = %q, %v; want nothing", after, err)
	}
}
