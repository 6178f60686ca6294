package move

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
)

// A backfill started slow (max 200 rows a second) is tuned from outside while it runs, as
// tandem move tune does from another process: it picks the new settings up and finishes long
// before it could have at the old rate. Meanwhile its live report says it runs.
func TestTuneRunningBackfill(t *testing.T) {
	const rows = 3000 // 15s at the first rate
	for _, name := range []string{"sqlite", "postgres"} {
		tg, _ := targetNamed(name)
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			m := newMove(t, tg)
			insertUsers(t, m.A, 1, rows)
			if err := m.Tune(ctx, tandem.MoveBatchSettings{MaxRows: 100}); err == nil || !strings.Contains(err.Error(), "has not started") {
				t.Fatalf("tune before the bound is fixed: %v, want 'has not started'", err)
			}
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			runCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			done := make(chan error, 1)
			t0 := time.Now()
			go func() {
				done <- (&Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 10, MaxRows: 200}}).Run(runCtx)
			}()
			time.Sleep(2500 * time.Millisecond)
			live, ok, err := m.Live(ctx)
			if err != nil || !ok || !live.Running(time.Now()) || live.Holder == "" || live.Workers != 1 || live.Rate <= 0 {
				t.Fatalf("live report while running: %+v, %v, %v", live, ok, err)
			}
			if err := m.Tune(ctx, tandem.MoveBatchSettings{Size: 500, MaxRows: 1000000}); err != nil {
				t.Fatal(err)
			}
			if got, ok, err := m.Tuned(ctx); err != nil || !ok || got.Size != 500 || got.MaxRows != 1000000 {
				t.Fatalf("tuned = %+v, %v, %v", got, ok, err)
			}
			if err := <-done; err != nil {
				t.Fatalf("backfill after tuning: %v (after %s)", err, time.Since(t0).Round(time.Millisecond))
			}
			cp, err := m.Checkpoint(ctx)
			if err != nil || !cp.Done || cp.RowsCopied != rows {
				t.Fatalf("checkpoint %+v, %v", cp, err)
			}
			diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
		})
	}
}
