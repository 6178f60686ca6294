package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tandem-db/tandem/internal/progress"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/metrics"
)

// defaultProgressEvery is the least time between two progress lines in a log or with --json.
const defaultProgressEvery = 2 * time.Second

// moveBackfill runs the backfill and shows its progress on stderr: a bar on a terminal, log
// lines elsewhere or with -v (one JSON object a line with --json), and Prometheus metrics at
// --metrics. The result goes to stdout.
func moveBackfill(ctx context.Context, c *cli, mv *openedMove, metricsAddr string, progressEvery time.Duration) error {
	name := mv.move.Def.Name
	st, err := mv.coord.State(ctx)
	if err != nil {
		return err
	}
	r := &backfillReporter{move: name, every: progressEvery, metrics: &metrics.Exporter{}, now: time.Now, out: c.stderr}
	r.metrics.SetPhase(name, st.Phase)
	if c.json || c.verbose || !progress.IsTerminal(c.stderr) {
		// -v logs each batch on stderr too, which a bar redrawn in place would garble.
		r.log = c.logger()
	} else {
		r.bar = progress.NewBar(c.stderr)
	}
	if metricsAddr != "" {
		stop, err := serveMetrics(r, metricsAddr)
		if err != nil {
			return err
		}
		defer stop()
	}
	err = mv.coord.Backfill(ctx, r.report)
	r.finish()
	if err != nil {
		if ctx.Err() != nil {
			// Stopped by a signal: the batch in flight committed or rolled back, whatever
			// error its driver gave for the cancelled statement.
			return interrupted(ctx, mv)
		}
		return moveErr(err)
	}
	cp, err := mv.move.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if c.json {
		c.writeJSON(c.stdout, &jsonCheckpointDoc{jsonCheckpoint: toJSONCheckpoint(cp)})
		return nil
	}
	c.printf("backfill %s done: %d rows scanned, %d copied in %d batches\n", name, cp.RowsScanned, cp.RowsCopied, cp.Batches)
	return nil
}

// interrupted says where a backfill stopped by a signal stands: every committed batch is kept.
func interrupted(ctx context.Context, mv *openedMove) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	name := mv.move.Def.Name
	cp, err := mv.move.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("backfill %s interrupted; run tandem move backfill %s to resume from its checkpoint", name, name)
	}
	of := ""
	if cp.Total >= 0 {
		of = fmt.Sprintf(" of about %d", cp.Total)
	}
	return fmt.Errorf("backfill %s interrupted after %d%s rows scanned (%d copied, %d batches), all saved; run tandem move backfill %s to resume",
		name, cp.RowsScanned, of, cp.RowsCopied, cp.Batches, name)
}

// serveMetrics serves r's metrics at http://addr/metrics until stop is called.
func serveMetrics(r *backfillReporter, addr string) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics %s: %w; give a free host:port, such as 127.0.0.1:9187 or :0 for any free port", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", r.metrics)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns when stopped
	}()
	// Said with the first report, once the backfill has passed its checks.
	r.metricsURL = "http://" + ln.Addr().String() + "/metrics"
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}

// logger returns a logger on stderr: JSON records with --json, text records otherwise.
func (c *cli) logger() *slog.Logger {
	return c.leveled(slog.LevelInfo)
}

// warnLogger is logger's, for warnings and errors only.
func (c *cli) warnLogger() *slog.Logger { return c.leveled(slog.LevelWarn) }

// leveled returns a scrubbed logger on stderr for records at l and above.
func (c *cli) leveled(l slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: l}
	if c.json {
		return c.scrubbed(slog.NewJSONHandler(c.stderr, opts))
	}
	return c.scrubbed(slog.NewTextHandler(c.stderr, opts))
}

// backfillReporter receives a backfill's progress reports and shows them: on a bar, or as
// log lines at most every `every` (and whenever the backfill starts or stops waiting, and when
// it is done), and in its metrics. Safe for concurrent use.
type backfillReporter struct {
	move    string
	bar     *progress.Bar // on a terminal
	log     *slog.Logger  // elsewhere
	every   time.Duration
	metrics *metrics.Exporter
	now     func() time.Time
	// metricsURL, when set, is said once, on the first report, on out or in log.
	metricsURL string
	out        io.Writer
	announce   sync.Once

	mu      sync.Mutex
	logged  bool
	lastLog time.Time
	waiting string
}

func (r *backfillReporter) report(p move.Progress) {
	r.metrics.Observe(r.move, p)
	r.announce.Do(func() {
		switch {
		case r.metricsURL == "":
		case r.log != nil:
			r.log.Info("serving metrics", "move", r.move, "url", r.metricsURL)
		default:
			fmt.Fprintf(r.out, "backfill %s: metrics at %s\n", r.move, r.metricsURL)
		}
	})
	if r.bar != nil {
		detail := progress.Count(p.Copied) + " copied"
		if p.BatchSize > 0 && !p.Done {
			detail += ", batch " + progress.Count(int64(p.BatchSize))
		}
		r.bar.Update(progress.State{Label: r.move, Done: p.Scanned, Total: p.Total, Unit: "rows", Rate: p.Rate, ETA: p.ETA,
			Waiting: p.Throttled, Detail: detail})
		return
	}
	r.mu.Lock()
	now := r.now()
	tick := !r.logged || p.Done || p.Throttled != r.waiting || now.Sub(r.lastLog) >= r.every
	if tick {
		r.logged, r.lastLog, r.waiting = true, now, p.Throttled
	}
	r.mu.Unlock()
	if !tick {
		return
	}
	msg := "backfill progress"
	switch {
	case p.Done:
		msg = "backfill done"
	case p.Throttled != "":
		msg = "backfill waiting"
	}
	attrs := []any{"move", r.move, "scanned", p.Scanned, "total", p.Total, "percent", percent(p.Scanned, p.Total), "copied", p.Copied,
		"batches", p.Batches, "batch_size", p.BatchSize, "rate", math.Round(p.Rate*10) / 10, "eta_s", math.Round(p.ETA.Seconds())}
	if p.Throttled != "" {
		attrs = append(attrs, "throttle", metrics.ThrottleReason(p.Throttled), "reason", p.Throttled)
	}
	r.log.Info(msg, attrs...)
}

// finish ends the bar's line, so that what follows starts on a line of its own.
func (r *backfillReporter) finish() {
	if r.bar != nil {
		r.bar.Finish()
	}
}

// percent is done of total with one decimal; 0 when total is unknown.
func percent(done, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return math.Min(100, math.Floor(float64(done)*1000/float64(total))/10)
}
