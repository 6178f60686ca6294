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
)

// target is one arrangement of the two tables under test.
type target struct {
	name   string
	shared bool
	open   func(t testing.TB) (a, b Side)
}

var targets = []target{
	{"sqlite", true, func(t testing.TB) (Side, Side) {
		db := testdb.Open(t, testdb.SQLite(t))
		return Side{DB: db, Dialect: sqlite.New(), Table: "users"}, Side{DB: db, Dialect: sqlite.New(), Table: "accounts"}
	}},
	{"postgres", true, func(t testing.TB) (Side, Side) {
		db := testdb.Open(t, testdb.Postgres(t))
		return Side{DB: db, Dialect: postgres.New(), Schema: "public", Table: "users"}, Side{DB: db, Dialect: postgres.New(), Schema: "public", Table: "accounts"}
	}},
	{"mariadb", true, func(t testing.TB) (Side, Side) {
		db := testdb.Open(t, testdb.MySQL(t))
		return Side{DB: db, Dialect: mysql.New(), Table: "users"}, Side{DB: db, Dialect: mysql.New(), Table: "accounts"}
	}},
	{"mariadb-to-postgres", false, func(t testing.TB) (Side, Side) {
		a := testdb.Open(t, testdb.MySQL(t))
		b := testdb.Open(t, testdb.Postgres(t))
		return Side{DB: a, Dialect: mysql.New(), Table: "users"}, Side{DB: b, Dialect: postgres.New(), Schema: "public", Table: "accounts"}
	}},
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
	def, err := ParseDefinition("moves/users_to_accounts.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	a, b := tg.open(t)
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
