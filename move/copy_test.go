package move

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/project"
)

// Across databases, a backfill into PostgreSQL loads its batches with COPY: jsonb, timestamptz,
// numeric and NULLs arrive as they are in A. From MariaDB, values COPY cannot take as read
// make the batch insert instead; either way B ends equal to A.
func TestBackfillAcrossLoadsWithCopy(t *testing.T) {
	const rows = 3000
	cases := []struct {
		name       string
		a          func(testing.TB) string
		da         tandem.Dialect
		schemaA    string
		ddlA, fill string
		wantCopy   bool
	}{
		{"postgres-to-postgres", testdb.Postgres, postgres.New(), "public",
			"CREATE TABLE src (id bigint PRIMARY KEY, doc jsonb, at timestamptz, amount numeric(10,2), note text)",
			"INSERT INTO src SELECT g, jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g % 7)), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', g / 100.0, CASE WHEN g % 5 = 0 THEN NULL ELSE 'note ' || g END FROM generate_series(1, 3000) g",
			true},
		{"mariadb-to-postgres", testdb.MySQL, mysql.New(), "",
			"CREATE TABLE src (id bigint PRIMARY KEY, doc json, at datetime(6), amount decimal(10,2), note text)",
			"INSERT INTO src SELECT seq, JSON_OBJECT('n', seq), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq MINUTE, seq / 100, CASE WHEN seq % 5 = 0 THEN NULL ELSE CONCAT('note ', seq) END FROM seq_1_to_3000",
			false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := testCtx(t)
			adb, bdb := testdb.Open(t, c.a(t)), testdb.Open(t, testdb.Postgres(t))
			mustExec(t, adb, c.ddlA)
			mustExec(t, adb, c.fill)
			mustExec(t, bdb, "CREATE TABLE dst (id bigint PRIMARY KEY, doc jsonb, at timestamptz, amount numeric(10,2), note text)")
			def, err := project.ParseMove("moves/copy.yaml", []byte("from: {table: src}\nto: {table: dst}\nkey: [id]\nmapping: {id: id, doc: doc, at: at, amount: amount, note: note}\n"))
			if err != nil {
				t.Fatal(err)
			}
			m := &Move{Def: def, A: Side{DB: adb, Dialect: c.da, Schema: c.schemaA, Table: "src"}, B: Side{DB: bdb, Dialect: postgres.New(), Schema: "public", Table: "dst"}}
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			if err := (&Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 500}}).Run(ctx); err != nil {
				t.Fatal(err)
			}
			r, err := m.forward(ctx)
			if err != nil {
				t.Fatal(err)
			}
			copied := !r.noCopy.Load()
			t.Logf("loaded with COPY: %v", copied)
			if c.wantCopy && !copied {
				t.Errorf("the backfill fell back to INSERT where COPY should load every batch")
			}
			if cp, err := m.Checkpoint(ctx); err != nil || !cp.Done || cp.RowsCopied != rows {
				t.Fatalf("checkpoint %+v, %v", cp, err)
			}
			got := dump(t, bdb, "SELECT id, doc::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), amount::text, coalesce(note, '<null>') FROM dst ORDER BY id")
			if len(got) != rows {
				t.Fatalf("B has %d rows, want %d", len(got), rows)
			}
			for _, i := range []int{0, 4, 1234, rows - 1} {
				n := i + 1
				row := got[i]
				if !strings.HasPrefix(row, strconv.Itoa(n)+"|{") || !strings.Contains(row, `"n": `+strconv.Itoa(n)) {
					t.Errorf("row %d = %q", n, row)
				}
				if (n%5 == 0) != strings.HasSuffix(row, "|<null>") {
					t.Errorf("row %d = %q: the note's NULL did not survive", n, row)
				}
			}
			if v := verifyOK(t, m); !v {
				t.Errorf("verify finds differences after the backfill")
			}
		})
	}
}

func dump(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

func verifyOK(t *testing.T, m *Move) bool {
	t.Helper()
	rep, err := m.Verify(testCtx(t), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Logf("verify: %s", rep)
	}
	return rep.OK()
}

// failingLoader is PostgreSQL whose COPY fails, as it does for a value it cannot encode.
type failingLoader struct {
	postgres.Dialect
	calls *int
}

func (f failingLoader) LoadRows(context.Context, *sql.Conn, string, string, []string, [][]any) error {
	*f.calls++
	return errors.New("cannot encode a value")
}

// When COPY fails, the batch is retried with INSERTs and the route inserts from then on: the
// backfill still ends with every row copied once.
func TestBackfillFallsBackFromCopy(t *testing.T) {
	ctx := testCtx(t)
	tg, _ := targetNamed("mariadb-to-postgres")
	ua, ub := tg.urls(t)
	a, b := tg.sides(testdb.Open(t, ua), testdb.Open(t, ub))
	calls := 0
	b.Dialect = failingLoader{calls: &calls}
	def, err := project.ParseMove("moves/users_to_accounts.yaml", []byte(fixtureYAML))
	if err != nil {
		t.Fatal(err)
	}
	m := setupMove(t, tg, def, a, b)
	insertUsers(t, m.A, 1, 2000)
	if _, err := m.FixBound(ctx); err != nil {
		t.Fatal(err)
	}
	if err := (&Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 300}}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("COPY was tried %d times; want once, then INSERTs", calls)
	}
	if cp, err := m.Checkpoint(ctx); err != nil || !cp.Done || cp.RowsCopied != 2000 || cp.RowsScanned != 2000 {
		t.Fatalf("checkpoint %+v, %v", cp, err)
	}
	diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
}
