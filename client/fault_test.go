package client_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/client"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/store/redisstore"
)

var (
	faultKills    = flag.Int("faultkills", 20, "how many times TestMoveSurvivesFaults kills the backfill process (kill -9) per database pair; the table grows with it")
	faultContinue = flag.Bool("faultcontinue", false, "TestMoveSurvivesFaults goes on after a check finds problems, to show every later one too")
)

// TestMoveSurvivesFaults is the fault scenario of online table moves, on PostgreSQL, on
// MariaDB, and from MariaDB to PostgreSQL. The switches live in a private redis-server without
// persistence. Four writers on two application instances insert, update and delete through
// client.Mirror the whole time, each key owned by one writer, which knows what the table
// that is authoritative must hold and checks it at every write (an update or delete must find
// its row, an insert must not). The coordinator walks pending -> dual-write -> backfill, where
// the backfill runs as a separate process killed with kill -9 at random moments (-faultkills,
// default 20) and is then resumed to the end, with Redis killed and restarted empty in the
// middle; then verified (B must equal the test's rows exactly), read-b, write-b, where Redis is
// killed and restarted empty again; then the rollback to read-b (A must hold every row written
// while B alone was written), and forward again to complete (B must hold every row). No row may
// be lost, duplicated, resurrected or stale at any check, nor at any write.
//
// The long version: go test ./client -run TestMoveSurvivesFaults -faultkills=200 -timeout 60m
func TestMoveSurvivesFaults(t *testing.T) {
	for _, c := range faultCases {
		t.Run(c.name, func(t *testing.T) { newFault(t, c, *faultKills).run() })
	}
}

// Sizes of the scenario.
const (
	faultWriters = 4
	faultApps    = 2
)

// fault is one run of the scenario.
type fault struct {
	t          *testing.T
	c          faultCase
	ctx        context.Context
	kills      int
	urlA, urlB string
	m          *move.Move
	port       int
	srv        *exec.Cmd
	store      *redisstore.Store
	co         *coord.Driver
	log        *faultLog // the coordinator's
	helperLog  *faultLog // every backfill process's stderr
	o          *oracle
	writers    []*faultWriter

	gate     sync.RWMutex // writers and the reconciler hold it shared; a check holds it alone
	hot      atomic.Int64
	stop     chan struct{}
	wg       sync.WaitGroup
	restarts int
	runs     int
	landed   int
	// backfillEpoch is the epoch of the backfill phase, which the store must hold again after
	// Redis restarted during the backfill.
	backfillEpoch int64
	delay         time.Duration // the last delay before a kill's random moment
	start         time.Time
	stages        []string
}

func newFault(t *testing.T, c faultCase, kills int) *fault {
	f := &fault{t: t, c: c, ctx: context.Background(), kills: kills, log: &faultLog{}, helperLog: &faultLog{}, stop: make(chan struct{}), start: time.Now()}
	f.urlA = c.a.url(t)
	f.urlB = f.urlA
	if !c.shared {
		f.urlB = c.b.url(t)
	}
	dbA, dbB := testdb.Open(t, f.urlA), testdb.Open(t, f.urlB)
	var err error
	if f.m, err = newFaultMove(c, dbA, dbB, killedBatch); err != nil {
		t.Fatal(err)
	}
	mustExec(t, f.m.A.DB, "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100) NOT NULL, email varchar(200) NOT NULL)")
	mustExec(t, f.m.B.DB, "CREATE TABLE accounts (id bigint PRIMARY KEY, full_name varchar(100) NOT NULL, email_lower varchar(200) NOT NULL)")
	// Enough rows that the killed backfill (at most 2000 rows a second, killed 0 to 330ms after
	// it is ready to copy) cannot finish before the last kill.
	rows := max(20000, 1000*kills)
	f.insertRows(rows)
	f.o = newOracle(rows+rows/10, rows, faultWriters)
	if err := f.m.EnsureLogs(f.ctx); err != nil {
		t.Fatal(err)
	}

	f.port = freePort(t)
	f.srv = startRedis(t, f.port)
	rc := redis.NewClient(&redis.Options{Addr: f.redisAddr(), DialTimeout: time.Second})
	t.Cleanup(func() { rc.Close() })
	f.store = redisstore.New(rc, redisstore.Options{})
	f.co = &coord.Driver{Move: f.m, Store: f.store, Grace: 300 * time.Millisecond, AckTimeout: 30 * time.Second, By: "fault test",
		Log: slog.New(slog.NewTextHandler(f.log, nil))}
	var mirrors []*client.Mirror
	for i := range faultApps {
		app := f.follow(fmt.Sprintf("app-%d", i+1), 3*time.Second)
		mirrors = append(mirrors, &client.Mirror{Client: app, Move: f.m})
	}
	for w := range faultWriters {
		f.writers = append(f.writers, &faultWriter{id: w, o: f.o, mirror: mirrors[w%faultApps], rng: rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano()))), hot: &f.hot})
	}
	t.Cleanup(f.stopWriters)
	return f
}

func (f *fault) redisAddr() string { return fmt.Sprintf("127.0.0.1:%d", f.port) }

// follow starts an application instance that follows the move.
func (f *fault) follow(name string, ttl time.Duration) *client.Client {
	app, err := client.New(f.ctx, f.store, client.Options{Instance: name, CodeVersion: "2.0", HeartbeatEvery: 100 * time.Millisecond, TTL: ttl, PollEvery: 100 * time.Millisecond}, f.m.Def.Name)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { app.Close() })
	return app
}

func (f *fault) insertRows(n int) {
	a := f.m.A
	tx, err := a.DB.BeginTx(f.ctx, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	defer tx.Rollback()
	for lo := 1; lo <= n; lo += 500 {
		var vals []string
		var args []any
		for id := lo; id <= min(n, lo+499); id++ {
			name, email := rowValues(int64(id), 0)
			p := len(args)
			vals = append(vals, "("+a.Dialect.Placeholder(p+1)+", "+a.Dialect.Placeholder(p+2)+", "+a.Dialect.Placeholder(p+3)+")")
			args = append(args, id, name, email)
		}
		if _, err := tx.ExecContext(f.ctx, "INSERT INTO "+a.Dialect.Qualify(a.Schema, a.Table)+" (id, name, email) VALUES "+strings.Join(vals, ", "), args...); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		f.t.Fatal(err)
	}
}

// stage records how long the scenario took to get here.
func (f *fault) stage(what string) {
	f.stages = append(f.stages, fmt.Sprintf("%s %.1fs", what, time.Since(f.start).Seconds()))
	f.t.Logf("%.1fs: %s", time.Since(f.start).Seconds(), what)
}

func (f *fault) run() {
	f.startWriters()
	f.stage("setup")
	f.advance(tandem.PhaseDualWrite, coord.AdvanceOptions{})
	f.advance(tandem.PhaseBackfill, coord.AdvanceOptions{})
	f.backfillUnderKills()
	f.stage(fmt.Sprintf("backfill (%d kills)", f.runs))
	f.resumeBackfill()
	f.stage("backfill resumed")

	f.advance(tandem.PhaseVerified, coord.AdvanceOptions{})
	f.stage("entered verified")
	f.check("at verified", "A", "B")
	f.stage("verified")

	f.advance(tandem.PhaseReadB, coord.AdvanceOptions{})
	f.advance(tandem.PhaseWriteB, coord.AdvanceOptions{})
	time.Sleep(400 * time.Millisecond) // writes to B alone
	f.restartRedis()
	late := f.follow("app-late", 600*time.Millisecond)
	if st, _ := late.State(f.m.Def.Name); st.Switches != tandem.SwitchesA || st.Version != 0 {
		f.t.Fatalf("an instance started on the restarted Redis reads %s at version %d; the test expects the empty store's 1100 at version 0", st.Switches, st.Version)
	}
	// Its writes wait for the restore: one that went to A alone now would be lost. (The key is
	// outside the writers' keys: if it were written, the next check would say so.)
	lateMirror := &client.Mirror{Client: late, Move: f.m, HoldFor: 200 * time.Millisecond}
	outside := int64(len(f.o.keys))
	err := lateMirror.Write(f.ctx, move.Key{outside}, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(f.ctx, "INSERT INTO "+f.m.A.Dialect.Qualify(f.m.A.Schema, f.m.A.Table)+" (id, name, email) VALUES ("+f.m.A.Dialect.Placeholder(1)+", 'late', 'late@x.io')", outside)
		return err
	}, nil)
	if !errors.Is(err, client.ErrWritesHeld) {
		f.fatalf("a write of the instance started on the empty store: %v; want it held (client.ErrWritesHeld)", err)
	}
	time.Sleep(200 * time.Millisecond) // writes to B alone, on the switches the instances kept
	for _, w := range f.writers {
		if got := w.mirror.Client.Switches(f.m.Def.Name); got != tandem.SwitchesB {
			f.t.Fatalf("after Redis restarted empty, instance %s switched to %s; it must keep 0011", w.mirror.Client.Instance(), got)
		}
	}
	restoresBefore := f.restores()
	st, err := f.co.Rollback(f.ctx, "fault test: roll back from write-b")
	if err != nil || st.Phase != tandem.PhaseReadB {
		f.fatalf("rollback from write-b: %v %v", st.Phase, err)
	}
	if f.restores() != restoresBefore+1 {
		f.fatalf("the rollback after Redis restarted in write-b did not log that it restored the store (%d restores logged before, %d after)", restoresBefore, f.restores())
	}
	eventually(f.t, 3*time.Second, "the instance started on the empty store did not take the restored state and the rollback", func() bool {
		return late.Switches(f.m.Def.Name) == tandem.SwitchesReadB
	})
	late.Close()
	f.check("after the rollback from write-b", "A", "B")
	f.stage("rolled back from write-b")

	f.advance(tandem.PhaseWriteB, coord.AdvanceOptions{})
	time.Sleep(300 * time.Millisecond)
	f.advance(tandem.PhaseComplete, coord.AdvanceOptions{Confirm: true})
	time.Sleep(300 * time.Millisecond)
	f.stopWriters()
	f.check("at complete", "B")
	f.stage("complete")

	f.checkAudit()
	var writes, fails int64
	for _, w := range f.writers {
		fails += w.fails
	}
	writes = int64(len(f.o.recs)) - fails
	byPhase := map[string]int{}
	for _, r := range f.o.recs {
		byPhase[r.phase]++
	}
	f.t.Logf("writes by phase: %v", byPhase)
	f.t.Logf("%d kills (%d after a committed batch; a kill came %v + 0-330ms after the start at the end) in %d backfill runs; %d Redis restarts, %d restores logged; %d writes (%d to B alone), %d failed (deadlocks, timeouts), retried; %s",
		f.runs, f.landed, f.delay, f.runs, f.restarts, f.restores(), writes, f.o.writesB.Load(), fails, strings.Join(f.stages, ", "))
	if f.o.writesB.Load() == 0 || writes < 1000 {
		f.t.Fatalf("only %d writes, %d of them to B alone: the scenario proves little", writes, f.o.writesB.Load())
	}
}

func (f *fault) startWriters() {
	for _, w := range f.writers {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for {
				select {
				case <-f.stop:
					return
				default:
				}
				f.gate.RLock()
				w.writeOne(f.ctx)
				f.gate.RUnlock()
				time.Sleep(time.Millisecond)
			}
		}()
	}
	if f.c.shared {
		return
	}
	// The reconciler of a move across databases runs the whole time, as it would in
	// production.
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			select {
			case <-f.stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			f.gate.RLock()
			if _, err := f.m.Reconcile(f.ctx); err != nil {
				f.o.anomaly("reconcile: %v", err)
			}
			f.gate.RUnlock()
		}
	}()
}

func (f *fault) stopWriters() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
	f.wg.Wait()
}

func (f *fault) fatalf(format string, args ...any) {
	f.t.Helper()
	f.stopWriters()
	f.t.Fatalf("%s\ncoordinator log:\n%s\nbackfill processes (last lines):\n%s", fmt.Sprintf(format, args...), f.log.tail(40), f.helperLog.tail(20))
}

func (f *fault) advance(want tandem.Phase, o coord.AdvanceOptions) {
	f.t.Helper()
	st, err := f.co.Advance(f.ctx, o)
	if err != nil {
		f.fatalf("advance to %s: %v", want, err)
	}
	if st.Phase != want || st.Switches != want.Switches() {
		f.fatalf("advance: phase %s %s, want %s", st.Phase, st.Switches, want)
	}
}

// restartRedis kills the redis-server (SIGKILL) and starts an empty one on the same port.
func (f *fault) restartRedis() {
	_ = f.srv.Process.Signal(syscall.SIGKILL)
	_ = f.srv.Wait()
	f.srv = startRedis(f.t, f.port)
	f.restarts++
}

// restores counts the restores of the switch store that the coordinator and the backfill
// processes logged.
func (f *fault) restores() int {
	const msg = "restored it from the audit copy"
	return strings.Count(f.log.String(), msg) + strings.Count(f.helperLog.String(), msg)
}

// backfillUnderKills runs the backfill process again and again, killing each one with SIGKILL
// after a random time; Redis is killed and restarted empty during one of them.
func (f *fault) backfillUnderKills() {
	before, err := f.co.State(f.ctx)
	if err != nil {
		f.fatalf("%v", err)
	}
	var prev move.Checkpoint
	// Each process lives a random time after a delay that adapts to how long one takes to
	// start and commit its first batch here, so that the kills land during the copy.
	delay := 20 * time.Millisecond
	// At least half the kills must come after a committed batch. On a loaded machine the first
	// processes may be killed before they copy anything, while the delay adapts: those kills
	// prove little, so more processes are started (up to three times as many) until enough
	// kills landed during the copy.
	for i := 0; i < f.kills || (f.landed < f.kills/2 && i < 3*f.kills); i++ {
		stderr := &faultLog{}
		cmd := backfillCmd(f.c, f.urlA, f.urlB, f.redisAddr(), killedBatch, stderr)
		if err := cmd.Start(); err != nil {
			f.t.Fatal(err)
		}
		f.runs++
		life := delay + time.Duration(rand.IntN(330))*time.Millisecond
		outage := i == f.kills/2
		if outage {
			time.Sleep(life / 3)
			f.restartRedis()
			time.Sleep(life - life/3)
		} else {
			time.Sleep(life)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		f.helperLog.Write(stderr.Bytes())
		var ee *exec.ExitError
		switch {
		case err == nil:
			f.fatalf("the backfill finished after %d kills; the test needs more rows to kill it %d times", i, f.kills)
		case errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled():
		case outage:
			// Redis died under it: the backfill waits while it cannot read the pause switch
			// and is killed like the others; an exit of its own is accepted here too.
		default:
			f.fatalf("backfill process %d failed: %v\n%s", i+1, err, stderr.String())
		}
		cp, err := f.m.Checkpoint(f.ctx)
		if err != nil {
			f.fatalf("%v", err)
		}
		if cp.Batches < prev.Batches || cp.RowsScanned < prev.RowsScanned || cp.RowsCopied < prev.RowsCopied || keyBelow(cp.LastKey, prev.LastKey) {
			f.fatalf("after kill %d the checkpoint went back: %+v, before %+v", i+1, cp, prev)
		}
		if cp.Batches > prev.Batches {
			f.landed++
			delay = max(20*time.Millisecond, delay-10*time.Millisecond)
		} else {
			delay += 40 * time.Millisecond
		}
		f.delay = delay
		if len(cp.LastKey) == 1 {
			if k, ok := cp.LastKey[0].(int64); ok {
				f.hot.Store(k)
			}
		}
		prev = cp
	}
	if prev.Done {
		f.fatalf("the backfill finished during the kills; the test needs more rows")
	}
	if f.landed < f.kills/2 {
		f.fatalf("only %d of %d kills came after the backfill process had committed a batch: they land before it starts", f.landed, f.runs)
	}
	f.backfillEpoch = before.Epoch
}

// keyBelow reports whether key a (one integer) is below b.
func keyBelow(a, b move.Key) bool {
	if len(a) != 1 || len(b) != 1 {
		return len(a) < len(b)
	}
	x, _ := a[0].(int64)
	y, _ := b[0].(int64)
	return x < y
}

// resumeBackfill runs the backfill process to its end.
func (f *fault) resumeBackfill() {
	f.hot.Store(0)
	for attempt := 1; ; attempt++ {
		stderr := &faultLog{}
		cmd := backfillCmd(f.c, f.urlA, f.urlB, f.redisAddr(), resumedBatch, stderr)
		f.runs++
		err := cmd.Run()
		f.helperLog.Write(stderr.Bytes())
		if err == nil {
			break
		}
		if attempt == 3 {
			f.fatalf("the resumed backfill failed 3 times; last: %v\n%s", err, stderr.String())
		}
	}
	if cp, err := f.m.Checkpoint(f.ctx); err != nil || !cp.Done {
		f.fatalf("after the resumed backfill exited 0, the checkpoint is %+v (%v)", cp, err)
	}
	// The backfill processes restored the store after Redis restarted under them.
	st, err := f.store.State(f.ctx, f.m.Def.Name)
	if err != nil || st.Phase != tandem.PhaseBackfill || st.Epoch != f.backfillEpoch {
		f.fatalf("after Redis restarted during the backfill, the store holds %+v (%v), %d restores logged; the backfill processes should have restored backfill at epoch %d", st, err, f.restores(), f.backfillEpoch)
	}
}

// check holds the writers, lets the reconciler catch up, and compares the tables with the
// oracle row for row; any difference, or any anomaly a writer met since the last check,
// fails the test.
func (f *fault) check(when string, tables ...string) {
	f.t.Helper()
	problems, rows := f.compareHeld(tables)
	if len(problems) > 0 {
		f.t.Logf("%s: problems by kind: %s", when, summarize(problems))
		shown := problems
		if len(shown) > 40 {
			shown = shown[:40]
		}
		if *faultContinue {
			f.t.Errorf("%s: %d problems:\n  %s", when, len(problems), strings.Join(shown, "\n  "))
			return
		}
		f.fatalf("%s: %d problems:\n  %s", when, len(problems), strings.Join(shown, "\n  "))
	}
	f.t.Logf("%s: %s equal the test's writes, %d rows", when, strings.Join(tables, " and "), rows)
}

// compareHeld compares the tables with the oracle while the writers are held.
func (f *fault) compareHeld(tables []string) (problems []string, rows int) {
	f.gate.Lock()
	defer f.gate.Unlock()
	if !f.c.shared {
		for quiet := 0; quiet < 2; {
			n, err := f.m.Reconcile(f.ctx)
			if err != nil {
				f.o.anomaly("reconcile: %v", err)
				break
			}
			if n == 0 {
				quiet++
			}
		}
	}
	for _, a := range f.o.takeAnomalies() {
		problems = append(problems, "during the writes: "+a)
	}
	for _, table := range tables {
		s, cols := f.m.A, "id, name, email"
		if table == "B" {
			s, cols = f.m.B, "id, full_name, email_lower"
		}
		got, dups, err := readRows(f.ctx, s, cols)
		if err != nil {
			return append(problems, err.Error()), rows
		}
		rows += len(got)
		problems = append(problems, dups...)
		problems = append(problems, f.o.compare(table, got)...)
	}
	return problems, rows
}

// checkAudit compares the store's audit log, twice restored, with the copy in B's database.
func (f *fault) checkAudit() {
	inStore, err := f.store.Audit(f.ctx, f.m.Def.Name)
	if err != nil {
		f.fatalf("%v", err)
	}
	copied, err := f.m.Audit().Transitions(f.ctx)
	if err != nil {
		f.fatalf("%v", err)
	}
	if len(inStore) != 8 || len(copied) != 8 {
		f.fatalf("%d transitions in the store's audit log and %d in the copy; want 8 each", len(inStore), len(copied))
	}
	for i := range inStore {
		a, b := inStore[i], copied[i]
		if a.From != b.From || a.To != b.To || a.Version != b.Version || a.Epoch != b.Epoch || a.Reason != b.Reason {
			f.fatalf("transition %d: the store has %+v, the copy %+v", i, a, b)
		}
	}
}

// faultLog is a buffer safe for concurrent writers.
type faultLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *faultLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *faultLog) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

func (l *faultLog) String() string { return string(l.Bytes()) }

// tail returns the last n lines.
func (l *faultLog) tail(n int) string {
	lines := strings.Split(strings.TrimRight(l.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// summarize counts problems by their kind: the message without the key and the write numbers.
func summarize(problems []string) string {
	counts := map[string]int{}
	for _, p := range problems {
		sig := digits.ReplaceAllString(p, "N")
		counts[sig]++
	}
	var out []string
	for sig, n := range counts {
		out = append(out, fmt.Sprintf("\n  %5d × %s", n, sig))
	}
	sort.Strings(out)
	return strings.Join(out, "")
}

var digits = regexp.MustCompile(`[0-9]+`)
