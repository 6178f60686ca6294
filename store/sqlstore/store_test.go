package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/store/sqlstore"
	"github.com/tandem-db/tandem/store/storetest"
)

// engine is one database the store is tested on.
type engine struct {
	name    string
	url     func(testing.TB) string
	dialect tandem.Dialect
}

var engines = []engine{
	{"sqlite", testdb.SQLite, sqlite.New()},
	{"postgres", testdb.Postgres, postgres.New()},
	{"mysql", testdb.MySQL, mysql.New()},
}

// open returns a store in a fresh database of e, and the database.
func open(t *testing.T, e engine, o sqlstore.Options) (*sqlstore.Store, *sql.DB) {
	t.Helper()
	db := testdb.Open(t, e.url(t))
	s, err := sqlstore.New(db, e.dialect, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, db
}

func rawWriter(ctx context.Context, s tandem.SwitchStore, move, sw string) error {
	return s.(*sqlstore.Store).SetSwitchesRaw(ctx, move, sw)
}

func TestConformance(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T) tandem.SwitchStore {
				s, _ := open(t, e, sqlstore.Options{})
				return s
			}, storetest.RawWriter(rawWriter))
		})
	}
}

// TestConformanceInSchema runs the suite with the tables in a named schema, where the
// database has schemas.
func TestConformanceInSchema(t *testing.T) {
	for _, e := range engines[1:] {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T) tandem.SwitchStore {
				db := testdb.Open(t, e.url(t))
				schema := "tandem Store"
				if e.name == "mysql" {
					// A MySQL schema is a database of the server: make its name unique and
					// drop it at the end.
					var rnd [4]byte
					if _, err := rand.Read(rnd[:]); err != nil {
						t.Fatal(err)
					}
					schema = "tandem_store_" + hex.EncodeToString(rnd[:])
					t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS " + e.dialect.QuoteIdent(schema)) })
				}
				s, err := sqlstore.New(db, e.dialect, sqlstore.Options{Schema: schema})
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				var n int
				if err := db.QueryRow("SELECT COUNT(*) FROM " + e.dialect.Qualify(schema, "tandem_moves")).Scan(&n); err != nil {
					t.Fatalf("the moves table is not in schema %q: %v", schema, err)
				}
				return s
			}, storetest.RawWriter(rawWriter))
		})
	}
}

// TestCheckConstraint holds the guard at its lowest layer: any writer of the table, not only
// the store, is refused an illegal pattern, and every program reads the switches with one
// SELECT.
func TestCheckConstraint(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, db := open(t, e, sqlstore.Options{})
			read := func() string {
				t.Helper()
				var sw string
				if err := db.QueryRowContext(ctx, "SELECT switches FROM tandem_moves WHERE move = 'orders'").Scan(&sw); err != nil {
					t.Fatal(err)
				}
				return sw
			}
			want := []string{"1101", "1101", "1101", "0111", "0011", "0011"}
			for i, to := range tandem.Phases[1:] {
				if _, err := s.Transition(ctx, "orders", int64(i), to, tandem.Transition{By: "test"}); err != nil {
					t.Fatal(err)
				}
				if got := read(); got != want[i] {
					t.Errorf("switches column after the step to %s = %q, want %q", to, got, want[i])
				}
			}
			for _, sw := range []string{"1111", "0000", "0110", "1000"} {
				if _, err := db.ExecContext(ctx, "UPDATE tandem_moves SET switches = '"+sw+"' WHERE move = 'orders'"); err == nil {
					t.Errorf("a plain UPDATE to %s was accepted", sw)
				}
			}
			if _, err := db.ExecContext(ctx, "UPDATE tandem_moves SET phase = 'done' WHERE move = 'orders'"); err == nil {
				t.Error("a plain UPDATE to an unknown phase was accepted")
			}
			if got := read(); got != "0011" {
				t.Errorf("switches column after refused updates = %q, want 0011", got)
			}
			if err := s.SetSwitchesRaw(ctx, "orders", "1010"); !errors.Is(err, tandem.ErrIllegalSwitches) {
				t.Errorf("SetSwitchesRaw(1010): %v, want an error wrapping ErrIllegalSwitches", err)
			}
		})
	}
}

// TestNewTwice: New on a database that already has the tables keeps their rows.
func TestNewTwice(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, db := open(t, e, sqlstore.Options{})
			if _, err := s.Transition(ctx, "orders", 0, tandem.PhaseDualWrite, tandem.Transition{By: "a"}); err != nil {
				t.Fatal(err)
			}
			s2, err := sqlstore.New(db, e.dialect, sqlstore.Options{})
			if err != nil {
				t.Fatalf("second New: %v", err)
			}
			st, err := s2.State(ctx, "orders")
			if err != nil {
				t.Fatal(err)
			}
			if st.Phase != tandem.PhaseDualWrite || st.Version != 1 {
				t.Errorf("state after a second New = %s version %d, want dual-write version 1", st.Phase, st.Version)
			}
		})
	}
}
