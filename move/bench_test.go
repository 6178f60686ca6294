package move

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/testdb"
)

var (
	benchRows    = flag.Int("rows", 200000, "rows of A in BenchmarkBackfill")
	benchWorkers = flag.Int("workers", 2, "workers of the parallel backfill in BenchmarkBackfill")
	benchTarget  = flag.Duration("target", 0, "target batch time of BenchmarkBackfill (0: the default)")
)

// BenchmarkBackfill copies, unthrottled (polite: false), -rows rows of (id bigint, name text, payload jsonb, created_at
// timestamptz) on PostgreSQL (A and B in one database) with the backfill (one worker, then
// -workers workers), and with a single INSERT INTO b SELECT ... FROM a, in each iteration, and
// reports the rows per second of each.
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
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	def, err := ParseDefinition("moves/bench.yaml", []byte("from: {table: a}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id\n  name: name\n  payload: payload\n  created_at: created_at\nthrottle: {polite: false}\n"))
	if err != nil {
		b.Fatal(err)
	}
	pg := postgres.New()
	m := &Move{Def: def, A: Side{DB: db, Dialect: pg, Schema: "public", Table: "a"}, B: Side{DB: db, Dialect: pg, Schema: "public", Table: "b"}, Shared: true}
	var backfill, parallel, single time.Duration
	var cp Checkpoint
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		fresh(b, m)
		b.StartTimer()
		t0 := time.Now()
		if err := (&Backfiller{Move: m, Settings: BatchSettings{Target: *benchTarget}}).Run(ctx); err != nil {
			b.Fatal(err)
		}
		backfill += time.Since(t0)
		b.StopTimer()
		fresh(b, m)
		b.StartTimer()
		t0 = time.Now()
		if err := (&Backfiller{Move: m, Workers: *benchWorkers, Settings: BatchSettings{Target: *benchTarget}}).Run(ctx); err != nil {
			b.Fatal(err)
		}
		parallel += time.Since(t0)
		b.StopTimer()
		if cp, err = m.Checkpoint(ctx); err != nil || cp.RowsCopied != int64(*benchRows) {
			b.Fatalf("checkpoint %+v, %v; want %d rows copied", cp, err, *benchRows)
		}
		fresh(b, m)
		b.StartTimer()
		t0 = time.Now()
		if _, err := db.ExecContext(ctx, "INSERT INTO b_single (id, name, payload, created_at) SELECT id, name, payload, created_at FROM a"); err != nil {
			b.Fatal(err)
		}
		single += time.Since(t0)
	}
	b.StopTimer()
	rows := float64(*benchRows) * float64(b.N)
	b.ReportMetric(rows/backfill.Seconds(), "backfill-rows/s")
	b.ReportMetric(rows/parallel.Seconds(), "parallel-rows/s")
	b.ReportMetric(rows/single.Seconds(), "single-insert-rows/s")
	b.ReportMetric(100*single.Seconds()/backfill.Seconds(), "%-of-single")
	b.ReportMetric(100*single.Seconds()/parallel.Seconds(), "parallel-%-of-single")
	b.ReportMetric(float64(cp.Batches), "batches")
}

// fresh gives the next timed copy the same start as every other: empty target tables without
// dead rows (TRUNCATE, not the DELETE of Discard, whose dead index entries every insert of the
// same key would have to visit), the checkpoint discarded and the bound fixed again, and a
// database checkpoint just taken.
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
	def, err := ParseDefinition("moves/bench.yaml", []byte("from: {table: a}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id\n  name: name\n  payload: payload\n  created_at: created_at\nthrottle: {polite: false}\n"))
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
