package move

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem"
)

// Run copies batches from the checkpoint up to H until every row is copied (it returns nil and
// the checkpoint says Done), ctx ends (it returns ctx's error after the batches in flight have
// committed or rolled back), or a batch fails. A batch that conflicts with another unique key
// of B fails with a *UniqueConflictError naming the A keys. Run again to resume.
//
// The first run splits the range up to H into parts; Workers goroutines copy parts at once,
// and with Leases set, so do the workers of other processes.
func (b *Backfiller) Run(ctx context.Context) error {
	m := b.Move
	b.mu.Lock()
	if b.settings == (tandem.MoveBatchSettings{}) {
		b.settings = b.Settings
		if b.settings == (tandem.MoveBatchSettings{}) {
			b.settings = m.Def.Batch
		}
	}
	b.mu.Unlock()
	if err := m.checkpoints().ensure(ctx); err != nil {
		return err
	}
	meta, err := m.checkpoints().readMeta(ctx, m.B.DB, false)
	if err != nil {
		return err
	}
	if meta.Bound == nil {
		return fmt.Errorf("move %s: %w", m.Def.Name, ErrNoBound)
	}
	if meta.Done {
		return nil
	}
	h := meta.Bound.Key
	if h == nil {
		meta.Done = true // A was empty when H was fixed: nothing to copy
		return m.checkpoints().save(ctx, m.B.DB, meta)
	}
	r, err := m.forward(ctx)
	if err != nil {
		return err
	}
	if meta.Total < 0 {
		if err := m.split(ctx, r, h, b.Parts); err != nil {
			return err
		}
	}
	cp, err := m.Checkpoint(ctx)
	if err != nil {
		return err
	}
	run := &backfillRun{b: b, r: r, log: b.Log, start: time.Now(), total: cp.Total, scanned0: cp.RowsScanned, nudge: make(chan struct{}, 1)}
	if run.log == nil {
		run.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	run.copied.Store(cp.RowsCopied)
	run.scanned.Store(cp.RowsScanned)
	run.batches.Store(cp.Batches)
	run.leases, run.shared = b.Leases, b.Leases != nil
	if run.leases == nil {
		run.leases = &localLeases{}
	}
	run.workers = max(b.Workers, 1)
	holder := b.Holder
	if holder == "" {
		holder = defaultHolder()
	}
	run.report(Progress{BatchSize: b.firstSize(), LastKey: cp.LastKey, Done: cp.Done})
	if cp.Done {
		return nil
	}

	wctx, cancel := context.WithCancelCause(ctx)
	run.holder = holder
	run.applyTuned(wctx)
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		run.watch(wctx)
	}()
	defer func() { <-watchDone }()
	defer cancel(nil) // runs first: stops the watcher, then waits for it
	var wg sync.WaitGroup
	for i := 0; i < run.workers; i++ {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			if err := run.work(wctx, id); err != nil {
				cancel(err)
			}
		}(fmt.Sprintf("%s/%d", holder, i+1))
	}
	wg.Wait()
	if err := context.Cause(wctx); err != nil {
		return err
	}
	if cp, err = m.Checkpoint(ctx); err != nil {
		return err
	}
	run.reportMu.Lock()
	size := run.last.BatchSize
	run.reportMu.Unlock()
	run.report(Progress{BatchSize: size, LastKey: cp.LastKey, Done: cp.Done})
	if cp.Done {
		run.log.Info("backfill done", "move", m.Def.Name, "copied", cp.RowsCopied, "scanned", cp.RowsScanned, "batches", cp.Batches, "parts", cp.Parts)
	}
	return nil
}

// defaultHolder names this process in leases: host, pid and a random suffix, so that a
// restarted process on the same host and pid never renews its predecessor's lease.
func defaultHolder() string {
	host, _ := os.Hostname()
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(rnd[:]))
}

func (b *Backfiller) firstSize() int {
	s, _ := b.currentSettings()
	return s.Size
}

// backfillRun is one call of Run: what its workers share.
type backfillRun struct {
	b        *Backfiller
	r        *route
	log      *slog.Logger
	leases   Leaser
	shared   bool // leases are shared with other processes
	workers  int
	start    time.Time
	total    int64
	scanned0 int64

	copied, scanned, batches atomic.Int64
	reportMu                 sync.Mutex
	holder                   string
	last                     Progress // the last report, for the live row
	reports                  int64
	savedAt                  time.Time
	nudge                    chan struct{} // the live row is due now: the first report, or the throttle changed
	tuned                    tandem.MoveBatchSettings
}

// watch applies settings changed with Move.Tune and saves the live report for status, every
// second until ctx ends.
func (run *backfillRun) watch(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var saved int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-run.nudge:
		case <-t.C:
			run.applyTuned(ctx)
		}
		run.reportMu.Lock()
		p, n := run.last, run.reports
		run.reportMu.Unlock()
		if n == saved && time.Since(run.savedAt) < liveStale/2 {
			continue // nothing new; refreshed now and then so that status sees it runs
		}
		saved, run.savedAt = n, time.Now()
		l := Live{Holder: run.holder, Rate: p.Rate, ETA: p.ETA, BatchSize: p.BatchSize, Throttled: p.Throttled, Workers: run.workers, At: time.Now().UTC()}
		if err := run.b.Move.checkpoints().saveLive(ctx, l); err != nil && ctx.Err() == nil {
			run.log.Warn("save the backfill's report for status", "move", run.b.Move.Def.Name, "err", err)
		}
	}
}

// applyTuned passes settings an operator set with Move.Tune to the workers when they changed.
func (run *backfillRun) applyTuned(ctx context.Context) {
	t, ok, err := run.b.Move.Tuned(ctx)
	if err != nil {
		if ctx.Err() == nil {
			run.log.Warn("read tuned batch settings", "move", run.b.Move.Def.Name, "err", err)
		}
		return
	}
	if !ok || t == run.tuned {
		return
	}
	run.tuned = t
	b := run.b
	b.mu.Lock()
	s := b.settings
	b.mu.Unlock()
	if t.Size > 0 {
		s.Size = t.Size
	}
	if t.Target > 0 {
		s.Target = t.Target
	}
	if t.MaxRows > 0 {
		s.MaxRows = t.MaxRows
	}
	b.SetSettings(s)
	run.log.Info("backfill settings tuned", "move", b.Move.Def.Name, "size", s.Size, "target", s.Target, "max_rows", s.MaxRows)
}

// work takes parts that are not done, one at a time, and copies each, until none is left.
func (run *backfillRun) work(ctx context.Context, holder string) error {
	m := run.b.Move
	size := 0 // the batch size adapted so far, carried from part to part
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		parts, err := m.checkpoints().readParts(ctx, m.B.DB)
		if err != nil {
			return err
		}
		open, claimed := 0, -1
		for i, p := range parts {
			if p.Done {
				continue
			}
			open++
			ok, err := run.leases.Lease(ctx, m.partResource(p.Part), holder, run.ttl())
			if err != nil {
				return fmt.Errorf("move %s: lease part %d of the backfill: %w", m.Def.Name, p.Part, err)
			}
			if ok {
				claimed = i
				break
			}
		}
		if open == 0 {
			return nil
		}
		if claimed < 0 {
			if !run.shared {
				return nil // the other workers of this process hold what is left
			}
			// Other processes hold every open part: wait, and take over a part whose holder
			// died once its lease runs out.
			if err := sleep(ctx, min(run.ttl()/3, time.Second)); err != nil {
				return err
			}
			continue
		}
		p := parts[claimed]
		size, err = run.copyPart(ctx, p, holder, size)
		if rerr := run.leases.Release(context.WithoutCancel(ctx), m.partResource(p.Part), holder); rerr != nil {
			run.log.Warn("release a part's lease", "move", m.Def.Name, "part", p.Part, "err", rerr)
		}
		if err != nil && !errors.Is(err, errLeaseLost) {
			return err
		}
	}
}

var errLeaseLost = errors.New("the part's lease was lost to another worker")

func (run *backfillRun) ttl() time.Duration {
	if run.b.LeaseTTL > 0 {
		return run.b.LeaseTTL
	}
	return 30 * time.Second
}

// copyPart copies one part's batches until the part is done, renewing its lease before each.
// It starts with batches of size rows (the settings' size when 0) and returns the size it
// adapted to, for the worker's next part.
func (run *backfillRun) copyPart(ctx context.Context, cp Checkpoint, holder string, size int) (int, error) {
	b, m := run.b, run.b.Move
	conn, err := m.B.DB.Conn(ctx)
	if err != nil {
		return size, fmt.Errorf("move %s: connect to %s's database: %w", m.Def.Name, m.B, err)
	}
	defer b.release(conn)
	if err := b.setupConn(ctx, conn); err != nil {
		return size, err
	}
	s, _ := b.currentSettings()
	if size <= 0 {
		size = s.Size
	}
	report := func(throttled string) {
		run.report(Progress{BatchSize: size, Throttled: throttled, LastKey: cp.LastKey})
	}
	failures := 0
	for {
		if err := ctx.Err(); err != nil {
			return size, err
		}
		if b.Throttle != nil {
			reason, err := b.Throttle.Wait(ctx, report)
			if reason != "" {
				run.log.Info("backfill resumed after throttling", "move", m.Def.Name, "reason", reason)
			}
			if err != nil {
				return size, err
			}
		}
		ok, err := run.leases.Lease(ctx, m.partResource(cp.Part), holder, run.ttl())
		if err != nil {
			return size, fmt.Errorf("move %s: renew the lease on part %d: %w", m.Def.Name, cp.Part, err)
		}
		if !ok {
			run.log.Warn("backfill part taken over by another worker", "move", m.Def.Name, "part", cp.Part, "holder", holder)
			return size, errLeaseLost
		}
		s, changed := b.currentSettings()
		if changed {
			size = s.Size
		}
		size = min(max(size, minBatch), maxBatch)
		t0 := time.Now()
		res, err := b.batch(ctx, conn, run.r, cp, cp.Hi, size, failures > 0)
		took := time.Since(t0)
		if err != nil {
			var uc *UniqueConflictError
			if errors.As(err, &uc) || ctx.Err() != nil {
				return size, err
			}
			failures++
			if failures > 5 {
				return size, err
			}
			// A lock wait that timed out (polite batches wait briefly), a deadlock, or a key
			// the application inserted concurrently: back off with a smaller batch.
			run.log.Warn("backfill batch retried", "move", m.Def.Name, "part", cp.Part, "size", size, "err", err)
			size = max(size/2, minBatch)
			if err := sleep(ctx, time.Duration(failures)*100*time.Millisecond); err != nil {
				return size, err
			}
			continue
		}
		failures = 0
		cp = res.Checkpoint
		run.copied.Add(res.copied)
		run.scanned.Add(res.scanned)
		run.batches.Add(1)
		run.log.Debug("backfill batch", "move", m.Def.Name, "part", cp.Part, "size", size, "took", took, "copied", res.copied, "last", cp.LastKey)
		run.report(Progress{BatchSize: size, BatchTime: took, LastKey: cp.LastKey})
		size = adapt(size, took, s.Target)
		if cp.Done {
			return size, nil
		}
		if nice := m.Def.Throttle.Nice; nice > 0 {
			// Rest in proportion to the batch's time, so that the database serves its other
			// users in between.
			if err := sleep(ctx, time.Duration(float64(took)*nice)); err != nil {
				return size, err
			}
		}
		if s.MaxRows > 0 {
			// At MaxRows per second over all workers, a batch of n rows may not take less than
			// n*workers/MaxRows. Small batches keep the rate smooth.
			perWorker := max(s.MaxRows/run.workers, 1)
			size = min(size, max(perWorker/10, minBatch))
			if err := sleep(ctx, time.Duration(float64(res.scanned)/float64(perWorker)*float64(time.Second))-took); err != nil {
				return size, err
			}
		}
	}
}

// report sends a progress snapshot with the run's totals to the Progress callback, one at a
// time.
func (run *backfillRun) report(p Progress) {
	p.Copied, p.Scanned, p.Batches, p.Total = run.copied.Load(), run.scanned.Load(), run.batches.Load(), run.total
	if el := time.Since(run.start).Seconds(); el > 0 {
		p.Rate = float64(p.Scanned-run.scanned0) / el
	}
	if p.Rate > 0 && p.Total > p.Scanned {
		p.ETA = time.Duration(float64(p.Total-p.Scanned) / p.Rate * float64(time.Second))
	}
	run.reportMu.Lock()
	defer run.reportMu.Unlock()
	if run.reports == 0 || p.Throttled != run.last.Throttled {
		select {
		case run.nudge <- struct{}{}:
		default:
		}
	}
	run.last = p
	run.reports++
	if run.b.Progress != nil {
		run.b.Progress(p)
	}
}
