package metrics

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/internal/movetest"
)

// TestMetricsText pins the exposition of a known sequence of reports.
func TestMetricsText(t *testing.T) {
	m := &Exporter{Buckets: []float64{0.1, 1}}
	m.SetPhase(`odd"name\`, tandem.PhaseBackfill)
	m.Observe("users", move.Progress{Copied: 90, Scanned: 100, Total: 1000, Batches: 1, BatchSize: 100, BatchTime: 50 * time.Millisecond, Rate: 400})
	m.Observe("users", move.Progress{Copied: 190, Scanned: 200, Total: 1000, Batches: 2, BatchSize: 200, BatchTime: 2 * time.Second, Rate: 500, ETA: 1600 * time.Millisecond})
	m.Observe("users", move.Progress{Copied: 190, Scanned: 200, Total: 1000, Batches: 2, BatchSize: 200, Rate: 450, Throttled: "replica lag 12s is above max_replica_lag 10s"})
	var b strings.Builder
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP tandem_move_phase The phase of the move: 1 for the phase it is in, 0 for the others.
# TYPE tandem_move_phase gauge
tandem_move_phase{move="odd\"name\\",phase="pending"} 0
tandem_move_phase{move="odd\"name\\",phase="dual-write"} 0
tandem_move_phase{move="odd\"name\\",phase="backfill"} 1
tandem_move_phase{move="odd\"name\\",phase="verified"} 0
tandem_move_phase{move="odd\"name\\",phase="read-b"} 0
tandem_move_phase{move="odd\"name\\",phase="write-b"} 0
tandem_move_phase{move="odd\"name\\",phase="complete"} 0
# HELP tandem_move_backfill_rows_copied_total Rows the backfill inserted into B, over every run.
# TYPE tandem_move_backfill_rows_copied_total counter
tandem_move_backfill_rows_copied_total{move="users"} 190
# HELP tandem_move_backfill_rows_scanned_total Rows of A the backfill read, over every run.
# TYPE tandem_move_backfill_rows_scanned_total counter
tandem_move_backfill_rows_scanned_total{move="users"} 200
# HELP tandem_move_backfill_batches_total Batches the backfill committed, over every run.
# TYPE tandem_move_backfill_batches_total counter
tandem_move_backfill_batches_total{move="users"} 2
# HELP tandem_move_backfill_rows_expected Estimated rows of A up to the bound: what the backfill scans in all.
# TYPE tandem_move_backfill_rows_expected gauge
tandem_move_backfill_rows_expected{move="users"} 1000
# HELP tandem_move_backfill_batch_size_rows The current batch size, in rows; it adapts to the target batch time.
# TYPE tandem_move_backfill_batch_size_rows gauge
tandem_move_backfill_batch_size_rows{move="users"} 200
# HELP tandem_move_backfill_batch_duration_seconds Time each batch took, from its start to its commit.
# TYPE tandem_move_backfill_batch_duration_seconds histogram
tandem_move_backfill_batch_duration_seconds_bucket{move="users",le="0.1"} 1
tandem_move_backfill_batch_duration_seconds_bucket{move="users",le="1"} 1
tandem_move_backfill_batch_duration_seconds_bucket{move="users",le="+Inf"} 2
tandem_move_backfill_batch_duration_seconds_sum{move="users"} 2.05
tandem_move_backfill_batch_duration_seconds_count{move="users"} 2
# HELP tandem_move_backfill_rate_rows_per_second Rows of A scanned per second since this run of the backfill started.
# TYPE tandem_move_backfill_rate_rows_per_second gauge
tandem_move_backfill_rate_rows_per_second{move="users"} 450
# HELP tandem_move_backfill_eta_seconds Estimated time left at the current rate; 0 when unknown.
# TYPE tandem_move_backfill_eta_seconds gauge
tandem_move_backfill_eta_seconds{move="users"} 0
# HELP tandem_move_backfill_throttled Whether the backfill waits, by reason: 1 for the reason it waits for now, 0 for the others.
# TYPE tandem_move_backfill_throttled gauge
tandem_move_backfill_throttled{move="users",reason="pause"} 0
tandem_move_backfill_throttled{move="users",reason="replica_lag"} 1
tandem_move_backfill_throttled{move="users",reason="active_sessions"} 0
tandem_move_backfill_throttled{move="users",reason="check"} 0
tandem_move_backfill_throttled{move="users",reason="other"} 0
# HELP tandem_move_backfill_done 1 once the backfill has copied every row up to the bound.
# TYPE tandem_move_backfill_done gauge
tandem_move_backfill_done{move="users"} 0
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Fatalf("exposition (-want +got):\n%s", diff)
	}
	if _, err := parseExposition(b.String()); err != nil {
		t.Fatalf("the exposition does not parse: %v", err)
	}
	var empty Exporter
	b.Reset()
	if _, err := empty.WriteTo(&b); err != nil || b.Len() != 0 {
		t.Fatalf("a zero Exporter wrote %q, %v; want nothing", b.String(), err)
	}
}

func TestThrottleReason(t *testing.T) {
	paused, err := move.PauseCheck(func(context.Context) (bool, error) { return true, nil })(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ text, want string }{
		{"", ""},
		{paused, ReasonPause},
		{"replica lag 12.3s is above max_replica_lag 10s", ReasonReplicaLag},
		{"51 active sessions on app.users's database, above max_active_sessions 50", ReasonActiveSessions},
		{`the throttle check "SELECT busy FROM ops" returned true`, ReasonCheck},
		{"waiting for a lease", ReasonOther},
	}
	for _, tc := range tests {
		if got := ThrottleReason(tc.text); got != tc.want {
			t.Errorf("ThrottleReason(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestMetricsServeBackfill runs a real backfill that waits once on a custom throttle check,
// scraping the metrics over HTTP while it waits and after it ends.
func TestMetricsServeBackfill(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		tg, _ := movetest.TargetNamed(name)
		t.Run(name, func(t *testing.T) {
			ctx := movetest.Ctx(t)
			m := movetest.NewMove(t, tg)
			movetest.InsertUsers(t, m.A, 1, 250)
			movetest.MustExec(t, m.A.DB, "CREATE TABLE hold (x INTEGER)")
			movetest.MustExec(t, m.A.DB, "INSERT INTO hold VALUES (1)")
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			metrics := &Exporter{}
			metrics.SetPhase(m.Def.Name, tandem.PhaseBackfill)
			srv := httptest.NewServer(metrics)
			defer srv.Close()

			var whileWaiting map[string]float64
			var reports []move.Progress
			bf := &move.Backfiller{
				Move:     m,
				Settings: tandem.MoveBatchSettings{Size: 50},
				Throttle: &move.Poller{Interval: 10 * time.Millisecond, Checks: []move.Check{move.CustomCheck(m.A, "SELECT COUNT(*) > 0 FROM hold")}},
				Progress: func(p move.Progress) {
					metrics.Observe(m.Def.Name, p)
					reports = append(reports, p)
					if p.Throttled != "" && whileWaiting == nil {
						whileWaiting = scrape(t, srv.URL)
						movetest.MustExec(t, m.A.DB, "DELETE FROM hold")
					}
				},
			}
			if err := bf.Run(ctx); err != nil {
				t.Fatal(err)
			}
			if whileWaiting == nil {
				t.Fatal("the backfill never reported that it waited")
			}
			for series, want := range map[string]float64{
				`tandem_move_backfill_throttled{move="users_to_accounts",reason="check"}`: 1,
				`tandem_move_backfill_throttled{move="users_to_accounts",reason="pause"}`: 0,
				`tandem_move_backfill_rows_copied_total{move="users_to_accounts"}`:        0,
				`tandem_move_backfill_done{move="users_to_accounts"}`:                     0,
				`tandem_move_phase{move="users_to_accounts",phase="backfill"}`:            1,
			} {
				if got, ok := whileWaiting[series]; !ok || got != want {
					t.Errorf("while waiting: %s = %v (present %v), want %v", series, got, ok, want)
				}
			}
			cp, err := m.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			batches := 0
			for _, p := range reports {
				if p.BatchTime > 0 {
					batches++
				}
			}
			after := scrape(t, srv.URL)
			for series, want := range map[string]float64{
				`tandem_move_backfill_throttled{move="users_to_accounts",reason="check"}`:                0,
				`tandem_move_backfill_rows_copied_total{move="users_to_accounts"}`:                       float64(cp.RowsCopied),
				`tandem_move_backfill_rows_scanned_total{move="users_to_accounts"}`:                      250,
				`tandem_move_backfill_rows_expected{move="users_to_accounts"}`:                           250,
				`tandem_move_backfill_batches_total{move="users_to_accounts"}`:                           float64(cp.Batches),
				`tandem_move_backfill_batch_duration_seconds_count{move="users_to_accounts"}`:            float64(cp.Batches),
				`tandem_move_backfill_batch_duration_seconds_bucket{move="users_to_accounts",le="+Inf"}`: float64(cp.Batches),
				`tandem_move_backfill_done{move="users_to_accounts"}`:                                    1,
				`tandem_move_backfill_batch_size_rows{move="users_to_accounts"}`:                         float64(reports[len(reports)-1].BatchSize),
				`tandem_move_backfill_batch_duration_seconds_bucket{move="users_to_accounts",le="30"}`:   float64(batches),
				`tandem_move_backfill_rate_rows_per_second{move="users_to_accounts"}`:                    reports[len(reports)-1].Rate,
				`tandem_move_phase{move="users_to_accounts",phase="complete"}`:                           0,
			} {
				if got, ok := after[series]; !ok || got != want {
					t.Errorf("after: %s = %v (present %v), want %v", series, got, ok, want)
				}
			}
			if cp.RowsCopied != 250 || cp.Batches < 2 {
				t.Fatalf("checkpoint %+v: want 250 rows copied in several batches", cp)
			}
			if after[`tandem_move_backfill_batch_duration_seconds_sum{move="users_to_accounts"}`] <= 0 {
				t.Error("the batch duration histogram's sum is not above 0")
			}

			resp, err := http.Post(srv.URL, "text/plain", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("POST: status %d, want 405", resp.StatusCode)
			}
		})
	}
}

// TestMetricsConcurrent observes and scrapes at once (run with -race).
func TestMetricsConcurrent(t *testing.T) {
	m := &Exporter{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				m.Observe(fmt.Sprintf("m%d", w), move.Progress{Copied: int64(i), Scanned: int64(i), Batches: int64(i), BatchTime: time.Millisecond})
				if i%50 == 0 {
					m.SetPhase(fmt.Sprintf("m%d", w), tandem.PhaseBackfill)
				}
			}
		}()
	}
	for range 20 {
		var b strings.Builder
		m.WriteTo(&b)
		if _, err := parseExposition(b.String()); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	var b strings.Builder
	m.WriteTo(&b)
	got, err := parseExposition(b.String())
	if err != nil {
		t.Fatal(err)
	}
	for w := range 4 {
		if v := got[fmt.Sprintf(`tandem_move_backfill_batch_duration_seconds_count{move="m%d"}`, w)]; v != 200 {
			t.Errorf("m%d: %v batches observed, want 200", w, v)
		}
	}
}

// scrape GETs url and parses the exposition.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != ContentType {
		t.Fatalf("GET %s: Content-Type %q, want %q", url, ct, ContentType)
	}
	series, err := parseExposition(string(body))
	if err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, body)
	}
	return series
}

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// parseExposition checks text against the Prometheus text format (0.0.4) as a scraper reads
// it, and returns each series (name{labels} as written) with its value. It checks: HELP and
// TYPE lines before their family's samples, once each; sample names that belong to the
// family; label syntax and escapes; values; no series twice; counters named _total; and
// histograms whose buckets rise with le, are cumulative, end in +Inf and match _count.
func parseExposition(text string) (map[string]float64, error) {
	if text != "" && !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("the text does not end with a line break")
	}
	series := map[string]float64{}
	types := map[string]string{}
	helps := map[string]bool{}
	current := ""
	type bucket struct {
		le, n float64
	}
	buckets := map[string][]bucket{} // by series without le
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		fail := func(format string, args ...any) (map[string]float64, error) {
			return nil, fmt.Errorf("line %d %q: %s", n, line, fmt.Sprintf(format, args...))
		}
		if strings.HasPrefix(line, "#") {
			f := strings.SplitN(line, " ", 4)
			if len(f) < 3 || (f[1] != "HELP" && f[1] != "TYPE") {
				continue // a comment
			}
			if !metricName.MatchString(f[2]) {
				return fail("bad metric name")
			}
			switch f[1] {
			case "HELP":
				if helps[f[2]] {
					return fail("a second HELP")
				}
				helps[f[2]] = true
			case "TYPE":
				if _, ok := types[f[2]]; ok || len(f) != 4 {
					return fail("a second TYPE, or no type")
				}
				switch f[3] {
				case "counter", "gauge", "histogram", "summary", "untyped":
				default:
					return fail("unknown type %q", f[3])
				}
				if f[3] == "counter" && !strings.HasSuffix(f[2], "_total") {
					return fail("a counter not named _total")
				}
				types[f[2]] = f[3]
				current = f[2]
			}
			continue
		}
		if line == "" {
			return fail("an empty line")
		}
		name, rest, _ := strings.Cut(line, " ")
		labels := ""
		if i := strings.IndexByte(line, '{'); i >= 0 && i < len(name)+1 {
			j := strings.LastIndexByte(line, '}')
			if j < i {
				return fail("unclosed labels")
			}
			name, labels, rest = line[:i], line[i+1:j], strings.TrimPrefix(line[j+1:], " ")
		}
		if !metricName.MatchString(name) {
			return fail("bad metric name %q", name)
		}
		family := name
		if types[current] == "histogram" {
			family = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
		}
		if family != current {
			return fail("sample of %s outside its family (TYPE %s is the last)", name, current)
		}
		parsed, err := parseLabels(labels)
		if err != nil {
			return fail("%v", err)
		}
		v, err := strconv.ParseFloat(strings.Fields(rest + " ")[0], 64)
		if err != nil || len(strings.Fields(rest)) > 2 {
			return fail("bad value %q", rest)
		}
		key := name
		if labels != "" {
			key += "{" + labels + "}"
		}
		if _, dup := series[key]; dup {
			return fail("a series written twice")
		}
		series[key] = v
		if strings.HasSuffix(name, "_bucket") && types[current] == "histogram" {
			le, ok := parsed["le"]
			if !ok {
				return fail("a bucket without le")
			}
			bound, err := strconv.ParseFloat(le, 64)
			if err != nil {
				return fail("le %q is not a number", le)
			}
			id := current + "{" + strings.Replace(labels, `,le="`+le+`"`, "", 1) + "}"
			bs := buckets[id]
			if k := len(bs); k > 0 && (bs[k-1].le >= bound || bs[k-1].n > v) {
				return fail("buckets must rise in le and be cumulative")
			}
			buckets[id] = append(bs, bucket{bound, v})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for id, bs := range buckets {
		last := bs[len(bs)-1]
		if !math.IsInf(last.le, 1) {
			return nil, fmt.Errorf("histogram %s: the last bucket is not +Inf", id)
		}
		countKey := strings.Replace(id, "{", "_count{", 1)
		if c, ok := series[countKey]; !ok || c != last.n {
			return nil, fmt.Errorf("histogram %s: _count %v (present %v) is not the +Inf bucket %v", id, c, ok, last.n)
		}
		if _, ok := series[strings.Replace(id, "{", "_sum{", 1)]; !ok {
			return nil, fmt.Errorf("histogram %s: no _sum", id)
		}
	}
	return series, nil
}

// parseLabels reads name="value",... with the format's escapes (\\, \", \n).
func parseLabels(s string) (map[string]string, error) {
	out := map[string]string{}
	for s != "" {
		name, rest, ok := strings.Cut(s, `="`)
		if !ok || !labelName.MatchString(name) {
			return nil, fmt.Errorf("bad label in %q", s)
		}
		var v strings.Builder
		i := 0
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' {
				i++
				if i == len(rest) {
					return nil, fmt.Errorf("a trailing backslash in %q", s)
				}
				switch rest[i] {
				case '\\', '"':
					v.WriteByte(rest[i])
				case 'n':
					v.WriteByte('\n')
				default:
					return nil, fmt.Errorf("unknown escape \\%c in %q", rest[i], s)
				}
				continue
			}
			v.WriteByte(rest[i])
		}
		if i == len(rest) {
			return nil, fmt.Errorf("unclosed label value in %q", s)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("label %s twice", name)
		}
		out[name] = v.String()
		s = strings.TrimPrefix(rest[i+1:], ",")
	}
	return out, nil
}

// TestParseExposition makes sure the checker above refuses what a scraper refuses.
func TestParseExposition(t *testing.T) {
	bad := map[string]string{
		"no TYPE":               "x_total 1\n",
		"counter not _total":    "# TYPE x counter\nx 1\n",
		"bad value":             "# TYPE x gauge\nx one\n",
		"bad escape":            "# TYPE x gauge\nx{a=\"\\t\"} 1\n",
		"unclosed":              "# TYPE x gauge\nx{a=\"b} 1\n",
		"twice":                 "# TYPE x gauge\nx{a=\"b\"} 1\nx{a=\"b\"} 2\n",
		"not cumulative":        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
		"no +Inf":               "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n",
		"count differs":         "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
		"no final line break":   "# TYPE x gauge\nx 1",
		"sample of another one": "# TYPE x gauge\ny 1\n",
	}
	for name, text := range bad {
		if _, err := parseExposition(text); err == nil {
			t.Errorf("%s: accepted %q", name, text)
		}
	}
	good := "# HELP h a \\\\ help\n# TYPE h histogram\nh_bucket{a=\"x\\\"y\",le=\"1\"} 1\nh_bucket{a=\"x\\\"y\",le=\"+Inf\"} 2\nh_sum{a=\"x\\\"y\"} 3.5\nh_count{a=\"x\\\"y\"} 2\n"
	if _, err := parseExposition(good); err != nil {
		t.Errorf("refused %q: %v", good, err)
	}
}
