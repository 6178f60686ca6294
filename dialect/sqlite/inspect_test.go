package sqlite_test

import (
	"context"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
)

// TestInspectReadsStatements: what SQLite keeps only in the CREATE statements (check and
// constraint names, generated expressions, collations, index expressions and predicates,
// trigger timing) is read back into the typed description, with quoted names and comments.
func TestInspectReadsStatements(t *testing.T) {
	db := testdb.Open(t, testdb.SQLite(t))
	for _, st := range []string{
		`CREATE TABLE a (id integer PRIMARY KEY, code text UNIQUE CHECK (code COLLATE BINARY <> 'COLLATE'), n numeric(10, 2) DEFAULT (CAST(1 AS real)))`,
		`CREATE TABLE "b c" (x integer, y integer, z text COLLATE NOCASE -- a comment, (with parens)
		   CHECK (length(z) < 10),
		   total integer GENERATED ALWAYS AS (x + y) STORED,
		   half integer AS (x / 2),
		   a_id integer CONSTRAINT "fk one" REFERENCES a (id) ON DELETE SET NULL,
		   CONSTRAINT b_pk PRIMARY KEY (y, x),
		   CONSTRAINT b_u UNIQUE (z, x),
		   CONSTRAINT fk_two FOREIGN KEY (x) REFERENCES a ON UPDATE CASCADE,
		   CONSTRAINT [b check] CHECK (x <> ')'))`,
		`CREATE INDEX b_expr ON "b c" (x, lower(z) DESC, y COLLATE NOCASE) WHERE x > 0 AND z <> 'WHERE'`,
		`CREATE VIEW bv AS SELECT x FROM "b c"`,
		`CREATE TRIGGER b_del INSTEAD OF DELETE ON bv BEGIN SELECT 1; END`,
		`CREATE TRIGGER "b ins" INSERT ON "b c" BEGIN SELECT 1; END`,
	} {
		if _, err := db.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	snap, err := sqlite.New().Inspect(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Tables) != 2 {
		t.Fatalf("tables: %+v", snap.Tables)
	}
	a, b := snap.Tables[0], snap.Tables[1]
	if a.Name != "a" || b.Name != "b c" {
		t.Fatalf("table names %q, %q", a.Name, b.Name)
	}
	if diff := gocmp.Diff([]tandem.KeyDesc{{Columns: []string{"code"}}}, a.Uniques); diff != "" {
		t.Errorf("a uniques (-want +got):\n%s", diff)
	}
	if a.Columns[1].Collation != "" || len(a.Checks) != 1 || a.Checks[0].Expression != "code COLLATE BINARY <> 'COLLATE'" {
		t.Errorf("a columns %+v, checks %+v: the check's COLLATE is not the column's", a.Columns, a.Checks)
	}
	if diff := gocmp.Diff(&tandem.KeyDesc{Columns: []string{"id"}}, a.PrimaryKey); diff != "" {
		t.Errorf("a primary key (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff(&tandem.KeyDesc{Name: "b_pk", Columns: []string{"y", "x"}}, b.PrimaryKey); diff != "" {
		t.Errorf("b primary key (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff([]tandem.KeyDesc{{Name: "b_u", Columns: []string{"z", "x"}}}, b.Uniques); diff != "" {
		t.Errorf("b uniques (-want +got):\n%s", diff)
	}
	wantChecks := []tandem.CheckDesc{{Expression: "length(z) < 10"}, {Name: "b check", Expression: "x <> ')'"}}
	if diff := gocmp.Diff(wantChecks, b.Checks); diff != "" {
		t.Errorf("b checks (-want +got):\n%s", diff)
	}
	wantFKs := []tandem.ForeignKeyDesc{
		{Name: "fk one", Columns: []string{"a_id"}, RefTable: "a", RefColumns: []string{"id"}, OnUpdate: "NO ACTION", OnDelete: "SET NULL"},
		{Name: "fk_two", Columns: []string{"x"}, RefTable: "a", OnUpdate: "CASCADE", OnDelete: "NO ACTION"},
	}
	if diff := gocmp.Diff(wantFKs, b.ForeignKeys); diff != "" {
		t.Errorf("b foreign keys (-want +got):\n%s", diff)
	}
	cols := map[string]tandem.ColumnDesc{}
	for _, c := range b.Columns {
		cols[c.Name] = c
	}
	if c := cols["z"]; c.Collation != "NOCASE" {
		t.Errorf("column z = %+v, want COLLATE NOCASE", c)
	}
	if c := cols["total"]; c.Generated != "x + y" || !c.GeneratedStored {
		t.Errorf("column total = %+v, want stored x + y", c)
	}
	if c := cols["half"]; c.Generated != "x / 2" || c.GeneratedStored {
		t.Errorf("column half = %+v, want virtual x / 2", c)
	}
	if len(b.Indexes) != 1 {
		t.Fatalf("b indexes: %+v", b.Indexes)
	}
	ix := b.Indexes[0]
	wantKeys := []tandem.IndexKey{{Column: "x"}, {Expression: "lower(z)", Descending: true}, {Column: "y"}}
	if diff := gocmp.Diff(wantKeys, ix.Keys); diff != "" || ix.Where != "x > 0 AND z <> 'WHERE'" {
		t.Errorf("index b_expr keys (-want +got):\n%s\nwhere %q", diff, ix.Where)
	}
	var triggers []string
	for _, tr := range snap.Triggers {
		triggers = append(triggers, tr.Name+" "+tr.Timing+" "+tr.Events[0]+" "+tr.Table)
	}
	if want := []string{"b ins BEFORE INSERT b c", "b_del INSTEAD OF DELETE bv"}; !slices.Equal(triggers, want) {
		t.Errorf("triggers = %q, want %q", triggers, want)
	}
}
