package move

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/project"
)

var (
	benchRows    = flag.Int("rows", 200000, "rows of A in BenchmarkBackfill")
	benchWorkers = flag.Int("workers", 2, "workers of the parallel backfill in BenchmarkBackfill")
	benchTarget  = flag.Duration("target", 0, "target batch time of BenchmarkBackfill (0: the default)")
)

// BenchmarkBackfill copies, unthrottled (polite: false), -rows rows of (id bigint, name text,
// payload jsonb, created_at timestamptz) on PostgreSQL (A and B in one database) with the
// backfill (one worker, and -workers workers) and with a single INSERT INTO b SELECT ... FROM a,
// in each iteration, and reports the rows per second of each and the median ratios.
func BenchmarkBackfill(b *testing.B) {
	ctx := context.Background()
	db := testdb.Open(b, testdb.Postgres(b))
	for _, s := range []string{
		"CREATE TABLE a (id bigint PRIMARY KEY, name text NOT NULL, payload jsonb, created_at timestamptz NOT NULL)",
		"CREATE TABLE b (id bigint PRIMARY KEY, name text NOT NULL, payload jsonb, created_at timestamptz NOT NULL)",
		"CREATE TABLE b_single (id bigint PRIMARY KEY, name text NOT NULL, payload jsonb, created_at timestamptz NOT NULL)",
		fmt.Sprintf(`INSERT INTO a SELECT g, 'name ' || g, jsonb_build_object('n', g, 'tags', jsonb_build_array('x', g %% 17), 'note', repeat('p', 40)),
			timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, %d) g`, *benchRows),
		"VACUUM ANALYZE a",
		// Autovacuum would wake on the rows a copy just inserted and run during the next one.
		"ALTER TABLE a SET (autovacuum_enabled = false)",
		"ALTER TABLE b SET (autovacuum_enabled = false)",
		"ALTER TABLE b_single SET (autovacuum_enabled = false)",
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	def, err := project.ParseMove("moves/bench.yaml", []byte("from: {table: a}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id\n  name: name\n  payload: payload\n  created_at: created_at\nthrottle: {polite: false}\n"))
	if err != nil {
		b.Fatal(err)
	}
	pg := postgres.New()
	m := &Move{Def: def, A: Side{DB: db, Dialect: pg, Schema: "public", Table: "a"}, B: Side{DB: db, Dialect: pg, Schema: "public", Table: "b"}, Shared: true}
	// The machine's speed drifts by tens of percent from minute to minute, so each iteration
	// times the three copies one after the other, in an order that rotates, and the figures
	// reported are the medians of the iterations' own ratios.
	copies := []func() error{
		func() error {
			return (&Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Target: *benchTarget}}).Run(ctx)
		},
		func() error {
			return (&Backfiller{Move: m, Workers: *benchWorkers, Settings: tandem.MoveBatchSettings{Target: *benchTarget}}).Run(ctx)
		},
		func() error {
			_, err := db.ExecContext(ctx, "INSERT INTO b_single (id, name, payload, created_at) SELECT id, name, payload, created_at FROM a")
			return err
		},
	}
	var took [3]time.Duration
	var oneRatio, twoRatio []float64
	var batches int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var t [3]time.Duration
		for j := range copies {
			k := (i + j) % len(copies)
			b.StopTimer()
			fresh(b, m)
			b.StartTimer()
			t0 := time.Now()
			if err := copies[k](); err != nil {
				b.Fatal(err)
			}
			t[k] = time.Since(t0)
			took[k] += t[k]
			if k < 2 {
				b.StopTimer()
				cp, err := m.Checkpoint(ctx)
				if err != nil || cp.RowsCopied != int64(*benchRows) {
					b.Fatalf("checkpoint %+v, %v; want %d rows copied", cp, err, *benchRows)
				}
				batches = cp.Batches
				b.StartTimer()
			}
		}
		oneRatio = append(oneRatio, 100*t[2].Seconds()/t[0].Seconds())
		twoRatio = append(twoRatio, 100*t[2].Seconds()/t[1].Seconds())
		b.Logf("iteration %d: one worker %v, %d workers %v, single INSERT %v: %.0f%% and %.0f%%", i+1, t[0].Round(time.Millisecond),
			*benchWorkers, t[1].Round(time.Millisecond), t[2].Round(time.Millisecond), oneRatio[i], twoRatio[i])
	}
	b.StopTimer()
	rows := float64(*benchRows) * float64(b.N)
	b.ReportMetric(rows/took[0].Seconds(), "backfill-rows/s")
	b.ReportMetric(rows/took[1].Seconds(), "parallel-rows/s")
	b.ReportMetric(rows/took[2].Seconds(), "single-insert-rows/s")
	b.ReportMetric(median(oneRatio), "%-of-single")
	b.ReportMetric(median(twoRatio), "parallel-%-of-single")
	b.ReportMetric(float64(batches), "batches")
}

// median returns the middle value of xs (the mean of the two middle ones when even).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// fresh gives the next timed copy the same start as every other: empty target tables without
// dead rows (TRUNCATE, not the DELETE of Discard, whose dead index entries every insert of the
// same key would have to visit), the checkpoint discarded and the bound fixed again, and a
// database checkpoint just taken and synced.
func fresh(b *testing.B, m *Move) {
	ctx := context.Background()
	for _, s := range []string{"TRUNCATE b", "TRUNCATE b_single"} {
		if _, err := m.B.DB.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	if err := m.Discard(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := m.FixBound(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := m.B.DB.ExecContext(ctx, "CHECKPOINT"); err != nil {
		b.Fatal(err)
	}
	// When the server runs on this machine, the files the TRUNCATE unlinked are discarded and
	// the checkpoint's writes leave the page cache now, not during the next timed copy.
	syscall.Sync()
}

// BenchmarkBackfillAcross copies -rows rows from one PostgreSQL database to another, loading
// batches with COPY and, for comparison, with multi-row INSERTs, unthrottled.
func BenchmarkBackfillAcross(b *testing.B) {
	ctx := context.Background()
	adb, bdb := testdb.Open(b, testdb.Postgres(b)), testdb.Open(b, testdb.Postgres(b))
	for _, s := range []string{
		"CREATE TABLE a (id bigint PRIMARY KEY, name text NOT NULL, payload jsonb, created_at timestamptz NOT NULL)",
		fmt.Sprintf(`INSERT INTO a SELECT g, 'name ' || g, jsonb_build_object('n', g, 'tags', jsonb_build_array('x', g %% 17), 'note', repeat('p', 40)),
			timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, %d) g`, *benchRows),
		"VACUUM ANALYZE a",
	} {
		if _, err := adb.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := bdb.ExecContext(ctx, "CREATE TABLE b (id bigint PRIMARY KEY, name text NOT NULL, payload jsonb, created_at timestamptz NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	def, err := project.ParseMove("moves/bench.yaml", []byte("from: {table: a}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id\n  name: name\n  payload: payload\n  created_at: created_at\nthrottle: {polite: false}\n"))
	if err != nil {
		b.Fatal(err)
	}
	pg := postgres.New()
	m := &Move{Def: def, A: Side{DB: adb, Dialect: pg, Schema: "public", Table: "a"}, B: Side{DB: bdb, Dialect: pg, Schema: "public", Table: "b"}}
	run := func(useCopy bool) time.Duration {
		b.StopTimer()
		if _, err := bdb.ExecContext(ctx, "TRUNCATE b"); err != nil {
			b.Fatal(err)
		}
		if err := m.Discard(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := m.FixBound(ctx); err != nil {
			b.Fatal(err)
		}
		r, err := m.forward(ctx)
		if err != nil {
			b.Fatal(err)
		}
		r.noCopy.Store(!useCopy)
		b.StartTimer()
		t0 := time.Now()
		if err := (&Backfiller{Move: m}).Run(ctx); err != nil {
			b.Fatal(err)
		}
		took := time.Since(t0)
		if cp, err := m.Checkpoint(ctx); err != nil || cp.RowsCopied != int64(*benchRows) {
			b.Fatalf("checkpoint %+v, %v", cp, err)
		}
		return took
	}
	var withCopy, withInsert time.Duration
	for i := 0; i < b.N; i++ {
		withCopy += run(true)
		withInsert += run(false)
	}
	rows := float64(*benchRows) * float64(b.N)
	b.ReportMetric(rows/withCopy.Seconds(), "copy-rows/s")
	b.ReportMetric(rows/withInsert.Seconds(), "insert-rows/s")
}
