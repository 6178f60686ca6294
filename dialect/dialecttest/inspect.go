package dialecttest

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func fmtInt(i int) string { return strconv.Itoa(i) }

// inspectDDL builds a small schema with the parts of a table a snapshot must show.
var inspectDDL = []string{
	"CREATE TABLE {s}dt_parent (id integer NOT NULL PRIMARY KEY, code varchar(20) NOT NULL, CONSTRAINT dt_parent_code UNIQUE (code))",
	"CREATE TABLE {s}dt_child (id integer NOT NULL PRIMARY KEY, parent_id integer NOT NULL, qty integer DEFAULT 1, " +
		"CONSTRAINT dt_child_parent FOREIGN KEY (parent_id) REFERENCES {s}dt_parent (id), CONSTRAINT dt_child_qty CHECK (qty > 0))",
	"CREATE INDEX dt_child_qty_idx ON {s}dt_child (qty)",
	"CREATE VIEW {s}dt_child_view AS SELECT id, qty FROM {s}dt_child",
}

var inspectDrop = []string{"DROP VIEW {s}dt_child_view", "DROP TABLE {s}dt_child", "DROP TABLE {s}dt_parent"}

func (s *suite) testInspect(t *testing.T) {
	// Start from the objects the other subtests left, so the check also covers them.
	for _, st := range s.d.HistoryDDL(s.schema) {
		s.exec(t, st)
	}
	s.exec(t, inspectDDL...)
	first := s.snapshot(t)
	second := s.snapshot(t)
	if diff := gocmp.Diff(first, second); diff != "" {
		t.Fatalf("two snapshots of an unchanged database differ (-first +second):\n%s", diff)
	}
	if d := first.Diff(second); len(d) != 0 || !first.Equal(second) {
		t.Fatalf("Diff of two snapshots of an unchanged database = %q, want none", d)
	}
	objects := first.Objects()
	if !slices.IsSortedFunc(objects, func(a, b tandem.SnapshotObject) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Type.Rank(), b.Type.Rank()), cmp.Compare(a.Name, b.Name))
	}) {
		t.Errorf("snapshot objects are not sorted by schema, type and name")
	}
	for _, o := range objects {
		for _, h := range []string{tandem.ChangesTable, tandem.EventsTable, tandem.RunsTable} {
			if strings.EqualFold(o.Name, h) {
				t.Errorf("snapshot shows tandem's history table %s", o.Name)
			}
		}
	}
	child := has(first, s.snapSchema(), tandem.Table, "dt_child")
	if child == nil {
		t.Fatalf("snapshot lacks table dt_child: %+v", objects)
	}
	for _, part := range []string{"parent_id", "qty", "dt_child_parent", "dt_child_qty", "dt_child_qty_idx"} {
		if !strings.Contains(child.Definition, part) {
			t.Errorf("definition of dt_child lacks %q:\n%s", part, child.Definition)
		}
	}
	if has(first, s.snapSchema(), tandem.View, "dt_child_view") == nil {
		t.Errorf("snapshot lacks view dt_child_view")
	}

	// Rebuilt from the same DDL, the snapshot is the same.
	s.exec(t, inspectDrop...)
	s.exec(t, inspectDDL...)
	rebuilt := s.snapshot(t)
	if diff := gocmp.Diff(first, rebuilt); diff != "" {
		t.Errorf("the same DDL run again describes differently (-first +rebuilt):\n%s", diff)
	}
	if d := first.Diff(rebuilt); len(d) != 0 {
		t.Errorf("Diff after the same DDL ran again = %q, want none", d)
	}

	// A change shows, in the changed object only.
	s.exec(t, "ALTER TABLE {s}dt_child ADD COLUMN note varchar(40)")
	changed := s.snapshot(t)
	changedObjects := changed.Objects()
	var diffs []string
	for _, o := range changedObjects {
		old := has(first, o.Schema, o.Type, o.Name)
		if old == nil || old.Definition != o.Definition {
			diffs = append(diffs, string(o.Type)+" "+o.Name)
		}
	}
	if len(changedObjects) != len(objects) {
		t.Errorf("adding a column changed the number of objects from %d to %d", len(objects), len(changedObjects))
	}
	// A view that selects named columns does not change; dt_child does.
	if len(diffs) != 1 || diffs[0] != "table dt_child" {
		t.Errorf("after ALTER TABLE dt_child ADD COLUMN, changed objects = %q, want [table dt_child]", diffs)
	}
	if d := first.Diff(changed); len(d) != 1 || !strings.Contains(d[0], "dt_child") || !strings.Contains(d[0], "+ COLUMN note") {
		t.Errorf("after ALTER TABLE dt_child ADD COLUMN note, Diff = %q, want one entry for dt_child adding COLUMN note", d)
	}
	if d := changed.Diff(first); len(d) != 1 || !strings.Contains(d[0], "- COLUMN note") {
		t.Errorf("Diff the other way = %q, want one entry removing COLUMN note", d)
	}
	s.exec(t, inspectDrop...)
	t.Run("Typed", s.testInspectTyped)
}
