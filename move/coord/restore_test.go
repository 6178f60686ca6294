package coord_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/syncbuf"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/project"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/client"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/store/redisstore"
	"github.com/tandem-db/tandem/store/sqlstore"
)

// lossCase is a switch store that can lose a move's state, over tables in one database.
type lossCase struct {
	name string
	// open returns the database of A and B, its dialect and schema, the store, and a function
	// that makes the store lose the move's state (as a Redis restarted without persistence).
	open func(t *testing.T) (db *sql.DB, d tandem.Dialect, schema string, s tandem.SwitchStore, lose func(move string))
}

var lossCases = []lossCase{
	{"redis", func(t *testing.T) (*sql.DB, tandem.Dialect, string, tandem.SwitchStore, func(string)) {
		c := testRedis(t)
		var rnd [6]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			t.Fatal(err)
		}
		prefix := "tandemtest-restore-" + hex.EncodeToString(rnd[:])
		t.Cleanup(func() { deleteKeys(t, c, prefix+":*") })
		s := redisstore.New(c, redisstore.Options{Prefix: prefix})
		return testdb.Open(t, testdb.SQLite(t)), sqlite.New(), "", s, func(m string) {
			if err := c.Del(context.Background(), s.SwitchesKey(m), s.SwitchesKey(m)+":state", s.SwitchesKey(m)+":audit").Err(); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{"sql-postgres", sqlLoss(testdb.Postgres, postgres.New(), "public")},
	{"sql-mariadb", sqlLoss(testdb.MySQL, mysql.New(), "")},
}

func sqlLoss(url func(testing.TB) string, d tandem.Dialect, schema string) func(t *testing.T) (*sql.DB, tandem.Dialect, string, tandem.SwitchStore, func(string)) {
	return func(t *testing.T) (*sql.DB, tandem.Dialect, string, tandem.SwitchStore, func(string)) {
		db := testdb.Open(t, url(t))
		s, err := sqlstore.New(db, d, sqlstore.Options{PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return db, d, schema, s, func(m string) {
			for _, table := range []string{"tandem_moves", "tandem_move_audit"} {
				if _, err := db.Exec("DELETE FROM "+table+" WHERE move = "+d.Placeholder(1), m); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func testRedis(t *testing.T) *redis.Client {
	t.Helper()
	addr := os.Getenv("TANDEM_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s (set $TANDEM_TEST_REDIS): %v", addr, err)
		}
		t.Skipf("no Redis at %s (set $TANDEM_TEST_REDIS): %v", addr, err)
	}
	return c
}

func deleteKeys(t *testing.T, c *redis.Client, pattern string) {
	ctx := context.Background()
	keys, err := c.Keys(ctx, pattern).Result()
	if err == nil && len(keys) > 0 {
		err = c.Del(ctx, keys...).Err()
	}
	if err != nil {
		t.Errorf("clean up %s: %v", pattern, err)
	}
}

const restoreDef = `from: {table: users}
to: {table: accounts}
key: [id]
mapping: {id: id, full_name: name}
reverse: {id: id, name: full_name}
`

// restoreFixture is a move of three rows with its store, a coordinator that logs to a buffer,
// and an application instance following it.
type restoreFixture struct {
	m    *move.Move
	s    tandem.SwitchStore
	co   *coord.Driver
	logs *syncbuf.Buffer
	app  *client.Client
	lose func()
}

func newRestoreFixture(t *testing.T, lc lossCase, name string) *restoreFixture {
	t.Helper()
	db, d, schema, s, lose := lc.open(t)
	for _, stmt := range []string{
		"CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50) NOT NULL)",
		"CREATE TABLE accounts (id bigint PRIMARY KEY, full_name varchar(50) NOT NULL)",
		"INSERT INTO users VALUES (1, 'a'), (2, 'b'), (3, 'c')",
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	def, err := project.ParseMove("moves/"+name+".yaml", []byte(restoreDef))
	if err != nil {
		t.Fatal(err)
	}
	def.Name = name
	m := &move.Move{Def: def, Shared: true, A: move.Side{DB: db, Dialect: d, Schema: schema, Table: "users"}, B: move.Side{DB: db, Dialect: d, Schema: schema, Table: "accounts"}}
	if err := m.EnsureLogs(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	co := &coord.Driver{Move: m, Store: s, Grace: -1, AckTimeout: 10 * time.Second, By: "test", Log: slog.New(slog.NewTextHandler(logs, nil))}
	app := follow(t, s, "app-1", name)
	return &restoreFixture{m: m, s: s, co: co, logs: logs, app: app, lose: func() { lose(name) }}
}

func follow(t *testing.T, s tandem.SwitchStore, instance, name string) *client.Client {
	t.Helper()
	c, err := client.New(context.Background(), s, client.Options{Instance: instance, CodeVersion: "1", HeartbeatEvery: 50 * time.Millisecond, PollEvery: 50 * time.Millisecond}, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// advanceTo walks the move forward to phase p, running the backfill on the way.
func (f *restoreFixture) advanceTo(t *testing.T, p tandem.Phase) tandem.MoveState {
	t.Helper()
	ctx := context.Background()
	st, err := f.co.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for st.Phase != p {
		if st.Phase == tandem.PhaseBackfill {
			if err := f.co.Backfill(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		if st, err = f.co.Advance(ctx, coord.AdvanceOptions{Confirm: true}); err != nil {
			t.Fatalf("advance from %s: %v", st.Phase, err)
		}
	}
	return st
}

func waitSwitches(t *testing.T, c *client.Client, name, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for c.Switches(name).String() != want {
		if time.Now().After(deadline) {
			st, _ := c.State(name)
			t.Fatalf("instance %s: switches %s (version %d, epoch %d) after 3s, want %s", c.Instance(), st.Switches, st.Version, st.Epoch, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A store that lost a move's state in write-b is restored from the audit copy by the next
// coordinator call, once, however many coordinators race to do it; instances that knew the
// state keep it, one started meanwhile takes it, and both follow the next transition (also the
// one that knew a higher version, from pauses, than the restored state has).
func TestRestoreAfterTheStoreLostTheMove(t *testing.T) {
	for _, lc := range lossCases {
		t.Run(lc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newRestoreFixture(t, lc, "users_restored")
			before := f.advanceTo(t, tandem.PhaseWriteB)
			for _, p := range []bool{true, false} {
				if _, err := f.co.Pause(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			if st, _ := f.s.State(ctx, "users_restored"); st.Version != before.Version+2 || st.Epoch != before.Epoch {
				t.Fatalf("after two pauses: version %d epoch %d, want %d and %d", st.Version, st.Epoch, before.Version+2, before.Epoch)
			}
			waitSwitches(t, f.app, "users_restored", "0011")
			audit, err := f.s.Audit(ctx, "users_restored")
			if err != nil {
				t.Fatal(err)
			}

			f.lose()
			if st, err := f.s.State(ctx, "users_restored"); err != nil || st.Version != 0 || st.Phase != tandem.PhasePending {
				t.Fatalf("the store did not lose the move: %+v, %v", st, err)
			}
			// An instance started now reads pending: the hazard the restore ends.
			late := follow(t, f.s, "app-2", "users_restored")
			if got := late.Switches("users_restored").String(); got != "1100" {
				t.Fatalf("an instance started on the empty store reads %s; the test expects the empty store's 1100", got)
			}
			// Its writes wait for the restore instead of going to A alone.
			lateMirror := &client.Mirror{Client: late, Move: f.m, HoldFor: 200 * time.Millisecond}
			err = lateMirror.Write(ctx, move.Key{int64(9)}, func(tx *sql.Tx) error {
				_, err := tx.Exec("INSERT INTO users VALUES (9, 'lost')")
				return err
			}, nil)
			if !errors.Is(err, client.ErrWritesHeld) || !strings.Contains(err.Error(), "lost the move's state") {
				t.Fatalf("a write of an instance that reads the empty store: %v; want ErrWritesHeld saying the store lost the move", err)
			}
			if got := f.app.Switches("users_restored").String(); got != "0011" {
				t.Fatalf("the instance that knew write-b went back to %s when the store lost the move", got)
			}

			// Four coordinators (status, advance, rollback and a backfill, say) at once.
			var wg sync.WaitGroup
			states := make([]tandem.MoveState, 4)
			errs := make([]error, 4)
			for i := range states {
				co := *f.co
				wg.Go(func() { states[i], errs[i] = co.State(ctx) })
			}
			wg.Wait()
			want := tandem.MoveState{Move: "users_restored", Phase: tandem.PhaseWriteB, Switches: tandem.SwitchesB, Version: before.Version, Epoch: before.Epoch}
			for i := range states {
				if errs[i] != nil {
					t.Fatalf("coordinator %d: %v", i, errs[i])
				}
				states[i].UpdatedAt = time.Time{}
				if diff := cmp.Diff(want, states[i]); diff != "" {
					t.Errorf("coordinator %d read (-want +got):\n%s", i, diff)
				}
			}
			if n := strings.Count(f.logs.String(), "restored it from the audit copy"); n != 1 {
				t.Errorf("the restore was logged %d times, want once:\n%s", n, f.logs.String())
			}
			if !strings.Contains(f.logs.String(), "store_had=\"pending v0 e0\"") {
				t.Errorf("the log does not say what the store held:\n%s", f.logs.String())
			}
			restoredAudit, err := f.s.Audit(ctx, "users_restored")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(audit, restoredAudit, cmp.Comparer(func(a, b time.Time) bool { return a.Sub(b).Abs() < time.Millisecond })); diff != "" {
				t.Errorf("restored audit log (-before the loss +restored):\n%s", diff)
			}
			waitSwitches(t, late, "users_restored", "0011")
			if err := lateMirror.Write(ctx, move.Key{int64(9)}, nil, func(tx *sql.Tx) error {
				_, err := tx.Exec("INSERT INTO accounts VALUES (9, 'after the restore')")
				return err
			}); err != nil {
				t.Fatalf("a write of the late instance after the restore: %v", err)
			}
			if err := f.co.WaitAcks(ctx, states[0]); err != nil {
				t.Fatalf("after the restore: %v", err)
			}

			// The move goes on: both instances follow the rollback, although app-1 saw
			// version before+2 and the rollback is at before+1.
			st, err := f.co.Rollback(ctx, "after the restore")
			if err != nil || st.Phase != tandem.PhaseReadB || st.Version != before.Version+1 {
				t.Fatalf("rollback after the restore: %+v, %v", st, err)
			}
			waitSwitches(t, f.app, "users_restored", "0111")
			waitSwitches(t, late, "users_restored", "0111")
			if _, err := f.co.State(ctx); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(f.logs.String(), "restored it from the audit copy"); n != 1 {
				t.Errorf("a healthy store was restored again (%d restores logged)", n)
			}
		})
	}
}

// Pause, which writes the store without a transition, restores a lost move first instead of
// writing a pending state over it.
func TestPauseRestoresFirst(t *testing.T) {
	ctx := context.Background()
	f := newRestoreFixture(t, lossCases[0], "users_paused")
	before := f.advanceTo(t, tandem.PhaseBackfill)
	f.lose()
	st, err := f.co.Pause(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if st.Phase != tandem.PhaseBackfill || st.Epoch != before.Epoch || !st.Paused || st.Version != before.Version+1 {
		t.Errorf("pause of a lost move: %+v, want backfill at epoch %d, paused, version %d", st, before.Epoch, before.Version+1)
	}
}

// The restore refuses, and says why, when the store was written since it lost the move, and
// when an instance runs an epoch the copy never recorded.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	t.Run("diverged", func(t *testing.T) {
		f := newRestoreFixture(t, lossCases[0], "users_diverged")
		f.advanceTo(t, tandem.PhaseReadB)
		f.lose()
		// An operator's older tool starts the move again on the empty store.
		if _, err := f.s.Transition(ctx, "users_diverged", 0, tandem.PhaseDualWrite, tandem.Transition{By: "old tool"}); err != nil {
			t.Fatal(err)
		}
		for what, call := range map[string]func() error{
			"State":   func() error { _, err := f.co.State(ctx); return err },
			"Advance": func() error { _, err := f.co.Advance(ctx, coord.AdvanceOptions{}); return err },
			"Pause":   func() error { _, err := f.co.Pause(ctx, true); return err },
		} {
			err := call()
			if !errors.Is(err, coord.ErrStoreLost) {
				t.Fatalf("%s on a diverged store: %v, want ErrStoreLost", what, err)
			}
			for _, want := range []string{"dual-write at version 1, epoch 1", "verified -> read-b at version 4, epoch 4", "diverge", "tandem_move_transitions"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error %q does not say %q", what, err, want)
				}
			}
		}
		if st, _ := f.s.State(ctx, "users_diverged"); st.Phase != tandem.PhaseDualWrite || st.Paused {
			t.Errorf("a refused restore wrote the store: %+v", st)
		}
	})
	t.Run("instance ahead", func(t *testing.T) {
		f := newRestoreFixture(t, lossCases[0], "users_ahead")
		st := f.advanceTo(t, tandem.PhaseVerified)
		f.lose()
		if err := f.s.Heartbeat(ctx, tandem.Heartbeat{Instance: "web-9", CodeVersion: "1", Epochs: map[string]int64{"users_ahead": st.Epoch + 1}}, time.Minute); err != nil {
			t.Fatal(err)
		}
		_, err := f.co.State(ctx)
		if !errors.Is(err, coord.ErrStoreLost) || !strings.Contains(err.Error(), "web-9 (epoch 4)") {
			t.Fatalf("restore with an instance ahead of the copy: %v; want ErrStoreLost naming web-9", err)
		}
		if st, _ := f.s.State(ctx, "users_ahead"); st.Version != 0 {
			t.Errorf("a refused restore wrote the store: %+v", st)
		}
	})
}
