package tandem

import (
	"slices"
	"strings"
	"testing"
)

func sampleSnapshot() *Snapshot {
	return &Snapshot{
		Tables: []TableDesc{{
			Schema: "app", Name: "items",
			Columns: []ColumnDesc{
				{Name: "id", Type: "integer"},
				{Name: "Note", Type: "text", Nullable: true, Default: "'x'", Collation: "C"},
			},
			PrimaryKey:  &KeyDesc{Name: "items_pk", Columns: []string{"id"}},
			ForeignKeys: []ForeignKeyDesc{{Name: "fk_b", Columns: []string{"id"}, RefTable: "owners", RefColumns: []string{"id"}, OnUpdate: "NO ACTION", OnDelete: "CASCADE"}},
			Checks:      []CheckDesc{{Name: "ck", Expression: "id > 0"}},
			Indexes: []IndexDesc{
				{Name: "ix_z", Keys: []IndexKey{{Expression: "lower(note)"}}},
				{Name: "ix_a", Unique: true, Keys: []IndexKey{{Column: "id", Descending: true}}, Where: "id > 10"},
			},
		}},
		Routines: []RoutineDesc{
			{Schema: "app", Name: "f", Kind: FunctionRoutine, Arguments: "b integer", Definition: "B"},
			{Schema: "app", Name: "f", Kind: FunctionRoutine, Arguments: "a text", Definition: "A"},
			{Schema: "app", Name: "p", Kind: ProcedureRoutine, Definition: "P"},
		},
		Triggers: []TriggerDesc{
			{Schema: "app", Name: "t", Table: "b", Timing: "AFTER", Events: []string{"INSERT", "UPDATE"}, ForEach: "ROW", Definition: "on b"},
			{Schema: "app", Name: "t", Table: "a", Timing: "BEFORE", Events: []string{"DELETE"}, ForEach: "STATEMENT", Definition: "on a"},
		},
		Sequences: []SequenceDesc{{Schema: "app", Name: "s", Start: 5, Increment: 2, Min: 1, Max: 100, Cache: 1}},
		Types:     []TypeDesc{{Schema: "app", Name: "mood", Kind: EnumType, Values: []string{"sad", "it's ok"}}},
	}
}

func TestSnapshotObjects(t *testing.T) {
	s := sampleSnapshot()
	s.Sort()
	objs := s.Objects()
	var keys []string
	for _, o := range objs {
		keys = append(keys, string(o.Type)+" "+o.Name)
	}
	want := []string{"sequence s", "type mood", "table items", "function f", "procedure p", "trigger t"}
	if !slices.Equal(keys, want) {
		t.Fatalf("objects = %q, want %q", keys, want)
	}
	table := objs[2].Definition
	for _, line := range []string{
		"COLUMN id integer NOT NULL",
		`COLUMN "Note" text COLLATE C DEFAULT 'x'`,
		"CONSTRAINT items_pk PRIMARY KEY (id)",
		"CONSTRAINT fk_b FOREIGN KEY (id) REFERENCES owners (id) ON UPDATE NO ACTION ON DELETE CASCADE",
		"CONSTRAINT ck CHECK (id > 0)",
		"UNIQUE INDEX ix_a (id DESC) WHERE id > 10",
		"INDEX ix_z ((lower(note)))",
	} {
		if !slices.Contains(strings.Split(table, "\n"), line) {
			t.Errorf("table text lacks line %q:\n%s", line, table)
		}
	}
	// Overloads make one object, sorted by arguments; triggers of one name likewise, by table.
	if f := objs[3].Definition; !strings.HasPrefix(f, "FUNCTION f(a text)\nA\n\nFUNCTION f(b integer)\nB") {
		t.Errorf("function text = %q", f)
	}
	if tr := objs[5].Definition; tr != "TRIGGER BEFORE DELETE ON a FOR EACH STATEMENT\non a\nTRIGGER AFTER INSERT OR UPDATE ON b FOR EACH ROW\non b" {
		t.Errorf("trigger text = %q", tr)
	}
	if q := objs[0].Definition; q != "SEQUENCE START 5 INCREMENT 2 MINVALUE 1 MAXVALUE 100 CACHE 1 NO CYCLE" {
		t.Errorf("sequence text = %q", q)
	}
	if e := objs[1].Definition; e != "ENUM ('sad', 'it''s ok')" {
		t.Errorf("enum text = %q", e)
	}
	if !strings.Contains(s.String(), "table app.items\n  COLUMN id integer NOT NULL\n") {
		t.Errorf("String() =\n%s", s.String())
	}
}

func TestSnapshotSortIsCanonical(t *testing.T) {
	a, b := sampleSnapshot(), sampleSnapshot()
	slices.Reverse(b.Routines)
	slices.Reverse(b.Triggers)
	slices.Reverse(b.Tables[0].Indexes)
	a.Sort()
	b.Sort()
	if d := a.Diff(b); len(d) != 0 || !a.Equal(b) {
		t.Errorf("the same objects listed in another order differ: %q", d)
	}
	if a.Tables[0].Indexes[0].Name != "ix_a" || a.Routines[0].Arguments != "a text" || a.Triggers[0].Table != "a" {
		t.Errorf("Sort left %+v", a)
	}
}

func TestSnapshotDiff(t *testing.T) {
	a, b := sampleSnapshot(), sampleSnapshot()
	b.Tables[0].ForeignKeys[0].OnDelete = "RESTRICT"
	b.Sequences = nil
	b.Views = append(b.Views, ViewDesc{Schema: "app", Name: "v", Definition: "SELECT 1"})
	got := a.Diff(b)
	want := []string{
		"sequence app.s: only in the first",
		"table app.items: \n  - CONSTRAINT fk_b FOREIGN KEY (id) REFERENCES owners (id) ON UPDATE NO ACTION ON DELETE CASCADE" +
			"\n  + CONSTRAINT fk_b FOREIGN KEY (id) REFERENCES owners (id) ON UPDATE NO ACTION ON DELETE RESTRICT",
		"view app.v: only in the second",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Diff =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if a.Equal(b) {
		t.Error("Equal reports two different snapshots equal")
	}
	c := sampleSnapshot()
	c.Tables[0].Columns[0], c.Tables[0].Columns[1] = c.Tables[0].Columns[1], c.Tables[0].Columns[0]
	if d := a.Diff(c); len(d) != 1 || !strings.Contains(d[0], "another order") {
		t.Errorf("Diff of reordered columns = %q, want one entry saying the order changed", d)
	}
}

func TestRoutineKindObjectType(t *testing.T) {
	for k, want := range map[RoutineKind]ObjectType{FunctionRoutine: Function, AggregateRoutine: Function, ProcedureRoutine: Procedure} {
		if got := k.ObjectType(); got != want {
			t.Errorf("%s.ObjectType() = %s, want %s", k, got, want)
		}
	}
}
