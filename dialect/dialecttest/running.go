package dialecttest

import (
	"context"
	"testing"
	"time"
)

// testRunning checks that Running sees a statement another session is running, and only while
// it runs. A dialect whose fixture has no sleep statement (SQLite, where a statement ends with
// the process that sent it) must see none.
func (s *suite) testRunning(t *testing.T) {
	ctx := ctxT(t)
	if s.fx.sleep == "" {
		if got, err := s.d.Running(ctx, s.db, "SELECT 42"); err != nil || len(got) != 0 {
			t.Errorf("Running without other sessions = %q, %v; want nothing", got, err)
		}
		return
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.db.ExecContext(context.Background(), s.fx.sleep)
		done <- err
	}()
	var running []string
	for deadline := time.Now().Add(1500 * time.Millisecond); len(running) == 0 && time.Now().Before(deadline); {
		var err error
		if running, err = s.d.Running(ctx, s.db, s.fx.sleep); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(running) != 1 {
		t.Errorf("Running(%q) while another session runs it = %q, want one session", s.fx.sleep, running)
	}
	if other, err := s.d.Running(ctx, s.db, "SELECT 42"); err != nil || len(other) != 0 {
		t.Errorf("Running of a statement nobody runs = %q, %v; want nothing", other, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if after, err := s.d.Running(ctx, s.db, s.fx.sleep); err != nil || len(after) != 0 {
		t.Errorf("Running after the statement ended = %q, %v; want nothing", after, err)
	}
}
