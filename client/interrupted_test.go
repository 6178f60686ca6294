package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/project"
	"github.com/tandem-db/tandem/store/sqlstore"
)

// A rollback that stops because an instance does not acknowledge leaves its phase set; running
// it again once the instance is gone finishes it: B's rows are discarded.
func TestInterruptedRollbackFinishesWhenRunAgain(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t, testdb.SQLite(t))
	mustExec(t, db, "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100) NOT NULL, email varchar(200) NOT NULL)")
	mustExec(t, db, "CREATE TABLE accounts (id bigint PRIMARY KEY, full_name varchar(100) NOT NULL, email_lower varchar(200) NOT NULL)")
	for _, stmt := range []string{"INSERT INTO users VALUES (1, 'a', 'a@x.io')", "INSERT INTO users VALUES (2, 'b', 'b@x.io')"} {
		mustExec(t, db, stmt)
	}
	def, err := project.ParseMove("moves/m.yaml", []byte(scenarioDef))
	if err != nil {
		t.Fatal(err)
	}
	def.Name = "m"
	m := &move.Move{Def: def, Shared: true, A: move.Side{DB: db, Dialect: sqlite.New(), Table: "users"}, B: move.Side{DB: db, Dialect: sqlite.New(), Table: "accounts"}}
	store, err := sqlstore.New(db, sqlite.New(), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	co := &coord.Driver{Move: m, Store: store, Grace: -1, AckTimeout: 300 * time.Millisecond, By: "test"}
	for _, want := range []tandem.Phase{tandem.PhaseDualWrite, tandem.PhaseBackfill} {
		if st, err := co.Advance(ctx, coord.AdvanceOptions{}); err != nil || st.Phase != want {
			t.Fatalf("advance to %s: %v %v", want, st.Phase, err)
		}
	}
	if err := co.Backfill(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// An instance that still runs the backfill epoch and will not acknowledge the rollback.
	st, _ := store.State(ctx, "m")
	if err := store.Heartbeat(ctx, tandem.Heartbeat{Instance: "stuck", CodeVersion: "1", Epochs: map[string]int64{"m": st.Epoch}}, 700*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	_, err = co.Rollback(ctx, "test")
	var se *coord.StragglersError
	if !errors.As(err, &se) || len(se.Stragglers) != 1 || se.Stragglers[0].Instance != "stuck" {
		t.Fatalf("rollback with a stuck instance: %v; want a StragglersError naming it", err)
	}
	count := func() int {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM accounts").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count() != 2 {
		t.Fatalf("the test needs B's rows still there after the interrupted rollback; it has %d", count())
	}
	time.Sleep(800 * time.Millisecond) // the stuck instance's heartbeat expires
	if st, err := co.Rollback(ctx, "test, again"); err != nil || st.Phase != tandem.PhasePending {
		t.Fatalf("rollback again: %v %v", st.Phase, err)
	}
	if n := count(); n != 0 {
		t.Errorf("after the finished rollback B has %d rows, want 0", n)
	}
	cp, err := m.Checkpoint(ctx)
	if err != nil || cp.Bound != nil {
		t.Errorf("checkpoint after the finished rollback: %+v, %v; want no bound", cp, err)
	}
}
