package mirror

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/internal/movetest"
	"github.com/tandem-db/tandem/project"
)

// Across databases, an application delete of a row that a running batch has read must not
// let the batch copy the row back after the reconciler has handled the delete. The test stalls
// a batch after its read of A (a key it is about to insert into B is held by an uncommitted
// insert), deletes a row of the slice from A with its outbox entry, reconciles, then lets the
// batch finish and reconciles again: B must not hold the deleted row. Before the batch read
// A under a lock held until B's commit, the delete went through at once, the reconciler found
// nothing to do, and the batch then resurrected the row for good.
func TestBackfillAcrossDoesNotResurrectDeletedRows(t *testing.T) {
	ctx := movetest.Ctx(t)
	adb, bdb := testdb.Open(t, testdb.MySQL(t)), testdb.Open(t, testdb.Postgres(t))
	movetest.MustExec(t, adb, "CREATE TABLE src (id bigint PRIMARY KEY, note varchar(50))")
	movetest.MustExec(t, adb, "INSERT INTO src SELECT seq, CONCAT('note ', seq) FROM seq_1_to_100")
	movetest.MustExec(t, bdb, "CREATE TABLE dst (id bigint PRIMARY KEY, note varchar(50))")
	def, err := project.ParseMove("moves/race.yaml", []byte("from: {table: src}\nto: {table: dst}\nkey: [id]\nmapping: {id: id, note: note}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := &move.Move{Def: def, A: move.Side{DB: adb, Dialect: mysql.New(), Table: "src"}, B: move.Side{DB: bdb, Dialect: postgres.New(), Schema: "public", Table: "dst"}}
	if err := m.EnsureLogs(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.FixBound(ctx); err != nil {
		t.Fatal(err)
	}

	// Hold key 100 in B with an uncommitted insert: the batch's insert of it waits.
	blocker, err := bdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback()
	if _, err := blocker.ExecContext(ctx, "INSERT INTO dst VALUES (100, 'blocker')"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- (&move.Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 1000}}).Run(ctx) }()
	waitForLockWait(t, bdb, "dst")

	// The application deletes row 7 of the slice, with its outbox entry, in one transaction of A.
	deleted := make(chan error, 1)
	go func() {
		deleted <- withTx(ctx, adb, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "DELETE FROM src WHERE id = 7"); err != nil {
				return err
			}
			return Writer{Move: m}.OutboxTx(ctx, tx, move.Key{int64(7)})
		})
	}()
	early := false
	select {
	case err := <-deleted:
		early = true
		// Not waiting for the batch is the defect: the reconciler now runs before the copy.
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("the delete of a row the batch had read committed while the batch was still running")
	case <-time.After(500 * time.Millisecond):
	}
	if _, err := m.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !early {
		select {
		case err := <-deleted:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the delete never finished")
		}
	}
	if _, err := m.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := bdb.QueryRowContext(ctx, "SELECT count(*) FROM dst WHERE id = 7").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("B holds row 7, deleted from A while the batch ran: the backfill copied it back")
	}
	if rep, err := m.Verify(ctx, move.VerifyOptions{}); err != nil {
		t.Fatal(err)
	} else if !rep.OK() {
		t.Logf("verify: %s", rep)
		t.Errorf("verify finds differences after the backfill and the reconciler")
	}
}

// waitForLockWait waits until a session of db waits for a lock on table.
func waitForLockWait(t *testing.T, db *sql.DB, table string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := db.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%' || $1 || '%'", table).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no session waited for a lock on %s within 10s", table)
}

func withTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
