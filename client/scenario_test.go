package client_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/client"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/coord"
	"github.com/tandem-db/tandem/project"
	"github.com/tandem-db/tandem/store/sqlstore"
)

const scenarioDef = `from: {table: users}
to: {table: accounts}
key: [id]
mapping:
  id: id
  full_name: name
  email_lower: lower(email)
reverse:
  id: id
  name: full_name
  email: email_lower
batch: {size: 50}
`

type side struct {
	url     func(testing.TB) string
	dialect tandem.Dialect
	schema  string
}

var (
	sqliteSide = side{testdb.SQLite, sqlite.New(), ""}
	pgSide     = side{testdb.Postgres, postgres.New(), "public"}
	mysqlSide  = side{testdb.MySQL, mysql.New(), ""}
)

// TestMoveThroughEveryPhaseUnderWrites walks a move from pending to complete, with a rollback
// from write-b on the way, while writers insert, update and delete through the library. At
// verified, and after the rollback, B must equal mapping(A) row for row.
func TestMoveThroughEveryPhaseUnderWrites(t *testing.T) {
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
			urlA := tc.a.url(t)
			urlB := urlA
			if !tc.shared {
				urlB = tc.b.url(t)
			}
			dbA, dbB := testdb.Open(t, urlA), testdb.Open(t, urlB)
			if tc.shared {
				dbB = dbA
			}
			mustExec(t, dbA, "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100) NOT NULL, email varchar(200) NOT NULL)")
			mustExec(t, dbB, "CREATE TABLE accounts (id bigint PRIMARY KEY, full_name varchar(100) NOT NULL, email_lower varchar(200) NOT NULL)")
			for i := 1; i <= 300; i++ {
				mustExec(t, dbA, fmt.Sprintf("INSERT INTO users VALUES (%d, 'user %d', 'u%d@example.com')", i, i, i))
			}
			def, err := project.ParseMove("moves/users_to_accounts.yaml", []byte(scenarioDef))
			if err != nil {
				t.Fatal(err)
			}
			def.Name = "users_to_accounts"
			m := &move.Move{Def: def, Shared: tc.shared,
				A: move.Side{DB: dbA, Dialect: tc.a.dialect, Schema: tc.a.schema, Table: "users"},
				B: move.Side{DB: dbB, Dialect: tc.b.dialect, Schema: tc.b.schema, Table: "accounts"}}
			store, err := sqlstore.New(dbB, tc.b.dialect, sqlstore.Options{PollInterval: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.EnsureLogs(ctx); err != nil {
				t.Fatal(err)
			}
			cl, err := client.New(ctx, store, client.Options{Instance: "app-1", CodeVersion: "2.0", HeartbeatEvery: 50 * time.Millisecond, PollEvery: 100 * time.Millisecond}, def.Name)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			mirror := &client.Mirror{Client: cl, Move: m}
			co := &coord.Driver{Move: m, Store: store, Grace: 200 * time.Millisecond, AckTimeout: 20 * time.Second, By: "test"}

			// Writers, and for two databases the reconciler, run through every phase.
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var writes, failures atomic.Int64
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 7))
					for {
						select {
						case <-stop:
							return
						default:
						}
						time.Sleep(time.Millisecond) // an application, not a tight loop: SQLite's lock is not fair
						if err := write(ctx, mirror, rng); err != nil {
							failures.Add(1) // deadlocks and conflicts between writers: retried by the next write
						} else {
							writes.Add(1)
						}
					}
				}()
			}
			if !tc.shared {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						case <-time.After(50 * time.Millisecond):
						}
						if _, err := m.Reconcile(ctx); err != nil {
							t.Logf("reconcile: %v", err)
						}
					}
				}()
			}
			stopWriters := func() {
				close(stop)
				wg.Wait()
				if !tc.shared {
					if _, err := m.Reconcile(ctx); err != nil {
						t.Fatal(err)
					}
				}
			}

			advance := func(want tandem.Phase, o coord.AdvanceOptions) {
				t.Helper()
				st, err := co.Advance(ctx, o)
				if err != nil {
					stopWriters()
					if rep, verr := m.Verify(ctx, move.VerifyOptions{}); verr == nil && !rep.OK() {
						t.Logf("verification now:\n%s", rep)
					}
					t.Fatalf("advance to %s: %v", want, err)
				}
				if st.Phase != want || st.Switches != want.Switches() {
					t.Fatalf("advance: phase %s %s, want %s", st.Phase, st.Switches, want)
				}
			}
			advance(tandem.PhaseDualWrite, coord.AdvanceOptions{})
			advance(tandem.PhaseBackfill, coord.AdvanceOptions{})
			if err := co.Backfill(ctx, nil); err != nil {
				t.Fatalf("backfill: %v", err)
			}
			advance(tandem.PhaseVerified, coord.AdvanceOptions{})
			advance(tandem.PhaseReadB, coord.AdvanceOptions{})
			advance(tandem.PhaseWriteB, coord.AdvanceOptions{})
			time.Sleep(500 * time.Millisecond) // writes to B alone, logged for the rollback
			if _, err := co.Rollback(ctx, "test the reverse window"); err != nil {
				stopWriters()
				t.Fatalf("rollback from write-b: %v", err)
			}
			time.Sleep(300 * time.Millisecond)
			stopWriters()
			if writes.Load() < 50 {
				t.Fatalf("only %d writes went through (%d failed): the scenario proves little", writes.Load(), failures.Load())
			}
			rep, err := m.Verify(ctx, move.VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Fatalf("after %d writes and a rollback from write-b, B differs from mapping(A):\n%s", writes.Load(), rep)
			}
			advance(tandem.PhaseWriteB, coord.AdvanceOptions{})
			advance(tandem.PhaseComplete, coord.AdvanceOptions{Confirm: true})
			audit, err := store.Audit(ctx, def.Name)
			if err != nil || len(audit) != 8 {
				t.Fatalf("audit: %d transitions, %v; want 8", len(audit), err)
			}
			t.Logf("%d writes (%d retried), %d transitions", writes.Load(), failures.Load(), len(audit))
		})
	}
}

// write does one random write of a random row through the mirror.
func write(ctx context.Context, m *client.Mirror, rng *rand.Rand) error {
	id := int64(rng.IntN(400) + 1)
	del := rng.IntN(4) == 0
	name := fmt.Sprintf("name %d", rng.IntN(1000))
	email := fmt.Sprintf("e%d@example.com", rng.IntN(1000))
	a, b := m.Move.A, m.Move.B
	writeA := func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+a.Dialect.Qualify(a.Schema, a.Table)+" WHERE id = "+a.Dialect.Placeholder(1), id); err != nil {
			return err
		}
		if del {
			return nil
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO "+a.Dialect.Qualify(a.Schema, a.Table)+" (id, name, email) VALUES ("+a.Dialect.Placeholder(1)+", "+a.Dialect.Placeholder(2)+", "+a.Dialect.Placeholder(3)+")", id, name, email)
		return err
	}
	writeB := func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+b.Dialect.Qualify(b.Schema, b.Table)+" WHERE id = "+b.Dialect.Placeholder(1), id); err != nil {
			return err
		}
		if del {
			return nil
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO "+b.Dialect.Qualify(b.Schema, b.Table)+" (id, full_name, email_lower) VALUES ("+b.Dialect.Placeholder(1)+", "+b.Dialect.Placeholder(2)+", "+b.Dialect.Placeholder(3)+")", id, name, email)
		return err
	}
	return m.Write(ctx, move.Key{id}, writeA, writeB)
}

func mustExec(t *testing.T, db *sql.DB, stmt string) {
	t.Helper()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
