// Package movetest holds the fixture that the tests of the packages around move (metrics,
// coord) share: a move of users(id, first_name, last_name, email, note) into
// accounts(id, full_name, email unique, remark) on each arrangement of databases. It is the
// exported twin of move's own test helpers, which move's internal tests cannot import.
package movetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/project"
)

// Target is one arrangement of the two tables under test.
type Target struct {
	Name         string
	Shared       bool
	DialA, DialB tandem.Dialect
	Schema       string // physical schema of both tables ("" for the URL's database)
	// URLs creates fresh databases and returns their URLs (the same one twice when shared).
	URLs func(t testing.TB) (a, b string)
}

// Targets are every arrangement: one database of each engine, and MariaDB to PostgreSQL.
var Targets = []Target{
	{"sqlite", true, sqlite.New(), sqlite.New(), "", func(t testing.TB) (string, string) { u := testdb.SQLite(t); return u, u }},
	{"postgres", true, postgres.New(), postgres.New(), "public", func(t testing.TB) (string, string) { u := testdb.Postgres(t); return u, u }},
	{"mariadb", true, mysql.New(), mysql.New(), "", func(t testing.TB) (string, string) { u := testdb.MySQL(t); return u, u }},
	{"mariadb-to-postgres", false, mysql.New(), postgres.New(), "", func(t testing.TB) (string, string) { return testdb.MySQL(t), testdb.Postgres(t) }},
}

// TargetNamed returns the target of that name.
func TargetNamed(name string) (Target, bool) {
	for _, tg := range Targets {
		if tg.Name == name {
			return tg, true
		}
	}
	return Target{}, false
}

// Open creates the target's databases and returns A's and B's sides.
func (tg Target) Open(t testing.TB) (move.Side, move.Side) {
	ua, ub := tg.URLs(t)
	a, b := testdb.Open(t, ua), testdb.Open(t, ub)
	if tg.Shared {
		b = a
	}
	sb := tg.Schema
	if tg.DialB.Name() == "postgres" {
		sb = "public"
	}
	return move.Side{DB: a, Dialect: tg.DialA, Schema: tg.Schema, Table: "users"}, move.Side{DB: b, Dialect: tg.DialB, Schema: sb, Table: "accounts"}
}

// FixtureYAML is the fixture's move file: a renamed column, two concatenated and one
// lower-cased, with a reverse mapping.
const FixtureYAML = `from: {table: users}
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

// NewMove creates the fixture's tables on tg and returns the move.
func NewMove(t testing.TB, tg Target) *move.Move {
	t.Helper()
	def, err := project.ParseMove("moves/users_to_accounts.yaml", []byte(FixtureYAML))
	if err != nil {
		t.Fatal(err)
	}
	a, b := tg.Open(t)
	MustExec(t, a.DB, "CREATE TABLE users (id bigint NOT NULL PRIMARY KEY, first_name varchar(50), last_name varchar(50), email varchar(100), note text)")
	MustExec(t, b.DB, "CREATE TABLE accounts (id bigint NOT NULL PRIMARY KEY, full_name varchar(120), email varchar(100), remark text)")
	MustExec(t, b.DB, "CREATE UNIQUE INDEX accounts_email_key ON accounts (email)")
	return &move.Move{Def: def, A: a, B: b, Shared: tg.Shared}
}

// MustExec runs stmt on db or fails the test.
func MustExec(t testing.TB, db *sql.DB, stmt string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// InsertUsers inserts users with ids from..to (inclusive) in one transaction.
func InsertUsers(t testing.TB, s move.Side, from, to int) {
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
			p := make([]string, 5)
			for i := range p {
				p[i] = s.Dialect.Placeholder(len(args) + 1 + i)
			}
			vals = append(vals, "("+strings.Join(p, ", ")+")")
			var note any = fmt.Sprintf("note %d", id)
			if id%7 == 0 {
				note = nil
			}
			args = append(args, id, fmt.Sprintf("First%d", id), fmt.Sprintf("Last%d", id), fmt.Sprintf("User%d@Example.COM", id), note)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO users (id, first_name, last_name, email, note) VALUES "+strings.Join(vals, ", "), args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// Ctx is a context that ends with the test, or after five minutes.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
