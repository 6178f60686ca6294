package client_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/client"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
	movemirror "github.com/tandem-db/tandem/move/mirror"
	"github.com/tandem-db/tandem/project"
	"github.com/tandem-db/tandem/store/sqlstore"
)

// A rollback from write-b holds the application's writes until the rows written to B alone are
// back in A. When it stops before that (an instance does not acknowledge), the writes stay held
// and fail after HoldFor, saying what to do; running the rollback again finishes it, and a
// write that was waiting then runs under the new switches, on A.
func TestWritesWaitForTheHandover(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t, testdb.SQLite(t))
	mustExec(t, db, "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100) NOT NULL, email varchar(200) NOT NULL)")
	mustExec(t, db, "CREATE TABLE accounts (id bigint PRIMARY KEY, full_name varchar(100) NOT NULL, email_lower varchar(200) NOT NULL)")
	mustExec(t, db, "INSERT INTO users VALUES (1, 'a', 'a@x.io')")
	def, err := project.ParseMove("moves/m.yaml", []byte(scenarioDef))
	if err != nil {
		t.Fatal(err)
	}
	def.Name = "m"
	m := &move.Move{Def: def, Shared: true, A: move.Side{DB: db, Dialect: sqlite.New(), Table: "users"}, B: move.Side{DB: db, Dialect: sqlite.New(), Table: "accounts"}}
	store, err := sqlstore.New(db, sqlite.New(), sqlstore.Options{PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.EnsureLogs(ctx); err != nil {
		t.Fatal(err)
	}
	co := &coord.Driver{Move: m, Store: store, Grace: -1, AckTimeout: 300 * time.Millisecond, By: "test"}
	for _, want := range []tandem.Phase{tandem.PhaseDualWrite, tandem.PhaseBackfill, tandem.PhaseVerified, tandem.PhaseReadB, tandem.PhaseWriteB} {
		if want == tandem.PhaseVerified {
			if err := co.Backfill(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		if st, err := co.Advance(ctx, coord.AdvanceOptions{}); err != nil || st.Phase != want {
			t.Fatalf("advance to %s: %v %v", want, st.Phase, err)
		}
	}
	app, err := client.New(ctx, store, client.Options{Instance: "app", HeartbeatEvery: 20 * time.Millisecond, PollEvery: 20 * time.Millisecond}, "m")
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	mirror := &client.Mirror{Client: app, Move: m, HoldFor: 300 * time.Millisecond}
	put := func(id int64, name string) error {
		return mirror.Write(ctx, move.Key{id},
			func(tx *sql.Tx) error {
				_, err := tx.Exec("INSERT INTO users VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name", id, name, name+"@x.io")
				return err
			},
			func(tx *sql.Tx) error {
				_, err := tx.Exec("INSERT INTO accounts VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name", id, name, name+"@x.io")
				return err
			})
	}
	if err := put(2, "written to B alone"); err != nil {
		t.Fatal(err)
	}

	// An instance that runs write-b and will not acknowledge the rollback.
	st, _ := store.State(ctx, "m")
	if err := store.Heartbeat(ctx, tandem.Heartbeat{Instance: "stuck", Epochs: map[string]int64{"m": st.Epoch}}, 900*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	var se *coord.StragglersError
	if _, err := co.Rollback(ctx, "test"); !errors.As(err, &se) {
		t.Fatalf("rollback with a stuck instance: %v, want a StragglersError", err)
	}
	eventually(t, time.Second, "the instance did not take the rollback's switches", func() bool { return app.Switches("m") == tandem.SwitchesReadB })
	err = put(3, "held")
	if h, _ := tandem.HintOf(err); !errors.Is(err, client.ErrWritesHeld) || h.Code != tandem.HintMoveHandover || !strings.Contains(h.Text, "roll back the move again") {
		t.Fatalf("a write during the unfinished rollback: %v (hint %+v); want ErrWritesHeld with a hint to run the rollback again", err, h)
	}

	mirror.HoldFor = 10 * time.Second
	done := make(chan error, 1)
	go func() { done <- put(2, "written to A after the rollback") }()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("a write went through while the rollback was unfinished: %v", err)
	default:
	}
	time.Sleep(800 * time.Millisecond) // the stuck instance's heartbeat expires
	if st, err := co.Rollback(ctx, "test, again"); err != nil || st.Phase != tandem.PhaseReadB {
		t.Fatalf("rollback again: %v %v", st.Phase, err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the held write, after the rollback finished: %v", err)
	}
	var a, b string
	if err := db.QueryRow("SELECT name FROM users WHERE id = 2").Scan(&a); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT full_name FROM accounts WHERE id = 2").Scan(&b); err != nil {
		t.Fatal(err)
	}
	if a != "written to A after the rollback" || b != a {
		t.Errorf("after the held write: A has %q, B %q; want the write in both", a, b)
	}
	if why, err := (movemirror.Writer{Move: m}).Barrier(ctx); err != nil || why != "" {
		t.Errorf("barrier after the finished rollback: %q, %v", why, err)
	}
}
