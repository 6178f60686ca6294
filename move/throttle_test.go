package move

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
)

func TestPollerWaitsAndSaysWhy(t *testing.T) {
	calls := 0
	p := &Poller{Interval: time.Millisecond, Checks: []Check{
		func(context.Context) (string, error) { return "", nil },
		func(context.Context) (string, error) {
			calls++
			switch calls {
			case 1, 2:
				return "replica lag 9s is above max_replica_lag 5s", nil
			case 3:
				return "paused by the pause switch", nil
			}
			return "", nil
		},
	}}
	var seen []string
	reason, err := p.Wait(context.Background(), func(r string) { seen = append(seen, r) })
	if err != nil {
		t.Fatal(err)
	}
	if reason != "replica lag 9s is above max_replica_lag 5s" {
		t.Fatalf("reason = %q", reason)
	}
	if d := cmp.Diff([]string{"replica lag 9s is above max_replica_lag 5s", "paused by the pause switch"}, seen); d != "" {
		t.Fatalf("reported reasons (-want +got):\n%s", d)
	}
	if reason, err := p.Wait(context.Background(), nil); reason != "" || err != nil {
		t.Fatalf("second Wait = %q, %v; want no wait", reason, err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	stuck := &Poller{Checks: []Check{PauseCheck(func(context.Context) (bool, error) { return true, nil })}}
	if reason, err := stuck.Wait(cctx, nil); err != context.Canceled || reason != "paused by the pause switch" {
		t.Fatalf("Wait on a cancelled context = %q, %v", reason, err)
	}
}

func TestDatabaseChecks(t *testing.T) {
	for _, tg := range targets[:3] {
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			a, _ := tg.open(t)
			if r, err := CustomCheck(a, "SELECT 1 = 1").Check(ctx); err != nil || r != `the throttle check "SELECT 1 = 1" returned true` {
				t.Fatalf("custom check true = %q, %v", r, err)
			}
			if r, err := CustomCheck(a, "SELECT 1 = 0").Check(ctx); err != nil || r != "" {
				t.Fatalf("custom check false = %q, %v", r, err)
			}
			if _, err := CustomCheck(a, "SELECT 'x', 'y'").Check(ctx); err == nil || !strings.Contains(err.Error(), "it must return one boolean") {
				t.Fatalf("custom check with two columns: %v", err)
			}
			if r, err := ReplicaLag(a, time.Second).Check(ctx); err != nil || r != "" {
				t.Fatalf("replica lag without replicas = %q, %v", r, err)
			}
			if tg.name == "sqlite" {
				return
			}
			sleep := "SELECT pg_sleep(1.5)"
			if tg.name == "mariadb" {
				sleep = "SELECT SLEEP(1.5)"
			}
			var wg sync.WaitGroup
			for i := 0; i < 3; i++ {
				wg.Add(1)
				go func() { defer wg.Done(); a.DB.ExecContext(ctx, sleep) }()
			}
			time.Sleep(500 * time.Millisecond)
			r, err := ActiveSessions(a, 2).Check(ctx)
			if err != nil || !strings.HasPrefix(r, "3 active sessions on "+a.String()+"'s database, above max_active_sessions 2") {
				t.Errorf("active sessions while 3 sleep = %q, %v", r, err)
			}
			wg.Wait()
			if r, err := ActiveSessions(a, 2).Check(ctx); err != nil || r != "" {
				t.Errorf("active sessions when idle = %q, %v", r, err)
			}
		})
	}
}

// Check runs a Check (a method, so that the tests read well).
func (c Check) Check(ctx context.Context) (string, error) { return c(ctx) }

func TestBackfillPauseAndSettings(t *testing.T) {
	ctx := testCtx(t)
	m := newMove(t, targets[0])
	insertUsers(t, m.A, 1, 400)
	if _, err := m.FixBound(ctx); err != nil {
		t.Fatal(err)
	}
	var paused atomic.Bool
	paused.Store(true)
	var (
		mu        sync.Mutex
		throttled []string
		sizes     []int64
		last      int64
	)
	bf := &Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 100, Target: time.Hour}}
	bf.Throttle = &Poller{Interval: 5 * time.Millisecond, Checks: []Check{PauseCheck(func(context.Context) (bool, error) { return paused.Load(), nil })}}
	bf.Progress = func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Throttled != "" {
			throttled = append(throttled, p.Throttled)
			paused.Store(false)
			return
		}
		if p.Scanned > last {
			sizes = append(sizes, p.Scanned-last)
			last = p.Scanned
			if len(sizes) == 1 {
				bf.SetSettings(tandem.MoveBatchSettings{Size: 15, Target: time.Hour})
			}
		}
	}
	if err := bf.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"paused by the pause switch"}, throttled); d != "" {
		t.Fatalf("throttle reports (-want +got):\n%s", d)
	}
	// 100, then the new size 15, doubling while batches are far below the target.
	if d := cmp.Diff([]int64{100, 15, 30, 60, 120, 75}, sizes); d != "" {
		t.Fatalf("batch sizes (-want +got):\n%s", d)
	}
}

func TestBackfillMaxRows(t *testing.T) {
	ctx := testCtx(t)
	m := newMove(t, targets[0])
	insertUsers(t, m.A, 1, 300)
	if _, err := m.FixBound(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := (&Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 50, MaxRows: 1000}}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	// 300 rows at 1,000 rows/s: the last batch is not followed by a pause.
	if took := time.Since(start); took < 240*time.Millisecond {
		t.Fatalf("300 rows at max_rows 1000 took %s; want at least about 250ms", took)
	}
}

func TestAdapt(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		size      int
		took, tgt time.Duration
		want      int
	}{
		{1000, 50 * ms, 250 * ms, 2000},            // fast: double
		{1000, 200 * ms, 250 * ms, 1000},           // near the target: keep
		{1000, 400 * ms, 250 * ms, 500},            // a bit slow: at least halve
		{1000, 1000 * ms, 250 * ms, 250},           // slow: scale to the target
		{15, 0, 250 * ms, 30},                      // instant: double, not explode
		{80000, ms, 250 * ms, maxBatch},            // bounded above
		{12, 10 * time.Second, 250 * ms, minBatch}, // bounded below
	}
	for _, c := range cases {
		if got := adapt(c.size, c.took, c.tgt); got != c.want {
			t.Errorf("adapt(%d, %s, %s) = %d; want %d", c.size, c.took, c.tgt, got, c.want)
		}
	}
}

// While the pause switch cannot be read (the store is down), the backfill waits and says why;
// it copies on once the store answers again.
func TestBackfillWaitsWhileThePauseSwitchIsUnreadable(t *testing.T) {
	ctx := testCtx(t)
	m := newMove(t, targets[0])
	insertUsers(t, m.A, 1, 50)
	if _, err := m.FixBound(ctx); err != nil {
		t.Fatal(err)
	}
	var down atomic.Int32
	down.Store(3) // the first three reads fail
	read := func(context.Context) (bool, error) {
		if down.Add(-1) >= 0 {
			return false, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
		}
		return false, nil
	}
	var mu sync.Mutex
	var reasons []string
	bf := &Backfiller{Move: m, Throttle: &Poller{Interval: 5 * time.Millisecond, Checks: []Check{PauseCheck(read)}},
		Progress: func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			if p.Throttled != "" {
				reasons = append(reasons, p.Throttled)
			}
		}}
	if err := bf.Run(ctx); err != nil {
		t.Fatalf("the backfill gave up while the store was down: %v", err)
	}
	if len(reasons) != 1 || !strings.Contains(reasons[0], "the pause switch cannot be read (dial tcp 127.0.0.1:6379: connect: connection refused); waiting for the switch store") {
		t.Fatalf("reasons %q; want one that says the switch cannot be read", reasons)
	}
	if cp, err := m.Checkpoint(ctx); err != nil || !cp.Done || cp.RowsCopied != 50 {
		t.Fatalf("checkpoint %+v, %v", cp, err)
	}
	// A cancelled context still ends the wait.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := PauseCheck(func(ctx context.Context) (bool, error) { return false, ctx.Err() })(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
