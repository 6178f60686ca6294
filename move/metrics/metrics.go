package metrics

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
)

// Exporter exposes the phase and backfill progress of moves in the Prometheus text exposition
// format (version 0.0.4), written by hand so that a program need not link a metrics library.
// Feed it from a Backfiller (Progress: exporter.Progress(name)) and, when the phase is known,
// SetPhase; serve it with http.Handle("/metrics", exporter), or append it to a page of other
// metrics with WriteTo. The zero value is ready to use; it is safe for concurrent use.
//
// Every series carries a move label. The families:
//
//	tandem_move_phase{phase}                          1 for the move's phase, 0 for the others
//	tandem_move_backfill_rows_copied_total            rows inserted into B (counter)
//	tandem_move_backfill_rows_scanned_total           rows of A read (counter)
//	tandem_move_backfill_batches_total                committed batches (counter)
//	tandem_move_backfill_rows_expected                estimated rows of A up to the bound
//	tandem_move_backfill_batch_size_rows              the current batch size
//	tandem_move_backfill_batch_duration_seconds       time per batch (histogram)
//	tandem_move_backfill_rate_rows_per_second         rows of A scanned per second in this run
//	tandem_move_backfill_eta_seconds                  estimated time left (0 when unknown)
//	tandem_move_backfill_throttled{reason}            1 for the reason the backfill waits now
//	tandem_move_backfill_done                         1 once every row up to the bound is copied
//
// The counters continue the checkpoint's totals, which cover every run of the backfill, so a
// resumed backfill does not count from zero; they never decrease within a process.
type Exporter struct {
	// Buckets are the upper bounds, in seconds and increasing, of the batch duration
	// histogram; nil means DefaultBuckets. Set before the first Observe.
	Buckets []float64

	mu    sync.Mutex
	moves map[string]*moveSeries
}

// DefaultBuckets are the batch duration histogram's upper bounds, in seconds: around the
// default target batch time of 250ms, up to batches that hold locks far too long.
var DefaultBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Throttle reasons, the values of the reason label of tandem_move_backfill_throttled. A free
// text reason would make a new series for every number in it.
const (
	ReasonPause          = "pause"           // the move's pause switch
	ReasonReplicaLag     = "replica_lag"     // throttle max_replica_lag
	ReasonActiveSessions = "active_sessions" // throttle max_active_sessions
	ReasonCheck          = "check"           // the throttle's custom check
	ReasonOther          = "other"           // any other reason (a Throttler of the caller's)
)

var throttleReasons = []string{ReasonPause, ReasonReplicaLag, ReasonActiveSessions, ReasonCheck, ReasonOther}

// ThrottleReason classifies a move.Progress.Throttled text as one of the Reason constants, or ""
// when the backfill does not wait.
func ThrottleReason(throttled string) string {
	switch {
	case throttled == "":
		return ""
	case strings.HasPrefix(throttled, "paused by the pause switch"):
		return ReasonPause
	case strings.HasPrefix(throttled, "replica lag "):
		return ReasonReplicaLag
	case strings.Contains(throttled, " active sessions on ") && strings.Contains(throttled, "max_active_sessions"):
		return ReasonActiveSessions
	case strings.HasPrefix(throttled, "the throttle check "):
		return ReasonCheck
	}
	return ReasonOther
}

// moveSeries holds the last values seen for one move.
type moveSeries struct {
	phase                   tandem.Phase // "" until SetPhase
	progress                bool         // a Progress was observed
	copied, scanned, batchN int64
	expected                int64
	batchSize               int
	rate                    float64
	eta                     float64
	reason                  string
	done                    bool
	bucketN                 []uint64 // observations per bucket, not cumulative; the last is +Inf
	sum                     float64
	count                   uint64
}

func (m *Exporter) series(move string) *moveSeries {
	if m.moves == nil {
		m.moves = map[string]*moveSeries{}
	}
	s := m.moves[move]
	if s == nil {
		s = &moveSeries{bucketN: make([]uint64, len(m.buckets())+1)}
		m.moves[move] = s
	}
	return s
}

func (m *Exporter) buckets() []float64 {
	if m.Buckets == nil {
		return DefaultBuckets
	}
	return m.Buckets
}

// Observe records a progress report of the backfill of the move named name.
func (m *Exporter) Observe(name string, p move.Progress) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.series(name)
	s.progress = true
	s.copied = max(s.copied, p.Copied)
	s.scanned = max(s.scanned, p.Scanned)
	s.batchN = max(s.batchN, p.Batches)
	s.expected = max(p.Total, 0)
	s.batchSize = p.BatchSize
	s.rate = p.Rate
	s.eta = p.ETA.Seconds()
	s.reason = ThrottleReason(p.Throttled)
	s.done = p.Done
	if p.BatchTime > 0 {
		secs := p.BatchTime.Seconds()
		i := sort.SearchFloat64s(m.buckets(), secs) // the first bound >= secs
		s.bucketN[i]++
		s.sum += secs
		s.count++
	}
}

// Progress returns a function that records the progress reports of the move named name, for
// Backfiller.Progress (or to call from one).
func (m *Exporter) Progress(name string) func(move.Progress) {
	return func(p move.Progress) { m.Observe(name, p) }
}

// SetPhase records the phase move is in.
func (m *Exporter) SetPhase(move string, phase tandem.Phase) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.series(move).phase = phase
}

// ContentType is the media type of the text WriteTo writes.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// ServeHTTP writes the metrics for GET and HEAD requests.
func (m *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "move: metrics are read with GET", http.StatusMethodNotAllowed)
		return
	}
	var buf bytes.Buffer
	m.WriteTo(&buf)
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	if r.Method == http.MethodGet {
		w.Write(buf.Bytes())
	}
}

// family is one metric family: its name, type and help, and either value, the one sample of a
// move that has reported progress, or samples, which writes a move's samples itself.
type family struct {
	name, typ, help string
	value           func(s *moveSeries) float64
	samples         func(e *expo, name, move string, s *moveSeries)
}

var families = []family{
	{name: "tandem_move_phase", typ: "gauge", help: "The phase of the move: 1 for the phase it is in, 0 for the others.", samples: phaseSamples},
	{name: "tandem_move_backfill_rows_copied_total", typ: "counter", help: "Rows the backfill inserted into B, over every run.",
		value: func(s *moveSeries) float64 { return float64(s.copied) }},
	{name: "tandem_move_backfill_rows_scanned_total", typ: "counter", help: "Rows of A the backfill read, over every run.",
		value: func(s *moveSeries) float64 { return float64(s.scanned) }},
	{name: "tandem_move_backfill_batches_total", typ: "counter", help: "Batches the backfill committed, over every run.",
		value: func(s *moveSeries) float64 { return float64(s.batchN) }},
	{name: "tandem_move_backfill_rows_expected", typ: "gauge", help: "Estimated rows of A up to the bound: what the backfill scans in all.",
		value: func(s *moveSeries) float64 { return float64(s.expected) }},
	{name: "tandem_move_backfill_batch_size_rows", typ: "gauge", help: "The current batch size, in rows; it adapts to the target batch time.",
		value: func(s *moveSeries) float64 { return float64(s.batchSize) }},
	{name: "tandem_move_backfill_batch_duration_seconds", typ: "histogram", help: "Time each batch took, from its start to its commit.", samples: histogramSamples},
	{name: "tandem_move_backfill_rate_rows_per_second", typ: "gauge", help: "Rows of A scanned per second since this run of the backfill started.",
		value: func(s *moveSeries) float64 { return s.rate }},
	{name: "tandem_move_backfill_eta_seconds", typ: "gauge", help: "Estimated time left at the current rate; 0 when unknown.",
		value: func(s *moveSeries) float64 { return s.eta }},
	{name: "tandem_move_backfill_throttled", typ: "gauge", help: "Whether the backfill waits, by reason: 1 for the reason it waits for now, 0 for the others.", samples: throttledSamples},
	{name: "tandem_move_backfill_done", typ: "gauge", help: "1 once the backfill has copied every row up to the bound.",
		value: func(s *moveSeries) float64 { return boolValue(s.done) }},
}

func phaseSamples(e *expo, name, move string, s *moveSeries) {
	if s.phase == "" {
		return
	}
	for _, p := range tandem.Phases {
		e.sample(name, boolValue(p == s.phase), "move", move, "phase", string(p))
	}
}

func throttledSamples(e *expo, name, move string, s *moveSeries) {
	if !s.progress {
		return
	}
	for _, r := range throttleReasons {
		e.sample(name, boolValue(r == s.reason), "move", move, "reason", r)
	}
}

func histogramSamples(e *expo, name, move string, s *moveSeries) {
	if !s.progress {
		return
	}
	var cum uint64
	for i, b := range e.bounds {
		cum += s.bucketN[i]
		e.sample(name+"_bucket", float64(cum), "move", move, "le", formatValue(b))
	}
	e.sample(name+"_bucket", float64(s.count), "move", move, "le", "+Inf")
	e.sample(name+"_sum", s.sum, "move", move)
	e.sample(name+"_count", float64(s.count), "move", move)
}

// WriteTo writes every family that has samples, moves in name order, in the text exposition
// format. It implements io.WriterTo.
func (m *Exporter) WriteTo(w io.Writer) (int64, error) {
	m.mu.Lock()
	names := make([]string, 0, len(m.moves))
	for name := range m.moves {
		names = append(names, name)
	}
	sort.Strings(names)
	e := &expo{bounds: m.buckets()}
	for _, f := range families {
		e.body.Reset()
		for _, move := range names {
			switch s := m.moves[move]; {
			case f.samples != nil:
				f.samples(e, f.name, move, s)
			case s.progress:
				e.sample(f.name, f.value(s), "move", move)
			}
		}
		if e.body.Len() == 0 {
			continue
		}
		fmt.Fprintf(&e.out, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.typ)
		e.out.Write(e.body.Bytes())
	}
	m.mu.Unlock()
	n, err := w.Write(e.out.Bytes())
	return int64(n), err
}

// expo builds an exposition: the samples of the family being written go to body, then out.
type expo struct {
	out, body bytes.Buffer
	bounds    []float64
}

// sample writes one line: name{label="value",...} value. labels alternate names and values.
func (e *expo) sample(name string, v float64, labels ...string) {
	e.body.WriteString(name)
	if len(labels) > 0 {
		e.body.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				e.body.WriteByte(',')
			}
			e.body.WriteString(labels[i] + `="` + escapeLabel(labels[i+1]) + `"`)
		}
		e.body.WriteByte('}')
	}
	e.body.WriteString(" " + formatValue(v) + "\n")
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// formatValue writes a sample value as Prometheus reads it: Go's shortest float, +Inf, -Inf, NaN.
func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
