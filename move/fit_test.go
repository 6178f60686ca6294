package move

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fitYAML moves users(id, name, big, price, age_text) into accounts(id, full_name, score,
// amount, age): text into a bounded column, a bigint into an int, numeric(10,4) into
// numeric(5,2), and on SQLite text into a typed column.
const fitYAML = `from: {table: users}
to: {table: accounts}
key: [id]
mapping:
  id: id
  full_name: name
  score: big
  amount: price
  age: age_text
`

// fitUsers is A in every fit case; rows are inserted by each case.
const fitUsers = "CREATE TABLE users (id bigint NOT NULL PRIMARY KEY, name varchar(100), big bigint, price numeric(10,4), age_text text)"

// fitAccounts renders B for tg: columns is the body of the CREATE TABLE after id; suffix ends
// it (STRICT on SQLite, whose STRICT tables know INTEGER but not bigint).
func fitAccounts(tg target, columns, suffix string) string {
	id := "bigint"
	if suffix == " STRICT" {
		id = "INTEGER"
	}
	return "CREATE TABLE accounts (id " + id + " NOT NULL PRIMARY KEY, " + columns + ")" + suffix
}

// plainAccounts is B with no limits the fixture's rows could break.
const plainAccounts = "full_name varchar(100), score bigint, amount numeric(10,4), age text"

func TestCheckFindsRowsBRefuses(t *testing.T) {
	const file = "moves/users_to_accounts.yaml"
	type tc struct {
		name string
		yaml string // "" means fitYAML
		only func(target) bool
		// b returns the body of B for a target (after "id bigint NOT NULL PRIMARY KEY, ") and
		// what ends its CREATE TABLE.
		b    func(tg target) (string, string)
		rows []string // INSERT INTO users ... statements
		want []string
	}
	not := func(names ...string) func(target) bool {
		return func(tg target) bool {
			for _, n := range names {
				if tg.name == n {
					return false
				}
			}
			return true
		}
	}
	only := func(names ...string) func(target) bool {
		return func(tg target) bool { return !not(names...)(tg) }
	}
	cases := []tc{
		{
			name: "unfilled NOT NULL column",
			b: func(target) (string, string) {
				return plainAccounts + ", req integer NOT NULL", ""
			},
			rows: []string{"INSERT INTO users (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e'), (6, 'f'), (7, 'g')"},
			want: []string{file + ":2: B's column req is NOT NULL and has no default, but the mapping does not fill it: every row of A would fail (7 rows, e.g. (1), (2), (3), (4), (5)); map it, or give the column a default"},
		},
		{
			name: "NULL into a NOT NULL column",
			b: func(target) (string, string) {
				return "full_name varchar(100) NOT NULL, score bigint, amount numeric(10,4), age text", ""
			},
			rows: []string{"INSERT INTO users (id, name) VALUES (1, 'a'), (2, NULL), (3, 'c'), (4, NULL)"},
			want: []string{file + ":6: mapping full_name: name is NULL in 2 rows of A, e.g. (2), (4), but B's column full_name is NOT NULL; fill it in the expression (e.g. with COALESCE) or fix those rows"},
		},
		{
			// Excess trailing spaces are dropped by PostgreSQL and MariaDB alike: not a problem.
			name: "too long",
			only: not("sqlite"),
			b: func(target) (string, string) {
				return "full_name varchar(10), score bigint, amount numeric(10,4), age text", ""
			},
			rows: []string{"INSERT INTO users (id, name) VALUES (1, 'Ann'), (2, 'Bartholomew'), (3, 'Cy        '), (4, 'Di              '), (5, 'Evangelina Featherstonehaugh'), (6, 'Françoise!')"},
			want: []string{file + ":6: mapping full_name: name is longer than the 10 characters of B's column full_name in 2 rows of A, e.g. (2), (5); shorten it in the expression or widen the column"},
		},
		{
			name: "too long: SQLite does not enforce a length",
			only: only("sqlite"),
			b: func(target) (string, string) {
				return "full_name varchar(10), score bigint, amount numeric(10,4), age text", ""
			},
			rows: []string{"INSERT INTO users (id, name) VALUES (1, 'Ann'), (2, 'Bartholomew')"},
		},
		{
			name: "integer and numeric overflow",
			only: not("sqlite"),
			b: func(target) (string, string) {
				return "full_name varchar(100), score integer, amount numeric(5,2), age text, tiny smallint", ""
			},
			yaml: fitYAML + "  tiny: big - 2147483600\n",
			rows: []string{
				"INSERT INTO users (id, big, price) VALUES (1, 1, 1), (2, 2147483647, 999.994), (3, 3000000000, -999.994), (4, -2147483648, 0), (5, -2147483649, 999.995), (6, 2147483646, -999.9951)",
			},
			want: []string{
				file + ":7: mapping score: big is out of the range of B's column score (-2147483648 to 2147483647) in 2 rows of A, e.g. (3), (5); convert it in the expression or widen the column",
				file + ":8: mapping amount: price is too large for B's column amount (numeric(5,2): below 1000 in absolute value once rounded to 2 decimals) in 2 rows of A, e.g. (5), (6); round or cap it in the expression, or widen the column",
				file + ":10: mapping tiny: big - 2147483600 is out of the range of B's column tiny (-32768 to 32767) in 4 rows of A, e.g. (1), (3), (4), (5); convert it in the expression or widen the column",
			},
		},
		{
			name: "SQLite STRICT types",
			only: only("sqlite"),
			b: func(target) (string, string) {
				return "full_name TEXT, score INTEGER, amount REAL, age INTEGER", " STRICT"
			},
			rows: []string{
				"INSERT INTO users (id, name, big, price, age_text) VALUES (1, 'a', 1, 1.5, '42'), (2, 'b', 2, 2, ' 7 '), (3, 'c', 3, 3, '12.0'), (4, 'd', 4, 4, 'abc'), (5, 'e', 5, 5, '2.5'), (6, x'01', 6, 6, x'02'), (7, 'g', 7, 7, NULL), (8, 'h', 8, 'x', '1e3')",
			},
			want: []string{
				file + ":6: mapping full_name: name gives values that B's column full_name (TEXT, in a STRICT table) cannot store in 1 row of A, e.g. (6); convert them in the expression (e.g. with CAST) or fix those rows",
				file + ":8: mapping amount: price gives values that B's column amount (REAL, in a STRICT table) cannot store in 1 row of A, e.g. (8); convert them in the expression (e.g. with CAST) or fix those rows",
				file + ":9: mapping age: age_text gives values that B's column age (INTEGER, in a STRICT table) cannot store in 3 rows of A, e.g. (4), (5), (6); convert them in the expression (e.g. with CAST) or fix those rows",
			},
		},
		{
			// Without STRICT, SQLite stores what it cannot convert as it is; a CHECK refuses it.
			name: "SQLite CHECK constraints",
			only: only("sqlite"),
			b: func(target) (string, string) {
				return "full_name TEXT, score INTEGER, amount REAL, age INTEGER CHECK (typeof(age) = 'integer'), CONSTRAINT short CHECK (length(full_name) <= 5)", ""
			},
			rows: []string{
				"INSERT INTO users (id, name, age_text) VALUES (1, 'a', '42'), (2, 'b', ' 7 '), (3, 'c', '12.0'), (4, 'd', 'abc'), (5, 'e', '2.5'), (6, 'longer', '1'), (7, 'g', NULL)",
			},
			want: []string{
				// NULL is not an integer either: typeof(NULL) is 'null'.
				file + ":2: B's CHECK (typeof(age) = 'integer') refuses the mapped values in 3 rows of A, e.g. (4), (5), (7); fix those rows or the mapping",
				file + ":2: B's CHECK (length(full_name) <= 5) refuses the mapped values in 1 row of A, e.g. (6); fix those rows or the mapping",
			},
		},
	}
	for _, tg := range targets {
		for _, c := range cases {
			if c.only != nil && !c.only(tg) {
				continue
			}
			t.Run(tg.name+"/"+c.name, func(t *testing.T) {
				y := c.yaml
				if y == "" {
					y = fitYAML
				}
				cols, suffix := c.b(tg)
				m := newFitMove(t, tg, y, fitAccounts(tg, cols, suffix), c.rows)
				ctx := testCtx(t)
				rep, err := m.Check(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, p := range rep.Problems {
					got = append(got, p.Message)
				}
				if d := cmp.Diff(c.want, got); d != "" {
					t.Fatalf("problems (-want +got):\n%s", d)
				}
				if len(c.want) == 0 {
					// What check passes, the backfill copies.
					backfillAll(t, m)
					return
				}
				// start refuses while the check finds problems.
				if startRefused == nil {
					t.Fatal("startRefused is not set: gate_test.go sets it")
				}
				startRefused(t, ctx, m, c.want[0])
				// The problems are real: the backfill, run anyway, fails on them.
				if _, err := m.FixBound(ctx); err != nil {
					t.Fatal(err)
				}
				if err := (&Backfiller{Move: m}).Run(ctx); err == nil {
					t.Fatal("the backfill copies every row that check says B refuses")
				}
			})
		}
	}
}

// TestCheckPassesWhatFits is the control: values right at B's limits, NOT NULL columns that
// fill themselves (a default, an identity or AUTO_INCREMENT column), and on SQLite text that
// converts losslessly; the check passes and the backfill copies every row.
func TestCheckPassesWhatFits(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			extra, suffix := ", req integer NOT NULL DEFAULT 7", ""
			rows := []string{
				"INSERT INTO users (id, name, big, price, age_text) VALUES (1, 'Exactly 20 chars abc', 2147483647, 999.994, '42'), (2, 'Françoise Dupont-Ré', -2147483648, -999.99, ' 7 '), (3, NULL, NULL, NULL, NULL), (4, 'Ann     ', 0, 0.005, '12')",
			}
			switch tg.dialB.Name() {
			case "postgres":
				extra += ", seq bigint GENERATED BY DEFAULT AS IDENTITY, ser serial, twice bigint GENERATED ALWAYS AS (id * 2) STORED"
			case "mysql":
				extra += ", seq bigint NOT NULL AUTO_INCREMENT, UNIQUE KEY (seq), at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP"
			case "sqlite":
				extra, suffix = ", req INTEGER NOT NULL DEFAULT 7", " STRICT"
				rows = append(rows, "INSERT INTO users (id, name, big, price, age_text) VALUES (5, 'e', 5, 5, '12.0'), (6, 'f', 6, 6, '1e3')")
			}
			cols := "full_name varchar(20), score integer, amount numeric(5,2), age text" + extra
			if tg.dialB.Name() == "sqlite" {
				cols = "full_name TEXT, score INTEGER, amount REAL, age INTEGER CHECK (age IS NULL OR typeof(age) = 'integer')" + extra
			}
			m := newFitMove(t, tg, fitYAML, fitAccounts(tg, cols, suffix), rows)
			rep, err := m.Check(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Fatalf("check: %s", rep)
			}
			backfillAll(t, m)
		})
	}
}

// newFitMove replaces the fixture's tables with users (fitUsers) and accounts (b), inserts rows
// into users, and returns the move of def.
func newFitMove(t *testing.T, tg target, yaml, b string, rows []string) *Move {
	t.Helper()
	m := newMoveYAML(t, tg, yaml)
	mustExec(t, m.A.DB, "DROP TABLE users")
	mustExec(t, m.B.DB, "DROP TABLE accounts")
	mustExec(t, m.A.DB, fitUsers)
	mustExec(t, m.B.DB, b)
	for _, r := range rows {
		mustExec(t, m.A.DB, r)
	}
	return m
}

// backfillAll fixes the bound, runs the backfill and checks that B has every row of A.
func backfillAll(t *testing.T, m *Move) {
	t.Helper()
	ctx := testCtx(t)
	if _, err := m.FixBound(ctx); err != nil {
		t.Fatal(err)
	}
	if err := (&Backfiller{Move: m}).Run(ctx); err != nil {
		t.Fatalf("backfill after a passing check: %v", err)
	}
	var a, b int
	if err := m.A.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&a); err != nil {
		t.Fatal(err)
	}
	if err := m.B.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM accounts").Scan(&b); err != nil {
		t.Fatal(err)
	}
	if a != b || a == 0 {
		t.Fatalf("B has %d rows, A %d; want all of A copied", b, a)
	}
}
