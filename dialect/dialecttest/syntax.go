package dialecttest

import (
	"errors"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

// testSyntax runs the dialect's upsert forms on tables: Upsert on a table with one unique key,
// and, where the database has it, UpsertOnKey acting on the primary key alone.
func (s *suite) testSyntax(t *testing.T) {
	ctx := ctxT(t)
	syn := s.d.Syntax()
	q := func(name string) string { return s.d.Qualify(s.schema, name) }
	k, v, u := s.d.QuoteIdent("k"), s.d.QuoteIdent("v"), s.d.QuoteIdent("u")
	ph := tandem.Placeholders(s.d, 1, 2)
	s.exec(t, "CREATE TABLE "+q("dt_upsert")+" ("+k+" varchar(20) NOT NULL PRIMARY KEY, "+v+" integer)")
	insert := "INSERT INTO " + q("dt_upsert") + " (" + k + ", " + v + ") VALUES (" + ph + ")"
	value := func(table, key string) int {
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT "+v+" FROM "+q(table)+" WHERE "+k+" = "+s.d.Placeholder(1), key).Scan(&n); err != nil {
			t.Fatalf("read %s %s: %v", table, key, err)
		}
		return n
	}
	exec := func(stmt string, args ...any) int64 {
		t.Helper()
		res, err := s.db.ExecContext(ctx, stmt, args...)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	exec(insert+syn.Upsert(k), "a", 1)
	if n := exec(insert+syn.Upsert(k), "a", 2); n != 0 || value("dt_upsert", "a") != 1 {
		t.Errorf("Upsert(%s) with no columns affected %d rows and left v %d; want the row left alone (0 rows, v 1)", k, n, value("dt_upsert", "a"))
	}
	exec(insert+syn.Upsert(k, v), "a", 3)
	if got := value("dt_upsert", "a"); got != 3 {
		t.Errorf("Upsert(%s, %s) left v %d, want 3", k, v, got)
	}

	tail, ok := syn.UpsertOnKey(k)
	if ok != s.d.Capabilities().ConflictTarget {
		t.Fatalf("Syntax().UpsertOnKey gives a form: %v, but Capabilities().ConflictTarget is %v", ok, s.d.Capabilities().ConflictTarget)
	}
	if !ok {
		if tail != "" || syn.UpdateOnKey != "" {
			t.Errorf("without SkipOnKey, UpsertOnKey = %q and UpdateOnKey = %q; want both empty", tail, syn.UpdateOnKey)
		}
		return
	}
	s.exec(t, "CREATE TABLE "+q("dt_upsert_key")+" ("+k+" varchar(20) NOT NULL PRIMARY KEY, "+u+" integer UNIQUE, "+v+" integer)")
	insertKey := "INSERT INTO " + q("dt_upsert_key") + " (" + k + ", " + u + ", " + v + ") VALUES (" + tandem.Placeholders(s.d, 1, 3) + ")"
	exec(insertKey, "a", 10, 1)
	if n := exec(insertKey+tail, "a", 11, 2); n != 0 || value("dt_upsert_key", "a") != 1 {
		t.Errorf("UpsertOnKey(%s) with no columns affected %d rows; want the row left alone", k, n)
	}
	if _, err := s.db.ExecContext(ctx, insertKey+tail, "b", 10, 0); err == nil {
		t.Errorf("UpsertOnKey(%s) skipped a conflict on another unique key; it must act on %s alone", k, k)
	}
	update, _ := syn.UpsertOnKey(k, u, v)
	exec(insertKey+update, "a", 12, 7)
	if got := value("dt_upsert_key", "a"); got != 7 {
		t.Errorf("UpsertOnKey(%s, %s, %s) left v %d, want 7", k, u, v, got)
	}
}

// testNames checks DefaultSchema and TableName: the default schema is where a fresh session
// creates an unqualified table, and TableName finds a table whatever the case it is written in.
func (s *suite) testNames(t *testing.T) {
	ctx := ctxT(t)
	conn := s.conn(t, s.db)
	ds, err := s.d.DefaultSchema(ctx, conn)
	if err != nil {
		t.Fatalf("DefaultSchema: %v", err)
	}
	if !s.d.Capabilities().Schemas {
		if ds != "" {
			t.Errorf("DefaultSchema without schemas = %q, want \"\"", ds)
		}
	} else {
		s.exec(t, "CREATE TABLE "+s.d.QuoteIdent("dt_default_schema")+" (id integer)")
		t.Cleanup(func() { _ = s.d.DropObject(ctx, s.db, ds, tandem.Table, "dt_default_schema") })
		if _, err := s.d.Columns(ctx, s.db, ds, "dt_default_schema"); err != nil {
			t.Errorf("an unqualified table is not in DefaultSchema %q: %v", ds, err)
		}
	}

	s.exec(t, "CREATE TABLE "+s.d.Qualify(s.schema, "dt_Named")+" (id integer)")
	for _, written := range []string{"dt_Named", "DT_NAMED", "dt_named"} {
		got, err := s.d.TableName(ctx, s.db, s.schema, written)
		if err != nil || !strings.EqualFold(got, "dt_Named") {
			t.Errorf("TableName(%q) = %q, %v; want dt_Named as the catalog spells it", written, got, err)
			continue
		}
		if _, err := s.d.Columns(ctx, s.db, s.schema, got); err != nil {
			t.Errorf("Columns(TableName(%q) = %q): %v", written, got, err)
		}
	}
	if _, err := s.d.TableName(ctx, s.db, s.schema, "dt_nosuch"); !errors.Is(err, tandem.ErrNotFound) {
		t.Errorf("TableName of a missing table: %v, want ErrNotFound", err)
	}
}

// testClientCheck runs the ClientCheck statements on a connection.
func (s *suite) testClientCheck(t *testing.T) {
	conn := s.conn(t, s.db)
	for _, stmt := range s.d.ClientCheck() {
		if _, err := conn.ExecContext(ctxT(t), stmt); err != nil {
			t.Errorf("ClientCheck %s: %v", stmt, err)
		}
	}
}
