package open_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/dialecttest"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/move/open"
)

var dialects = tandem.Dialects{"postgres": postgres.New(), "mysql": mysql.New(), "sqlite": sqlite.New()}

// opener opens a URL as a program does, counting what it opened.
func opener(opened *[]string) open.Opener {
	return func(ctx context.Context, raw string) (*sql.DB, tandem.Dialect, error) {
		u, err := dburl.Parse(raw, "")
		if err != nil {
			return nil, nil, err
		}
		db, err := sql.Open(u.Driver, u.DSN)
		if err != nil {
			return nil, nil, err
		}
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, nil, fmt.Errorf("connect to %s: %w", u.Redacted, err)
		}
		*opened = append(*opened, u.Redacted)
		return db, dialects[u.Dialect], nil
	}
}

// TestSharedDatabase opens a move whose tables are in one database, reached through the same
// URL or two spellings of it, and one whose tables are in two databases of one server: only
// the databases' identities decide whether the move is Shared.
func TestSharedDatabase(t *testing.T) {
	servers := []struct {
		name  string
		fresh func(testing.TB) string
	}{
		{"postgres", testdb.Postgres},
		{"mariadb", testdb.MySQL},
		{"sqlite", testdb.SQLite},
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			main := srv.fresh(t)
			cases := []struct {
				name   string
				to     string // B's URL; "": the environment's
				shared bool
			}{
				{"the environment's database", "", true},
				{"the same URL", main, true},
				{"another spelling of the URL", dialecttest.Respell(t, main), true},
				{"another database", srv.fresh(t), false},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					p := &tandem.Project{Config: tandem.Config{Environments: []tandem.Environment{{Name: "dev", URL: main}}}}
					def := &tandem.MoveDefinition{Name: "m", File: "moves/m.yaml",
						From: tandem.MoveTable{Name: "users", Line: 2}, To: tandem.MoveTable{URL: tc.to, Name: "accounts", Line: 3}}
					var opened, learned []string
					m, err := open.Definition(context.Background(), p, "dev", def, open.Options{Open: opener(&opened),
						Learn: func(u string) { learned = append(learned, u) }})
					if err != nil {
						t.Fatal(err)
					}
					defer m.Close()
					if m.Move.Shared != tc.shared {
						t.Errorf("Shared = %v, want %v (B at %q, opened %v)", m.Move.Shared, tc.shared, tc.to, opened)
					}
					if tc.shared && m.Move.A.DB != m.Move.B.DB {
						t.Errorf("A and B share a database but not a connection pool")
					}
					if !tc.shared && m.Move.A.DB == m.Move.B.DB {
						t.Errorf("A and B are in two databases but share a connection pool")
					}
					if want := 1; tc.to == "" && len(opened) != want || tc.to == main && len(opened) != want {
						t.Errorf("opened %v, want the URL written twice opened once", opened)
					}
					if len(learned) == 0 || learned[0] != main {
						t.Errorf("Learn was told %v, want the environment's URL first", learned)
					}
					if m.Store == nil || m.Coord == nil || m.Coord.Move != m.Move {
						t.Errorf("the store or the coordinator is missing: %+v", m)
					}
				})
			}
		})
	}
}

// TestLookup names the moves a project has when the one asked for is not there.
func TestLookup(t *testing.T) {
	p := &tandem.Project{}
	if _, err := open.Lookup(p, "m", "proj"); err == nil || err.Error() != `no move "m": the project has no moves (write moves/m.yaml in proj)` {
		t.Errorf("Lookup in a project without moves: %v", err)
	}
	p.Moves.Defs = []*tandem.MoveDefinition{{Name: "a"}}
	if _, err := open.Lookup(p, "m", "proj"); err == nil || err.Error() != `no move "m" in the project (it has: a); a move is a file moves/NAME.yaml` {
		t.Errorf("Lookup of a move the project does not have: %v", err)
	}
	if def, err := open.Lookup(p, "a", "proj"); err != nil || def.Name != "a" {
		t.Errorf("Lookup(a) = %v, %v", def, err)
	}
}
