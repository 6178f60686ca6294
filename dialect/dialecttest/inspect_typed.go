package dialecttest

import (
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

// typedFixture builds, on one dialect, the objects whose typed description the suite checks,
// and says which of them the database has.
type typedFixture struct {
	ddl, drop  []string
	partial    bool   // a partial index dt_item_partial (WHERE qty > 10)
	expression bool   // an expression index dt_item_lower on lower(name)
	prefix     bool   // a column prefix index dt_item_prefix on name(10)
	routine    string // a function dt_touch (or dt_twice) exists
	sequence   bool   // a sequence dt_seq START 5 INCREMENT 2
	userEnum   bool   // column mood is of the enum type dt_mood
	inlineEnum bool   // column mood is an inline enum('sad','ok','happy')
	timing     string // of trigger dt_item_touch
}

const typedItem = "id integer NOT NULL, owner_id integer, mood %s, qty integer DEFAULT 1, name %s, " +
	"CONSTRAINT dt_item_pk PRIMARY KEY (id), " +
	"CONSTRAINT dt_item_owner FOREIGN KEY (owner_id) REFERENCES {s}dt_owner (id) ON DELETE CASCADE, " +
	"CONSTRAINT dt_item_qty CHECK (qty > 0)"

func item(mood, name string) string {
	return "CREATE TABLE {s}dt_item (" + strings.Replace(strings.Replace(typedItem, "%s", mood, 1), "%s", name, 1) + ")"
}

var typedFixtures = map[string]typedFixture{
	"postgres": {
		ddl: []string{
			"CREATE TYPE {s}dt_mood AS ENUM ('sad', 'ok', 'happy')",
			"CREATE SEQUENCE {s}dt_seq START 5 INCREMENT 2",
			"CREATE TABLE {s}dt_owner (id integer PRIMARY KEY, code text NOT NULL)",
			item("{s}dt_mood", "text"),
			"CREATE UNIQUE INDEX dt_item_name_uq ON {s}dt_item (name)",
			"CREATE INDEX dt_item_partial ON {s}dt_item (qty) WHERE qty > 10",
			"CREATE INDEX dt_item_lower ON {s}dt_item (lower(name))",
			"CREATE VIEW {s}dt_item_view AS SELECT id, qty FROM {s}dt_item",
			"CREATE FUNCTION {s}dt_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.qty := coalesce(NEW.qty, 1); RETURN NEW; END$$",
			"CREATE TRIGGER dt_item_touch BEFORE INSERT OR UPDATE ON {s}dt_item FOR EACH ROW EXECUTE FUNCTION {s}dt_touch()",
		},
		drop: []string{"DROP VIEW {s}dt_item_view", "DROP TABLE {s}dt_item", "DROP FUNCTION {s}dt_touch()",
			"DROP TABLE {s}dt_owner", "DROP SEQUENCE {s}dt_seq", "DROP TYPE {s}dt_mood"},
		partial: true, expression: true, routine: "dt_touch", sequence: true, userEnum: true, timing: "BEFORE",
	},
	"mysql": {
		ddl: []string{
			"CREATE TABLE {s}dt_owner (id integer NOT NULL PRIMARY KEY, code varchar(20) NOT NULL)",
			item("enum('sad','ok','happy')", "varchar(40)"),
			"CREATE UNIQUE INDEX dt_item_name_uq ON {s}dt_item (name)",
			"CREATE INDEX dt_item_prefix ON {s}dt_item (name(10))",
			"CREATE VIEW {s}dt_item_view AS SELECT id, qty FROM {s}dt_item",
			"CREATE FUNCTION {s}dt_twice(x integer) RETURNS integer DETERMINISTIC RETURN x * 2",
			"CREATE TRIGGER {s}dt_item_touch BEFORE INSERT ON {s}dt_item FOR EACH ROW SET NEW.qty = COALESCE(NEW.qty, 1)",
		},
		drop:   []string{"DROP VIEW {s}dt_item_view", "DROP TABLE {s}dt_item", "DROP FUNCTION {s}dt_twice", "DROP TABLE {s}dt_owner"},
		prefix: true, routine: "dt_twice", inlineEnum: true, timing: "BEFORE",
	},
	"sqlite": {
		ddl: []string{
			"CREATE TABLE dt_owner (id integer PRIMARY KEY, code text NOT NULL)",
			item("text", "text COLLATE NOCASE"),
			"CREATE UNIQUE INDEX dt_item_name_uq ON dt_item (name)",
			"CREATE INDEX dt_item_partial ON dt_item (qty) WHERE qty > 10",
			"CREATE INDEX dt_item_lower ON dt_item (lower(name))",
			"CREATE VIEW dt_item_view AS SELECT id, qty FROM dt_item",
			"CREATE TRIGGER dt_item_touch AFTER INSERT ON dt_item BEGIN UPDATE dt_item SET qty = 1 WHERE id = NEW.id AND qty IS NULL; END",
		},
		drop:    []string{"DROP VIEW dt_item_view", "DROP TABLE dt_item", "DROP TABLE dt_owner"},
		partial: true, expression: true, timing: "AFTER",
	},
}

// testInspectTyped checks that Inspect fills the typed description: columns, primary key,
// unique, partial and expression indexes, a foreign key with its action, a check, a view, a
// routine, a trigger, a sequence and an enum, where the database has them.
func (s *suite) testInspectTyped(t *testing.T) {
	fx, ok := typedFixtures[s.d.Name()]
	if !ok {
		t.Fatalf("dialecttest: no typed inspect fixture for dialect %q; add one to inspect_typed.go", s.d.Name())
	}
	s.exec(t, fx.ddl...)
	defer s.exec(t, fx.drop...)
	snap := s.snapshot(t)
	if d := snap.Diff(s.snapshot(t)); len(d) != 0 {
		t.Fatalf("two snapshots differ: %q", d)
	}

	tbl := findNamed(t, snap.Tables, "table", "dt_item", func(x tandem.TableDesc) (string, string) { return x.Schema, x.Name }, s.schema)
	var cols []string
	for _, c := range tbl.Columns {
		cols = append(cols, c.Name)
	}
	if want := []string{"id", "owner_id", "mood", "qty", "name"}; !slices.Equal(cols, want) {
		t.Errorf("dt_item columns = %q, want %q", cols, want)
	}
	if len(tbl.Columns) == 5 {
		if c := tbl.Columns[0]; c.Nullable || !strings.Contains(strings.ToLower(c.Type), "int") {
			t.Errorf("column id = %+v, want a NOT NULL integer", c)
		}
		if c := tbl.Columns[3]; !c.Nullable || !strings.Contains(c.Default, "1") {
			t.Errorf("column qty = %+v, want nullable with DEFAULT 1", c)
		}
		mood := tbl.Columns[2]
		if fx.inlineEnum && !slices.Equal(mood.Enum, []string{"sad", "ok", "happy"}) {
			t.Errorf("column mood Enum = %q, want [sad ok happy] (type %s)", mood.Enum, mood.Type)
		}
		if fx.userEnum && !strings.Contains(mood.Type, "dt_mood") {
			t.Errorf("column mood type = %q, want dt_mood", mood.Type)
		}
	}
	if tbl.PrimaryKey == nil || !slices.Equal(tbl.PrimaryKey.Columns, []string{"id"}) {
		t.Errorf("dt_item primary key = %+v, want (id)", tbl.PrimaryKey)
	}
	s.checkForeignKey(t, tbl)
	if i := slices.IndexFunc(tbl.Checks, func(c tandem.CheckDesc) bool { return strings.EqualFold(c.Name, "dt_item_qty") }); i < 0 {
		t.Errorf("dt_item checks = %+v, want dt_item_qty", tbl.Checks)
	} else if !strings.Contains(tbl.Checks[i].Expression, "qty") || !strings.Contains(tbl.Checks[i].Expression, "0") {
		t.Errorf("check dt_item_qty expression = %q, want qty > 0", tbl.Checks[i].Expression)
	}
	checkIndexes(t, tbl, fx)

	view := findNamed(t, snap.Views, "view", "dt_item_view", func(x tandem.ViewDesc) (string, string) { return x.Schema, x.Name }, s.schema)
	if !strings.Contains(strings.ToLower(view.Definition), "qty") {
		t.Errorf("view dt_item_view definition = %q, want its query", view.Definition)
	}
	tr := findNamed(t, snap.Triggers, "trigger", "dt_item_touch", func(x tandem.TriggerDesc) (string, string) { return x.Schema, x.Name }, s.schema)
	if !strings.EqualFold(tr.Table, "dt_item") || tr.Timing != fx.timing || !slices.Contains(tr.Events, "INSERT") || tr.ForEach != "ROW" || tr.Definition == "" {
		t.Errorf("trigger dt_item_touch = %+v, want on dt_item, %s INSERT, FOR EACH ROW, with its definition", tr, fx.timing)
	}
	if fx.routine != "" {
		r := findNamed(t, snap.Routines, "routine", fx.routine, func(x tandem.RoutineDesc) (string, string) { return x.Schema, x.Name }, s.schema)
		if r.Kind != tandem.FunctionRoutine || r.Returns == "" || r.Definition == "" {
			t.Errorf("routine %s = %+v, want a function with its result type and definition", fx.routine, r)
		}
	} else if len(snap.Routines) != 0 {
		t.Errorf("routines on a database without them: %+v", snap.Routines)
	}
	if fx.sequence {
		q := findNamed(t, snap.Sequences, "sequence", "dt_seq", func(x tandem.SequenceDesc) (string, string) { return x.Schema, x.Name }, s.schema)
		if q.Start != 5 || q.Increment != 2 || q.Max <= q.Min {
			t.Errorf("sequence dt_seq = %+v, want START 5 INCREMENT 2", q)
		}
	}
	if fx.userEnum {
		u := findNamed(t, snap.Types, "type", "dt_mood", func(x tandem.TypeDesc) (string, string) { return x.Schema, x.Name }, s.schema)
		if u.Kind != tandem.EnumType || !slices.Equal(u.Values, []string{"sad", "ok", "happy"}) {
			t.Errorf("type dt_mood = %+v, want an enum of sad, ok, happy", u)
		}
	}

	// The canonical text shows the typed parts, and a change of one shows in Diff.
	text := has(snap, s.snapSchema(), tandem.Table, "dt_item")
	for _, part := range []string{"dt_item_owner", "CASCADE", "dt_item_qty", "dt_item_name_uq"} {
		if text == nil || !strings.Contains(text.Definition, part) {
			t.Errorf("canonical text of dt_item lacks %q: %+v", part, text)
		}
	}
	if s.d.Name() == "mysql" {
		s.exec(t, "DROP INDEX dt_item_name_uq ON {s}dt_item")
	} else {
		s.exec(t, "DROP INDEX {s}dt_item_name_uq")
	}
	if s.d.Name() == "postgres" {
		s.exec(t, "CREATE UNIQUE INDEX dt_item_name_uq ON {s}dt_item (name DESC)")
	} else {
		s.exec(t, "CREATE INDEX dt_item_name_uq ON {s}dt_item (name)")
	}
	if d := snap.Diff(s.snapshot(t)); len(d) != 1 || !strings.Contains(d[0], "dt_item_name_uq") {
		t.Errorf("after rebuilding index dt_item_name_uq differently, Diff = %q, want one entry for dt_item", d)
	}
}

func (s *suite) checkForeignKey(t *testing.T, tbl tandem.TableDesc) {
	t.Helper()
	want := tandem.ForeignKeyDesc{Name: "dt_item_owner", Columns: []string{"owner_id"}, RefTable: "dt_owner",
		RefColumns: []string{"id"}, OnDelete: "CASCADE"}
	i := slices.IndexFunc(tbl.ForeignKeys, func(f tandem.ForeignKeyDesc) bool { return strings.EqualFold(f.Name, want.Name) })
	if i < 0 {
		t.Errorf("dt_item foreign keys = %+v, want dt_item_owner", tbl.ForeignKeys)
		return
	}
	got := tbl.ForeignKeys[i]
	got.OnUpdate, got.Match, got.Definition = "", "", ""
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("foreign key dt_item_owner (-want +got):\n%s", diff)
	}
}

func checkIndexes(t *testing.T, tbl tandem.TableDesc, fx typedFixture) {
	t.Helper()
	index := func(name string) *tandem.IndexDesc {
		for i, ix := range tbl.Indexes {
			if strings.EqualFold(ix.Name, name) {
				return &tbl.Indexes[i]
			}
		}
		t.Errorf("dt_item lacks index %s: %+v", name, tbl.Indexes)
		return nil
	}
	if ix := index("dt_item_name_uq"); ix != nil && (!ix.Unique || len(ix.Keys) != 1 || ix.Keys[0].Column != "name") {
		t.Errorf("index dt_item_name_uq = %+v, want UNIQUE (name)", ix)
	}
	if fx.partial {
		if ix := index("dt_item_partial"); ix != nil && (ix.Unique || !strings.Contains(ix.Where, "qty") || ix.Keys[0].Column != "qty") {
			t.Errorf("index dt_item_partial = %+v, want (qty) WHERE qty > 10", ix)
		}
	}
	if fx.expression {
		if ix := index("dt_item_lower"); ix != nil && (len(ix.Keys) != 1 || ix.Keys[0].Column != "" || !strings.Contains(ix.Keys[0].Expression, "lower(name)")) {
			t.Errorf("index dt_item_lower = %+v, want the expression lower(name)", ix)
		}
	}
	if fx.prefix {
		if ix := index("dt_item_prefix"); ix != nil && (len(ix.Keys) != 1 || ix.Keys[0].Column != "name" || ix.Keys[0].Prefix != 10) {
			t.Errorf("index dt_item_prefix = %+v, want name(10)", ix)
		}
	}
}

// findNamed returns the object of list named name (compared case-insensitively) in schema,
// failing the test when there is none.
func findNamed[T any](t *testing.T, list []T, kind, name string, key func(T) (string, string), schema string) T {
	t.Helper()
	for _, x := range list {
		if sc, n := key(x); sc == schema && strings.EqualFold(n, name) {
			return x
		}
	}
	t.Fatalf("snapshot lacks %s %s: %+v", kind, name, list)
	var zero T
	return zero
}
