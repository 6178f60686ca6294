package dialecttest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

// testMoving holds the abilities online table moves use to what each dialect claims: the
// types of tandem's own tables, unique indexes, row hash sums (where the dialect provides
// tandem.RowHasher), load probes and lock clauses.
func (s *suite) testMoving(t *testing.T) {
	ctx := ctxT(t)
	q := func(name string) string { return s.d.Qualify(s.schema, name) }
	{
		// A table of every kind holds and returns a row; the key column is case-sensitive.
		s.exec(t, "CREATE TABLE "+q("dt_kinds")+" (id "+s.d.ColumnType(tandem.SerialKeyColumn)+", k "+s.d.ColumnType(tandem.KeyColumn)+
			" NOT NULL, body "+s.d.ColumnType(tandem.TextColumn)+", at "+s.d.ColumnType(tandem.TimeColumn)+", UNIQUE (k))")
		ins := "INSERT INTO " + q("dt_kinds") + " (k, body, at) VALUES (" + s.d.Placeholder(1) + ", " + s.d.Placeholder(2) + ", CURRENT_TIMESTAMP)"
		for _, k := range []string{"Orders", "orders"} {
			if _, err := s.db.ExecContext(ctx, ins, k, strings.Repeat("long text ", 1000)); err != nil {
				t.Fatalf("insert key %q: %v (KeyColumn must compare case-sensitively, TextColumn hold 10k characters)", k, err)
			}
		}
		var n, maxID int64
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*), MAX(id) FROM "+q("dt_kinds")).Scan(&n, &maxID); err != nil || n != 2 || maxID < 2 {
			t.Errorf("rows %d, max id %d, %v; want 2 rows with ids given by the serial key", n, maxID, err)
		}
	}

	{
		s.exec(t, "CREATE TABLE "+q("dt_uniq")+" (id integer PRIMARY KEY, a integer, b varchar(20), c integer)",
			"CREATE UNIQUE INDEX dt_uniq_ba ON "+q("dt_uniq")+" (b, a)",
			"CREATE INDEX dt_uniq_plain ON "+q("dt_uniq")+" (c)")
		got, err := s.d.UniqueIndexes(ctx, s.db, s.schema, "dt_uniq")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != "[{dt_uniq_ba [b a]}]" {
			t.Errorf("UniqueIndexes = %v, want [{dt_uniq_ba [b a]}] (columns in index order, no primary key, no plain index)", got)
		}
		if got, err := s.d.UniqueIndexes(ctx, s.db, s.schema, "DT_UNIQ"); err != nil || len(got) != 1 {
			t.Errorf("UniqueIndexes(DT_UNIQ) = %v, %v; want the same index whatever the case of the name", got, err)
		}
	}

	if rh, ok := s.d.(tandem.RowHasher); ok {
		s.exec(t, "CREATE TABLE "+q("dt_hash")+" (id integer PRIMARY KEY, a varchar(20), b varchar(20))")
		ins := "INSERT INTO " + q("dt_hash") + " (id, a, b) VALUES (" + s.d.Placeholder(1) + ", " + s.d.Placeholder(2) + ", " + s.d.Placeholder(3) + ")"
		for _, r := range [][]any{{1, "a|b", "c"}, {2, "a", "b|c"}, {3, nil, "x"}, {4, "", "x"}, {5, "same", "same"}, {6, "same", "same"}} {
			if _, err := s.db.ExecContext(ctx, ins, r...); err != nil {
				t.Fatal(err)
			}
		}
		cols := []tandem.Column{{Name: "a", Type: "varchar(20)"}, {Name: "b", Type: "varchar(20)"}}
		sum := func(ids string) string {
			var out string
			stmt := "SELECT " + rh.RowHashSum([]string{s.d.QuoteIdent("a"), s.d.QuoteIdent("b")}, cols) + " FROM " + q("dt_hash") + " WHERE id IN (" + ids + ")"
			if err := s.db.QueryRowContext(ctx, stmt).Scan(&out); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
			return out
		}
		if sum("1") == sum("2") {
			t.Errorf("(a|b, c) and (a, b|c) hash alike")
		}
		if sum("3") == sum("4") {
			t.Errorf("NULL and '' hash alike")
		}
		if sum("5") != sum("6") || sum("5") == sum("5, 6") {
			t.Errorf("equal rows must hash alike and their sum must differ from one: %s %s %s", sum("5"), sum("6"), sum("5, 6"))
		}
		if got := sum("99"); got != "0" {
			t.Errorf("the sum over no rows = %q, want 0", got)
		}
	}

	{
		if stmt := s.d.ReplicaLagQuery(); stmt != "" {
			var lag float64
			if err := s.db.QueryRowContext(ctx, stmt).Scan(&lag); err != nil || lag < 0 {
				t.Errorf("ReplicaLagQuery: %v, %v", lag, err)
			}
		}
		if stmt := s.d.ActiveSessionsQuery(); stmt != "" {
			var n int
			if err := s.db.QueryRowContext(ctx, stmt).Scan(&n); err != nil || n < 0 {
				t.Errorf("ActiveSessionsQuery: %v, %v", n, err)
			}
		}
	}

	{
		// Every lock clause is accepted after a SELECT, in a transaction.
		s.exec(t, "CREATE TABLE "+q("dt_lock")+" (id integer PRIMARY KEY)", "INSERT INTO "+q("dt_lock")+" (id) VALUES (1)")
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, mode := range []tandem.LockMode{tandem.LockShare, tandem.LockKeyShare, tandem.LockUpdate} {
			stmt := "SELECT id FROM " + q("dt_lock") + " WHERE id = 1" + s.d.LockClause(mode)
			rows, err := tx.QueryContext(ctx, stmt)
			if err != nil {
				t.Errorf("%s: %v", stmt, err)
				continue
			}
			rows.Close()
		}
	}
}
