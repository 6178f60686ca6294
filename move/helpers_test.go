package move

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/project"
)

// target is one arrangement of the two tables under test.
type target struct {
	name         string
	shared       bool
	dialA, dialB tandem.Dialect
	schema       string // physical schema of both tables ("" for the URL's database)
	// urls creates fresh databases and returns their URLs (the same one twice when shared).
	urls func(t testing.TB) (a, b string)
}

var targets = []target{
	{"sqlite", true, sqlite.New(), sqlite.New(), "", func(t testing.TB) (string, string) { u := testdb.SQLite(t); return u, u }},
	{"postgres", true, postgres.New(), postgres.New(), "public", func(t testing.TB) (string, string) { u := testdb.Postgres(t); return u, u }},
	{"mariadb", true, mysql.New(), mysql.New(), "", func(t testing.TB) (string, string) { u := testdb.MySQL(t); return u, u }},
	{"mariadb-to-postgres", false, mysql.New(), postgres.New(), "", func(t testing.TB) (string, string) { return testdb.MySQL(t), testdb.Postgres(t) }},
}

func (tg target) open(t testing.TB) (Side, Side) {
	ua, ub := tg.urls(t)
	return tg.sides(testdb.Open(t, ua), testdb.Open(t, ub))
}

func (tg target) sides(a, b *sql.DB) (Side, Side) {
	if tg.shared {
		b = a
	}
	sb := tg.schema
	if tg.dialB.Name() == "postgres" {
		sb = "public"
	}
	return Side{DB: a, Dialect: tg.dialA, Schema: tg.schema, Table: "users"}, Side{DB: b, Dialect: tg.dialB, Schema: sb, Table: "accounts"}
}

func targetNamed(name string) (target, bool) {
	for _, tg := range targets {
		if tg.name == name {
			return tg, true
		}
	}
	return target{}, false
}

// fixture is a move of users(id, first_name, last_name, email, note) into
// accounts(id, full_name, email unique, remark): a renamed column, two concatenated and one
// lower-cased.
const fixtureYAML = `from: {table: users}
to: {table: accounts}
key: [id]
mapping:
  id: id
  full_name: CONCAT(first_name, ' ', last_name)
  email: lower(email)
  remark: note
reverse:
  id: id
  first_name: full_name
  last_name: "''"
  email: email
  note: remark
`

func ddl(d tandem.Dialect) []string {
	return []string{
		"CREATE TABLE users (id bigint NOT NULL PRIMARY KEY, first_name varchar(50), last_name varchar(50), email varchar(100), note text)",
		"CREATE TABLE accounts (id bigint NOT NULL PRIMARY KEY, full_name varchar(120), email varchar(100), remark text)",
		"CREATE UNIQUE INDEX accounts_email_key ON accounts (email)",
	}
}

// newMove creates the fixture's tables on tg and returns the move.
func newMove(t testing.TB, tg target) *Move {
	t.Helper()
	return newMoveYAML(t, tg, fixtureYAML)
}

func newMoveYAML(t testing.TB, tg target, yaml string) *Move {
	t.Helper()
	def, err := project.ParseMove("moves/users_to_accounts.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	a, b := tg.open(t)
	return setupMove(t, tg, def, a, b)
}

func setupMove(t testing.TB, tg target, def *tandem.MoveDefinition, a, b Side) *Move {
	t.Helper()
	stmts := ddl(a.Dialect)
	mustExec(t, a.DB, stmts[0])
	mustExec(t, b.DB, stmts[1])
	mustExec(t, b.DB, stmts[2])
	return &Move{Def: def, A: a, B: b, Shared: tg.shared}
}

func mustExec(t testing.TB, db *sql.DB, stmt string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// ph renders n placeholders for s's dialect from first on.
func ph(s Side, first, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = s.Dialect.Placeholder(first + i)
	}
	return strings.Join(p, ", ")
}

// insertUsers inserts users with ids from..to (inclusive) in one transaction.
func insertUsers(t testing.TB, s Side, from, to int) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for lo := from; lo <= to; lo += 200 {
		hi := min(to, lo+199)
		var (
			vals []string
			args []any
		)
		for id := lo; id <= hi; id++ {
			vals = append(vals, "("+ph(s, len(args)+1, 5)+")")
			args = append(args, id, fmt.Sprintf("First%d", id), fmt.Sprintf("Last%d", id), fmt.Sprintf("User%d@Example.COM", id), noteFor(id))
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO users (id, first_name, last_name, email, note) VALUES "+strings.Join(vals, ", "), args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func noteFor(id int) any {
	if id%7 == 0 {
		return nil
	}
	return fmt.Sprintf("note %d", id)
}

// account is one row of B as the tests compare it.
type account struct {
	ID       int64
	FullName string
	Email    string
	Remark   *string
}

func readAccounts(t testing.TB, s Side) []account {
	t.Helper()
	rows, err := s.DB.QueryContext(context.Background(), "SELECT id, full_name, email, remark FROM accounts ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []account
	for rows.Next() {
		var a account
		if err := rows.Scan(&a.ID, &a.FullName, &a.Email, &a.Remark); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// expectedAccounts computes mapping(A) in Go from A's rows.
func expectedAccounts(t testing.TB, s Side, upTo int64) []account {
	t.Helper()
	rows, err := s.DB.QueryContext(context.Background(), "SELECT id, first_name, last_name, email, note FROM users ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []account
	for rows.Next() {
		var (
			a           account
			first, last string
		)
		if err := rows.Scan(&a.ID, &first, &last, &a.Email, &a.Remark); err != nil {
			t.Fatal(err)
		}
		if upTo > 0 && a.ID > upTo {
			continue
		}
		a.FullName = first + " " + last
		a.Email = strings.ToLower(a.Email)
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func diffAccounts(t testing.TB, want, got []account) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("B differs from mapping(A) (-want +got):\n%s", d)
	}
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func init() {
	// Subprocess helper mode for the kill test: see TestBackfillKilled.
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelper())
	}
}

func testdbOpen(t testing.TB, url string) *sql.DB { return testdb.Open(t, url) }
