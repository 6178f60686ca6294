package client_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/syncbuf"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/project"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/client"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/store/sqlstore"
)

// shadowRig is a move users -> accounts with a client following it, for shadow read tests.
type shadowRig struct {
	dbA, dbB *sql.DB
	move     *move.Move
	store    tandem.SwitchStore
	client   *client.Client
	mirror   *client.Mirror
	co       *coord.Driver
}

func newShadowRig(t testing.TB, a, b side, shared bool, rows int) *shadowRig {
	t.Helper()
	ctx := context.Background()
	urlA := a.url(t)
	urlB := urlA
	if !shared {
		urlB = b.url(t)
	}
	dbA, dbB := testdb.Open(t, urlA), testdb.Open(t, urlB)
	if shared {
		dbB = dbA
	}
	shadowExec(t, dbA, "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100) NOT NULL, email varchar(200) NOT NULL)")
	shadowExec(t, dbB, "CREATE TABLE accounts (id bigint PRIMARY KEY, full_name varchar(100) NOT NULL, email_lower varchar(200) NOT NULL)")
	for i := 1; i <= rows; i++ {
		shadowExec(t, dbA, fmt.Sprintf("INSERT INTO users VALUES (%d, 'user %d', 'U%d@Example.com')", i, i, i))
	}
	def, err := project.ParseMove("moves/users_to_accounts.yaml", []byte(scenarioDef))
	if err != nil {
		t.Fatal(err)
	}
	m := &move.Move{Def: def, Shared: shared,
		A: move.Side{DB: dbA, Dialect: a.dialect, Schema: a.schema, Table: "users"},
		B: move.Side{DB: dbB, Dialect: b.dialect, Schema: b.schema, Table: "accounts"}}
	store, err := sqlstore.New(dbB, b.dialect, sqlstore.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.EnsureLogs(ctx); err != nil {
		t.Fatal(err)
	}
	cl, err := client.New(ctx, store, client.Options{Instance: "shadow-1", HeartbeatEvery: 50 * time.Millisecond, PollEvery: 50 * time.Millisecond}, def.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return &shadowRig{dbA: dbA, dbB: dbB, move: m, store: store, client: cl,
		mirror: &client.Mirror{Client: cl, Move: m},
		co:     &coord.Driver{Move: m, Store: store, Grace: -1, AckTimeout: 10 * time.Second, By: "test"}}
}

func (r *shadowRig) advance(t *testing.T, want tandem.Phase) {
	t.Helper()
	st, err := r.co.Advance(context.Background(), coord.AdvanceOptions{})
	if err != nil {
		t.Fatalf("advance to %s: %v", want, err)
	}
	if st.Phase != want {
		t.Fatalf("advanced to %s, want %s", st.Phase, want)
	}
}

func shadowExec(t testing.TB, db *sql.DB, stmt string) {
	t.Helper()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// counts is the part of ShadowStats a step checks.
type counts struct {
	Skipped, Matches, Absent, Mismatches, Missing, Extra, NotYetCopied, Settled, Errors int64
}

func countsOf(s client.ShadowStats) counts {
	return counts{Skipped: s.Skipped, Matches: s.Matches, Absent: s.Absent, Mismatches: s.Mismatches, Missing: s.Missing,
		Extra: s.Extra, NotYetCopied: s.NotYetCopied, Settled: s.Settled, Errors: s.Errors}
}

// waitCounts waits until the Shadow has concluded every key it queued, then checks its counts.
func waitCounts(t *testing.T, sh *client.Shadow, want counts) client.ShadowStats {
	t.Helper()
	var st client.ShadowStats
	deadline := time.Now().Add(15 * time.Second)
	for {
		st = sh.Stats()
		done := st.Compared()+st.Skipped+st.Dropped+st.Errors == st.Sampled && st.Queued == 0
		if done && countsOf(st) == want || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if diff := cmp.Diff(want, countsOf(st)); diff != "" {
		t.Fatalf("shadow counts (-want +got):\n%s\nstats: %+v", diff, st)
	}
	return st
}

// sample offers keys to sh, each of which must be queued.
func sample(t *testing.T, sh *client.Shadow, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		if !sh.Sample(move.Key{id}) {
			t.Fatalf("key %d was not queued: %+v", id, sh.Stats())
		}
	}
}

// noShadowGoroutines fails when a goroutine of a Shadow is still running.
func noShadowGoroutines(t *testing.T) {
	t.Helper()
	var stacks string
	for range 100 {
		buf := make([]byte, 1<<20)
		stacks = string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "client.(*Shadow)") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("Shadow goroutines still run after Close:\n%s", stacks)
}

// TestShadowReads walks a move through its phases with shadow reads of every read: equal rows
// count as matches, rows tampered with in B as mismatches with their key, rows missing from B
// as missing (or as not yet copied before the backfill ran), and nothing is compared while the
// switches do not write both tables. Close leaves no goroutine behind.
func TestShadowReads(t *testing.T) {
	cases := []struct {
		name   string
		a, b   side
		shared bool
	}{
		{"sqlite", sqliteSide, sqliteSide, true},
		{"postgres", pgSide, pgSide, true},
		{"mariadb", mysqlSide, mysqlSide, true},
		{"mariadb-to-postgres", mysqlSide, pgSide, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			r := newShadowRig(t, tc.a, tc.b, tc.shared, 20)
			var logs syncbuf.Buffer
			var found []client.ShadowFinding
			var foundMu sync.Mutex
			confirm := 100 * time.Millisecond
			if !tc.shared {
				confirm = 2 * time.Second // time for the test to reconcile between the two comparisons
			}
			sh, err := client.NewShadow(r.mirror, client.ShadowOptions{Rate: 1, ConfirmAfter: confirm,
				Log: slog.New(slog.NewTextHandler(&logs, nil)), LogEvery: time.Nanosecond,
				OnDifference: func(f client.ShadowFinding) {
					foundMu.Lock()
					found = append(found, f)
					foundMu.Unlock()
				}})
			if err != nil {
				t.Fatal(err)
			}
			defer sh.Close()
			var want counts

			// pending (1100): B is not written, nothing to compare.
			if sh.Sample(move.Key{int64(1)}) {
				t.Fatal("a read was queued in pending")
			}
			want.Skipped++
			waitCounts(t, sh, want)

			// backfill, before the copy: A's old rows are not in B yet.
			r.advance(t, tandem.PhaseDualWrite)
			r.advance(t, tandem.PhaseBackfill)
			sample(t, sh, 3)
			want.NotYetCopied++
			waitCounts(t, sh, want)

			if err := r.co.Backfill(ctx, nil); err != nil {
				t.Fatal(err)
			}
			r.advance(t, tandem.PhaseVerified)
			var all []int64
			for id := int64(1); id <= 20; id++ {
				all = append(all, id)
			}
			sample(t, sh, all...)
			want.Matches += 20
			waitCounts(t, sh, want)

			// Rows changed in B behind the application's back.
			mustExec(t, r.dbB, "UPDATE accounts SET full_name = 'tampered' WHERE id = 7")
			mustExec(t, r.dbB, "DELETE FROM accounts WHERE id = 8")
			mustExec(t, r.dbB, "INSERT INTO accounts VALUES (1000, 'ghost', 'ghost@example.com')")
			sample(t, sh, 7, 8, 1000, 999)
			want.Mismatches++
			want.Missing++
			want.Extra++
			want.Absent++
			st := waitCounts(t, sh, want)
			byKey := map[string]client.ShadowFinding{}
			for _, f := range st.Recent {
				byKey[f.Key.String()] = f
			}
			wantFound := map[string]client.ShadowFinding{
				"(7)":    {Move: r.move.Def.Name, Key: move.Key{int64(7)}, Kind: move.Different, Columns: []string{"full_name"}, Phase: tandem.PhaseVerified},
				"(8)":    {Move: r.move.Def.Name, Key: move.Key{int64(8)}, Kind: move.MissingInB, Phase: tandem.PhaseVerified},
				"(1000)": {Move: r.move.Def.Name, Key: move.Key{int64(1000)}, Kind: move.ExtraInB, Phase: tandem.PhaseVerified},
			}
			ignoreAt := cmp.Comparer(func(a, b time.Time) bool { return true })
			if diff := cmp.Diff(wantFound, byKey, ignoreAt); diff != "" {
				t.Errorf("recent differences (-want +got):\n%s", diff)
			}
			foundMu.Lock()
			if len(found) != 3 {
				t.Errorf("OnDifference was called %d times, want 3: %v", len(found), found)
			}
			foundMu.Unlock()
			if out := logs.String(); !strings.Contains(out, "key=(7)") || !strings.Contains(out, "columns=[full_name]") {
				t.Errorf("no log line names key (7) and its column:\n%s", out)
			}
			if _, err := r.move.Repair(ctx, []move.Key{{int64(7)}, {int64(8)}, {int64(1000)}}); err != nil {
				t.Fatal(err)
			}
			sample(t, sh, 7, 8, 1000)
			want.Matches += 2
			want.Absent++
			waitCounts(t, sh, want)

			if !tc.shared {
				// Across databases B catches up through the outbox: a key read before the
				// reconciler copied it differs once, then settles.
				err := r.mirror.Write(ctx, move.Key{int64(2)}, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, "UPDATE users SET name = 'renamed' WHERE id = 2")
					return err
				}, nil)
				if err != nil {
					t.Fatal(err)
				}
				before := sh.Stats().Rechecked
				sample(t, sh, 2)
				eventually(t, 5*time.Second, "the first comparison of key 2 found no difference", func() bool { return sh.Stats().Rechecked == before+1 })
				if n, err := r.move.Reconcile(ctx); err != nil || n != 1 {
					t.Fatalf("reconcile: %d keys, %v; want 1", n, err)
				}
				want.Matches++
				want.Settled++
				waitCounts(t, sh, want)
			}

			// read-b (0111) still writes A: compared. write-b (0011) does not: skipped.
			r.advance(t, tandem.PhaseReadB)
			sample(t, sh, 1)
			want.Matches++
			waitCounts(t, sh, want)
			r.advance(t, tandem.PhaseWriteB)
			if sh.Sample(move.Key{int64(1)}) {
				t.Fatal("a read was queued in write-b")
			}
			want.Skipped++
			waitCounts(t, sh, want)

			if err := sh.Close(); err != nil {
				t.Fatal(err)
			}
			noShadowGoroutines(t)
			if sh.Sample(move.Key{int64(1)}) {
				t.Fatal("a read was queued after Close")
			}
		})
	}
}

// sqliteShadow is a Shadow on a move whose switches are set directly in the store, on SQLite.
func sqliteShadow(t *testing.T, to string, phase tandem.Phase, o client.ShadowOptions) (*client.Shadow, *shadowRig) {
	t.Helper()
	r := newShadowRig(t, sqliteSide, sqliteSide, true, 5)
	r.move.B.Table = to
	r.move.Def.To.Name = to
	version := int64(0)
	for _, p := range tandem.Phases[1 : phase.Index()+1] {
		st, err := r.store.Transition(context.Background(), r.move.Def.Name, version, p, tandem.Transition{By: "test", Reason: "shadow test"})
		if err != nil {
			t.Fatal(err)
		}
		version = st.Version
	}
	eventually(t, 2*time.Second, "the client did not see the phase "+string(phase), func() bool {
		return r.client.Switches(r.move.Def.Name) == phase.Switches()
	})
	sh, err := client.NewShadow(r.mirror, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sh.Close() })
	return sh, r
}

// TestShadowSamplingRate checks that about Rate of the reads are sampled, that SetRate takes
// effect at once, and that rates outside [0, 1] are refused.
func TestShadowSamplingRate(t *testing.T) {
	sh, r := sqliteShadow(t, "accounts", tandem.PhasePending, client.ShadowOptions{Rate: 0.1})
	const n = 100000
	for i := range n {
		sh.Sample(move.Key{int64(i)})
	}
	// Binomial(100000, 0.1): mean 10,000, standard deviation about 95.
	if got := sh.Stats().Sampled; got < 9500 || got > 10500 {
		t.Errorf("rate 0.1: %d of %d reads sampled, want about 10,000", got, n)
	}
	if st := sh.Stats(); st.Skipped != st.Sampled || st.Compared() != 0 {
		t.Errorf("in pending every sampled read is skipped: %+v", st)
	}
	for _, tc := range []struct {
		rate float64
		want int64
	}{{0, 0}, {1, 1000}, {0.5, 500}} {
		if err := sh.SetRate(tc.rate); err != nil {
			t.Fatal(err)
		}
		before := sh.Stats().Sampled
		for i := range 1000 {
			sh.Sample(move.Key{int64(i)})
		}
		got := sh.Stats().Sampled - before
		if tc.rate == 0.5 && (got < 400 || got > 600) || tc.rate != 0.5 && got != tc.want {
			t.Errorf("rate %v: %d of 1000 reads sampled, want about %d", tc.rate, got, tc.want)
		}
		if st := sh.Stats(); st.Rate != tc.rate {
			t.Errorf("Stats().Rate = %v after SetRate(%v)", st.Rate, tc.rate)
		}
	}
	for _, bad := range []float64{-0.1, 1.5} {
		if err := sh.SetRate(bad); err == nil || !strings.Contains(err.Error(), "from 0 (off) to 1") {
			t.Errorf("SetRate(%v): %v, want an error naming the range", bad, err)
		}
		if _, err := client.NewShadow(r.mirror, client.ShadowOptions{Rate: bad}); err == nil {
			t.Errorf("NewShadow with rate %v: no error", bad)
		}
	}
	if st := sh.Stats(); st.Rate != 0.5 {
		t.Errorf("a refused SetRate changed the rate to %v", st.Rate)
	}
	if _, err := client.NewShadow(&client.Mirror{Client: r.client, Move: &move.Move{Def: &tandem.MoveDefinition{Name: "other"}}}, client.ShadowOptions{}); err == nil {
		t.Error("NewShadow for a move the client does not follow: no error")
	}
}

// TestShadowNeverBlocks offers reads far faster than one worker can compare them: Sample must
// return at once, drop what the queue cannot hold and count it, and Close must not wait for the
// queued keys.
func TestShadowNeverBlocks(t *testing.T) {
	sh, _ := sqliteShadow(t, "accounts", tandem.PhaseVerified, client.ShadowOptions{Rate: 1, Queue: 4, Workers: 1})
	start := time.Now()
	const n = 20000
	queued := 0
	for i := range n {
		if sh.Sample(move.Key{int64(i%5 + 1)}) {
			queued++
		}
	}
	took := time.Since(start)
	st := sh.Stats()
	// Dropped also counts keys queued here and dropped later, when the confirmation queue is
	// full (B is empty: every key differs).
	if st.Sampled != n || queued == 0 || st.Dropped < int64(n-queued) {
		t.Errorf("%d reads: %d queued, stats %+v; want every read sampled and the overflow dropped", n, queued, st)
	}
	if took > time.Second {
		t.Errorf("%d calls of Sample took %v: Sample must not wait for the database", n, took)
	}
	start = time.Now()
	if err := sh.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v", took)
	}
	noShadowGoroutines(t)
	t.Logf("%d calls of Sample in %v (%v each), %d queued, %d dropped", n, took, took/n, queued, st.Dropped)
}

// TestShadowCountsErrors compares against a B that does not exist: every comparison fails, is
// counted and logged, and nothing else is counted.
func TestShadowCountsErrors(t *testing.T) {
	var logs syncbuf.Buffer
	sh, _ := sqliteShadow(t, "no_such_table", tandem.PhaseDualWrite, client.ShadowOptions{Rate: 1,
		Log: slog.New(slog.NewTextHandler(&logs, nil)), LogEvery: time.Hour})
	sample(t, sh, 1, 2, 3)
	waitCounts(t, sh, counts{Errors: 3})
	out := logs.String()
	if strings.Count(out, "shadow read failed") != 1 || !strings.Contains(out, "no_such_table") {
		t.Errorf("want one log line (rate-limited) naming the missing table:\n%s", out)
	}
}

// BenchmarkShadowSample measures Sample on the request path: not sampled (rate 0.01), and
// sampled but skipped because the move is pending.
func BenchmarkShadowSample(b *testing.B) {
	store, err := sqlstore.New(testdb.Open(b, testdb.SQLite(b)), sqlite.New(), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cl, err := client.New(context.Background(), store, client.Options{}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	sh, err := client.NewShadow(&client.Mirror{Client: cl, Move: &move.Move{Def: &tandem.MoveDefinition{Name: "bench"}}}, client.ShadowOptions{Rate: 0.01})
	if err != nil {
		b.Fatal(err)
	}
	defer sh.Close()
	key := move.Key{int64(12345)}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sh.Sample(key)
		}
	})
}

// BenchmarkShadowCompare measures one comparison (move.Comparer.CompareKey) of an equal row, the
// work a Shadow goroutine does per sampled read, on each database.
func BenchmarkShadowCompare(b *testing.B) {
	for _, tc := range []struct {
		name string
		s    side
	}{{"sqlite", sqliteSide}, {"postgres", pgSide}, {"mariadb", mysqlSide}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			r := newShadowRig(b, tc.s, tc.s, true, 1000)
			if _, err := r.dbA.Exec("INSERT INTO accounts (id, full_name, email_lower) SELECT id, name, lower(email) FROM users"); err != nil {
				b.Fatal(err)
			}
			c, err := r.move.Comparer(ctx)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; b.Loop(); i++ {
				res, err := c.CompareKey(ctx, move.Key{int64(i%1000 + 1)})
				if err != nil || !res.Equal() || !res.InA {
					b.Fatalf("key %d: %+v, %v", i%1000+1, res, err)
				}
			}
		})
	}
}
