package move

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/project"
)

var (
	loadTime    = flag.Duration("loadtime", 15*time.Second, "how long BenchmarkBackfillUnderLoad runs pgbench, with and without the backfill")
	loadClients = flag.Int("loadclients", 4, "pgbench clients in BenchmarkBackfillUnderLoad")
	loadNice    = flag.Float64("nice", tandem.DefaultMoveNice, "the backfill's rest after each batch, as a multiple of its time, in BenchmarkBackfillUnderLoad")
)

// BenchmarkBackfillUnderLoad runs pgbench's TPC-B-like load on PostgreSQL for -loadtime alone,
// then for -loadtime again while a backfill of -rows rows runs in the same database in its
// default (polite) mode, and reports the load's latency percentiles and throughput both ways,
// and the backfill's rate under load.
func BenchmarkBackfillUnderLoad(b *testing.B) {
	pgbench := findPgbench(b)
	ctx := context.Background()
	url := testdb.Postgres(b)
	db := testdb.Open(b, url)
	run := func(args ...string) {
		out, err := exec.Command(pgbench, args...).CombinedOutput()
		if err != nil {
			b.Fatalf("pgbench %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("-i", "-q", "-s", "10", url)
	for _, s := range []string{
		"CREATE TABLE a (id bigint PRIMARY KEY, name text NOT NULL, payload jsonb, created_at timestamptz NOT NULL)",
		"CREATE TABLE b (id bigint PRIMARY KEY, name text NOT NULL, payload jsonb, created_at timestamptz NOT NULL)",
		fmt.Sprintf(`INSERT INTO a SELECT g, 'name ' || g, jsonb_build_object('n', g, 'tags', jsonb_build_array('x', g %% 17), 'note', repeat('p', 40)),
			timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, %d) g`, *benchRows),
		"VACUUM ANALYZE",
		"CHECKPOINT",
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	def, err := project.ParseMove("moves/bench.yaml", []byte("from: {table: a}\nto: {table: b}\nkey: [id]\nmapping:\n  id: id\n  name: name\n  payload: payload\n  created_at: created_at\n"+
		fmt.Sprintf("throttle: {nice: %g}\n", *loadNice)))
	if err != nil {
		b.Fatal(err)
	}
	pg := postgres.New()
	m := &Move{Def: def, A: Side{DB: db, Dialect: pg, Schema: "public", Table: "a"}, B: Side{DB: db, Dialect: pg, Schema: "public", Table: "b"}, Shared: true}
	if _, err := m.FixBound(ctx); err != nil {
		b.Fatal(err)
	}
	load := func(name string) []txn {
		dir := b.TempDir()
		secs := strconv.Itoa(int(loadTime.Seconds()))
		run("-c", strconv.Itoa(*loadClients), "-j", "2", "-T", secs, "-l", "--log-prefix="+filepath.Join(dir, name), url)
		return readPgbenchLogs(b, dir)
	}
	b.ResetTimer()
	t0 := time.Now()
	base := window(load("alone"), t0, time.Now())

	done := make(chan error, 1)
	var start, end time.Time
	go func() {
		time.Sleep(time.Second) // let the load settle first
		start = time.Now()
		err := (&Backfiller{Move: m, Throttle: NewThrottle(m)}).Run(ctx)
		end = time.Now()
		done <- err
	}()
	all := load("backfill")
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	busy := window(all, start, end)
	overlap := min(end.Sub(start), *loadTime-time.Second)
	b.ReportMetric(base.pct(50), "alone-p50-ms")
	b.ReportMetric(base.pct(99), "alone-p99-ms")
	b.ReportMetric(base.rate(*loadTime), "alone-tps")
	b.ReportMetric(busy.pct(50), "backfill-p50-ms")
	b.ReportMetric(busy.pct(99), "backfill-p99-ms")
	b.ReportMetric(busy.rate(overlap), "backfill-tps")
	b.ReportMetric(float64(*benchRows)/end.Sub(start).Seconds(), "backfill-rows/s")
	b.Logf("backfill of %d rows took %s; the load ran alongside it for %s (%d transactions)", *benchRows, end.Sub(start).Round(time.Millisecond), overlap.Round(time.Millisecond), len(busy))
	if overlap < end.Sub(start) {
		b.Logf("the backfill outlasted the load: raise -loadtime to cover all of it")
	}
}

// txn is one pgbench transaction: when it ended and how long it took.
type txn struct {
	end     time.Time
	latency float64 // milliseconds
}

// window returns the latencies, sorted, of the transactions that ended between from and to.
func window(txns []txn, from, to time.Time) latencies {
	var out latencies
	for _, t := range txns {
		if !t.end.Before(from) && !t.end.After(to) {
			out = append(out, t.latency)
		}
	}
	sort.Float64s(out)
	return out
}

// latencies are transaction latencies in milliseconds, sorted.
type latencies []float64

func (l latencies) pct(p float64) float64 {
	if len(l) == 0 {
		return 0
	}
	i := int(float64(len(l)-1) * p / 100)
	return l[i]
}

func (l latencies) rate(d time.Duration) float64 { return float64(len(l)) / d.Seconds() }

// readPgbenchLogs reads the per-transaction logs pgbench -l wrote in dir: "client transaction
// latency_us script epoch_s epoch_us", the last two when the transaction ended.
func readPgbenchLogs(b *testing.B, dir string) []txn {
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no pgbench logs in %s (%v)", dir, err)
	}
	var out []txn
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 6 {
				continue
			}
			var v [3]int64
			for i, idx := range []int{2, 4, 5} {
				if v[i], err = strconv.ParseInt(fields[idx], 10, 64); err != nil {
					b.Fatalf("%s: %q: %v", f, sc.Text(), err)
				}
			}
			out = append(out, txn{end: time.Unix(v[1], v[2]*1000), latency: float64(v[0]) / 1000})
		}
		fh.Close()
	}
	return out
}

// findPgbench finds pgbench on PATH or in PostgreSQL's Debian folders.
func findPgbench(b *testing.B) string {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(m) > 0 {
		sort.Strings(m)
		return m[len(m)-1]
	}
	b.Skip("pgbench not found")
	return ""
}
