package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
)

// ShadowOptions configure a Shadow. Zero values take the defaults, except Rate: 0 compares
// nothing.
type ShadowOptions struct {
	// Rate is the fraction of the reads offered to Sample that are compared, from 0 (none) to 1
	// (every one). SetRate changes it while the Shadow runs.
	Rate float64
	// Queue bounds the sampled keys waiting to be compared (default 256); a key sampled while it
	// is full is dropped and counted, so that a slow database never slows the application.
	Queue int
	// Workers is the number of comparisons run at once (default 2): each holds at most one
	// connection to each database.
	Workers int
	// Timeout bounds one comparison (default 5s).
	Timeout time.Duration
	// ConfirmAfter is how long after a first comparison that found a difference the key is
	// compared again (default 500ms); only a difference seen both times is counted. Across two
	// databases this lets the outbox reconciler catch up with a write in flight.
	ConfirmAfter time.Duration
	// LogEvery allows one log line about differences, and one about errors, per period
	// (default 1s); lines held back are counted in the next one. Negative: never log.
	LogEvery time.Duration
	// Recent is how many of the latest differences Stats lists (default 20).
	Recent int
	// OnDifference, when set, is called with every confirmed difference, from a Shadow
	// goroutine: a hook for metrics or alerts. It must not block for long.
	OnDifference func(ShadowFinding)
	// Log receives the rate-limited lines (default: the Client's logger).
	Log *slog.Logger
}

// Shadow compares, for a sample of the application's reads, B's row with mapping(A's row), and
// counts what it finds. The application offers the key of every read it serves to Sample; a
// sampled key is compared later by a Shadow goroutine, in the databases, the way tandem move
// verify compares rows (move.Comparer). Comparisons run only while the switches write both
// tables (dual-write, backfill, verified, read-b): A is then authoritative and B must follow it.
//
// A Shadow never fails or delays the request that offered the key: Sample costs a random
// number and an atomic load when the read is not sampled, and a non-blocking send when it is.
// It is safe for concurrent use. Close stops its goroutines.
type Shadow struct {
	client *Client
	mv     *move.Move
	name   string
	opts   ShadowOptions

	threshold atomic.Uint64 // a read is sampled when rand.Uint64() < threshold; MaxUint64: every read
	rate      atomic.Uint64 // math.Float64bits of the rate, for Stats
	closed    atomic.Bool
	queue     chan move.Key
	rechecks  chan recheck

	sampled, skipped, dropped                                 atomic.Int64
	matches, absent, mismatches, missing, extra, notYetCopied atomic.Int64
	rechecked, settled, errs                                  atomic.Int64

	cmpMu sync.Mutex
	cmp   *move.Comparer // resolved on first use, and again after an error

	recentMu sync.Mutex
	recent   []ShadowFinding // the latest differences, oldest first

	diffLog, errLog limiter

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// recheck is a key whose first comparison found a difference, due for a second one.
type recheck struct {
	key move.Key
	due time.Time
}

// ShadowFinding is one confirmed difference between B and mapping(A).
type ShadowFinding struct {
	Move string
	Key  move.Key
	// Kind is move.Different, move.MissingInB or move.ExtraInB.
	Kind move.DiffKind
	// Columns are B's columns that differ (move.Different only).
	Columns []string
	// Phase is the move's phase when the difference was confirmed.
	Phase tandem.Phase
	At    time.Time
}

// String renders the finding for logs and status pages.
func (f ShadowFinding) String() string {
	s := fmt.Sprintf("move %s: key %s: %s", f.Move, f.Key, f.Kind)
	if len(f.Columns) > 0 {
		s += fmt.Sprintf(" %v", f.Columns)
	}
	return s + " (in " + string(f.Phase) + ")"
}

// ShadowStats is a snapshot of a Shadow's counters. Every compared key counts in exactly one
// of Matches, Absent, Mismatches, Missing, Extra and NotYetCopied.
type ShadowStats struct {
	Move string
	Rate float64
	// Sampled counts the reads chosen by the rate; of those, Skipped were not compared because
	// the switches did not write both tables, and Dropped because a queue was full or the
	// Shadow was closing.
	Sampled, Skipped, Dropped int64
	// Queued is the number of keys waiting now.
	Queued int
	// Matches: B's row equals mapping(A's row). Absent: neither table has the row.
	Matches, Absent int64
	// Mismatches: both tables have the row and some mapped column differs.
	Mismatches int64
	// Missing: A has the row and B has not, from verified on (a lost write). Before verified,
	// such a row counts in NotYetCopied: the backfill may not have reached it yet.
	Missing, NotYetCopied int64
	// Extra: B has a row that A has not (a lost delete).
	Extra int64
	// Rechecked counts first comparisons that found a difference; Settled those that were equal
	// on the second comparison (a write in flight), counted in Matches or Absent.
	Rechecked, Settled int64
	// Errors counts comparisons that failed (see the log); they count in nothing else.
	Errors int64
	// Recent lists the latest confirmed differences, oldest first.
	Recent []ShadowFinding
}

// Compared is the number of keys compared to a conclusion.
func (s ShadowStats) Compared() int64 {
	return s.Matches + s.Absent + s.Mismatches + s.Missing + s.Extra + s.NotYetCopied
}

// Differences is the number of keys where B was found not to follow A: Mismatches, Missing and
// Extra. It is zero on a healthy move.
func (s ShadowStats) Differences() int64 { return s.Mismatches + s.Missing + s.Extra }

// NewShadow starts shadow reads for the move of m, which m.Client must follow. It fails on a
// rate outside [0, 1]. The move's tables are first read by the first comparison, so a Shadow
// can be created before B exists.
func NewShadow(m *Mirror, o ShadowOptions) (*Shadow, error) {
	if m == nil || m.Client == nil || m.Move == nil || m.Move.Def == nil {
		return nil, errors.New("NewShadow needs a Mirror with its Client and Move")
	}
	name := m.Move.Def.Name
	if _, err := m.Client.State(name); err != nil {
		return nil, err
	}
	if err := checkRate(o.Rate); err != nil {
		return nil, err
	}
	o = o.withDefaults(m.Client.opts.Log)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Shadow{client: m.Client, mv: m.Move, name: name, opts: o, cancel: cancel,
		queue: make(chan move.Key, o.Queue), rechecks: make(chan recheck, o.Queue),
		diffLog: limiter{every: o.LogEvery}, errLog: limiter{every: o.LogEvery}}
	s.SetRate(o.Rate)
	s.wg.Add(o.Workers + 1)
	for range o.Workers {
		go s.work(ctx)
	}
	go s.confirm(ctx)
	return s, nil
}

func (o ShadowOptions) withDefaults(log *slog.Logger) ShadowOptions {
	if o.Queue <= 0 {
		o.Queue = 256
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.ConfirmAfter <= 0 {
		o.ConfirmAfter = 500 * time.Millisecond
	}
	if o.LogEvery == 0 {
		o.LogEvery = time.Second
	}
	if o.Recent <= 0 {
		o.Recent = 20
	}
	if o.Log == nil {
		o.Log = log
	}
	return o
}

func checkRate(r float64) error {
	if math.IsNaN(r) || r < 0 || r > 1 {
		return fmt.Errorf("shadow read rate %v is not a fraction; write a number from 0 (off) to 1 (every read)", r)
	}
	return nil
}

// SetRate changes the fraction of reads that are compared; 0 turns shadow reads off. It fails
// on a rate outside [0, 1], and changes nothing then.
func (s *Shadow) SetRate(r float64) error {
	if err := checkRate(r); err != nil {
		return err
	}
	var t uint64
	switch {
	case r >= 1:
		t = math.MaxUint64
	case r > 0:
		t = uint64(r * (1 << 64)) // below 2^64 for every r < 1
	}
	s.rate.Store(math.Float64bits(r))
	s.threshold.Store(t)
	return nil
}

// Sample offers the key (A's key values, in key order) of a read the application just served,
// whether it found a row or not. It reports whether the key was queued for a comparison. It
// never blocks; the key is copied when it is queued.
func (s *Shadow) Sample(key move.Key) bool {
	t := s.threshold.Load()
	if t == 0 || t != math.MaxUint64 && rand.Uint64() >= t {
		return false
	}
	s.sampled.Add(1)
	if s.closed.Load() {
		s.dropped.Add(1)
		return false
	}
	if sw := s.client.Switches(s.name); !bothWritten(sw) {
		s.skipped.Add(1)
		return false
	}
	select {
	case s.queue <- slices.Clone(key):
		return true
	default:
		s.dropped.Add(1)
		return false
	}
}

// bothWritten reports whether the switches write A and B: the phases in which B must follow A.
func bothWritten(sw tandem.Switches) bool { return sw.WriteA && sw.WriteB }

// Stats returns a snapshot of the counters and the latest differences.
func (s *Shadow) Stats() ShadowStats {
	st := ShadowStats{
		Move: s.name, Rate: math.Float64frombits(s.rate.Load()),
		Sampled: s.sampled.Load(), Skipped: s.skipped.Load(), Dropped: s.dropped.Load(),
		Queued:  len(s.queue) + len(s.rechecks),
		Matches: s.matches.Load(), Absent: s.absent.Load(), Mismatches: s.mismatches.Load(),
		Missing: s.missing.Load(), NotYetCopied: s.notYetCopied.Load(), Extra: s.extra.Load(),
		Rechecked: s.rechecked.Load(), Settled: s.settled.Load(), Errors: s.errs.Load(),
	}
	s.recentMu.Lock()
	st.Recent = slices.Clone(s.recent)
	s.recentMu.Unlock()
	return st
}

// Close stops sampling and the Shadow's goroutines, abandoning the comparisons in flight and
// the keys still queued, and returns when every goroutine has ended. It is idempotent.
func (s *Shadow) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.threshold.Store(0)
	s.cancel()
	s.wg.Wait()
	return nil
}

// work compares queued keys until Close.
func (s *Shadow) work(ctx context.Context) {
	defer s.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case k := <-s.queue:
			s.first(ctx, k)
		}
	}
}

// first compares a key once: a difference is handed to confirm, anything else is counted.
func (s *Shadow) first(ctx context.Context, k move.Key) {
	phase, ok := s.phase()
	if !ok {
		s.skipped.Add(1)
		return
	}
	res, err := s.compare(ctx, k)
	if err != nil {
		s.fail(ctx, k, err)
		return
	}
	if res.Equal() {
		s.count(phase, res, false)
		return
	}
	s.rechecked.Add(1)
	select {
	case s.rechecks <- recheck{key: k, due: time.Now().Add(s.opts.ConfirmAfter)}:
	default:
		s.dropped.Add(1)
	}
}

// confirm compares again, ConfirmAfter later, each key whose first comparison differed. Keys
// arrive in the order they fall due, so one goroutine waits for each in turn.
func (s *Shadow) confirm(ctx context.Context) {
	defer s.wg.Done()
	for {
		var rc recheck
		select {
		case <-ctx.Done():
			return
		case rc = <-s.rechecks:
		}
		if wait := time.Until(rc.due); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		phase, ok := s.phase()
		if !ok {
			s.skipped.Add(1)
			continue
		}
		res, err := s.compare(ctx, rc.key)
		if err != nil {
			s.fail(ctx, rc.key, err)
			continue
		}
		s.count(phase, res, true)
	}
}

// phase returns the move's phase, and whether it writes both tables.
func (s *Shadow) phase() (tandem.Phase, bool) {
	st, err := s.client.State(s.name)
	return st.Phase, err == nil && bothWritten(st.Switches)
}

// compare runs one comparison of k, resolving the mapping first when needed.
func (s *Shadow) compare(ctx context.Context, k move.Key) (move.KeyCheck, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	s.cmpMu.Lock()
	c := s.cmp
	if c == nil {
		var err error
		if c, err = s.mv.Comparer(ctx); err != nil {
			s.cmpMu.Unlock()
			return move.KeyCheck{}, err
		}
		s.cmp = c
	}
	s.cmpMu.Unlock()
	res, err := c.CompareKey(ctx, k)
	if err != nil {
		// A table or column may have changed under the move: resolve the mapping again next time.
		s.cmpMu.Lock()
		if s.cmp == c {
			s.cmp = nil
		}
		s.cmpMu.Unlock()
	}
	return res, err
}

// count records the outcome of a comparison; second says it was the confirming one.
func (s *Shadow) count(phase tandem.Phase, res move.KeyCheck, second bool) {
	if res.Equal() {
		if second {
			s.settled.Add(1)
		}
		if res.InA {
			s.matches.Add(1)
		} else {
			s.absent.Add(1)
		}
		return
	}
	switch res.Kind {
	case move.MissingInB:
		if phase == tandem.PhaseDualWrite || phase == tandem.PhaseBackfill {
			s.notYetCopied.Add(1)
			return
		}
		s.missing.Add(1)
	case move.ExtraInB:
		s.extra.Add(1)
	default:
		s.mismatches.Add(1)
	}
	f := ShadowFinding{Move: s.name, Key: res.Key, Kind: res.Kind, Columns: res.Columns, Phase: phase, At: time.Now()}
	s.recentMu.Lock()
	if len(s.recent) >= s.opts.Recent {
		s.recent = slices.Delete(s.recent, 0, len(s.recent)-s.opts.Recent+1)
	}
	s.recent = append(s.recent, f)
	s.recentMu.Unlock()
	if held, ok := s.diffLog.allow(); ok {
		s.opts.Log.Warn("shadow read: B does not follow mapping(A)", "move", s.name, "key", f.Key.String(), "kind", string(f.Kind),
			"columns", f.Columns, "phase", string(phase), "held_back", held,
			"hint", "tandem move verify lists every differing row; tandem move repair re-copies them")
	}
	if s.opts.OnDifference != nil {
		s.opts.OnDifference(f)
	}
}

// fail counts a comparison that could not be made; one abandoned by Close is not an error.
func (s *Shadow) fail(ctx context.Context, k move.Key, err error) {
	if ctx.Err() != nil {
		s.dropped.Add(1)
		return
	}
	s.errs.Add(1)
	if held, ok := s.errLog.allow(); ok {
		s.opts.Log.Warn("shadow read failed", "move", s.name, "key", k.String(), "err", err, "held_back", held)
	}
}

// limiter lets one event through per period and counts the others.
type limiter struct {
	every time.Duration
	mu    sync.Mutex
	last  time.Time
	held  int
}

// allow reports whether an event may be logged now, with how many were held back since the
// last one that was.
func (l *limiter) allow() (held int, ok bool) {
	if l.every < 0 {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := time.Now(); l.last.IsZero() || now.Sub(l.last) >= l.every {
		held, l.last, l.held = l.held, now, 0
		return held, true
	}
	l.held++
	return 0, false
}
