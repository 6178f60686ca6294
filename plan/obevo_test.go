package plan

import (
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

// obevo marks objects as read from Obevo files.
func obevo(objs ...*tandem.Object) []*tandem.Object {
	for _, o := range objs {
		o.Format = tandem.FormatObevo
	}
	return objs
}

// TestObevoMigrationNoTextDependencies: an Obevo migration that reads a table gets no edge from
// its text, so a table change that depends on the migration (Obevo's migration-example:
// TABLE_A.chng3 dependencies="migration1.chng1") forms no cycle; a native migration keeps its
// text-discovered edges.
func TestObevoMigrationNoTextDependencies(t *testing.T) {
	build := func(format tandem.Format) (*Graph, error) {
		orders := table("orders",
			chg{name: "create", sql: "CREATE TABLE orders (id INT, note TEXT)"},
			chg{name: "dropnote", sql: "ALTER TABLE orders DROP COLUMN note", attrs: tandem.Attrs{DependsAdd: []string{"fill/copy"}}})
		fill := stateful("app", tandem.Migration, "fill",
			chg{name: "copy", sql: "UPDATE orders SET id = id", attrs: tandem.Attrs{DependsAdd: []string{"orders/create"}}})
		orders.Format, fill.Format = format, format
		return Build(project(orders, fill), Options{Env: testEnv(), Dialect: "postgres"})
	}
	g, err := build(tandem.FormatObevo)
	if err != nil {
		t.Fatalf("Obevo project: %v", err)
	}
	order, err := g.Order()
	if err != nil {
		t.Fatalf("Obevo project: order: %v", err)
	}
	var got []string
	for _, n := range order {
		got = append(got, n.String())
	}
	want := "app.table.orders/create app.migration.fill/copy app.table.orders/dropnote"
	if strings.Join(got, " ") != want {
		t.Errorf("order = %s, want %s", strings.Join(got, " "), want)
	}
	g, err = build(tandem.FormatNative)
	if err != nil {
		t.Fatalf("native project: %v", err)
	}
	if _, err := g.Order(); err == nil {
		t.Errorf("native project: want the cycle through the migration's text reference to orders, got none")
	}
}

// TestObevoDanglingDependency: an Obevo dependency naming an object, or a change, the project
// lacks is dropped with a warning (Obevo ignores it); in a native project it stays an error.
func TestObevoDanglingDependency(t *testing.T) {
	mk := func() []*tandem.Object {
		return []*tandem.Object{table("t",
			chg{name: "c1", sql: "CREATE TABLE t (id INT)", attrs: tandem.Attrs{DependsAdd: []string{"gone/chng2"}}},
			chg{name: "c2", sql: "ALTER TABLE t ADD x INT", attrs: tandem.Attrs{DependsAdd: []string{"t/nosuch"}}})}
	}
	g, err := Build(project(obevo(mk()...)...), Options{Env: testEnv(), Dialect: "postgres"})
	if err != nil {
		t.Fatalf("Obevo project: %v", err)
	}
	if len(g.Warnings) != 2 || !strings.Contains(g.Warnings[0], `"gone/chng2" names no object`) || !strings.Contains(g.Warnings[1], `"t/nosuch" names change`) {
		t.Errorf("warnings = %q, want one for gone/chng2 and one for t/nosuch", g.Warnings)
	}
	if _, err := Build(project(mk()...), Options{Env: testEnv(), Dialect: "postgres"}); err == nil {
		t.Errorf("native project: want an error for the dependency naming nothing")
	}
}

// TestObevoDeletedMigration: a deployed Obevo migration whose file was deleted is no problem
// (Obevo lets a migration go once it ran); a deleted table change still is.
func TestObevoDeletedMigration(t *testing.T) {
	opts := Options{Env: testEnv(), Dialect: "postgres"}
	full, err := Build(project(obevo(
		table("t", chg{name: "c1", sql: "CREATE TABLE t (id INT)"}, chg{name: "c2", sql: "ALTER TABLE t ADD x INT"}),
		stateful("app", tandem.Migration, "m1", chg{name: "fill", sql: "INSERT INTO t VALUES (1)"}))...), opts)
	if err != nil {
		t.Fatal(err)
	}
	records := recordsOf(full)
	later, err := Build(project(obevo(table("t", chg{name: "c1", sql: "CREATE TABLE t (id INT)"}))...), opts)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Diff(later, records)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range pl.Problems {
		got = append(got, string(pr.Kind)+" "+pr.Key.String()+"/"+pr.Change)
	}
	if strings.Join(got, ",") != "deleted app.table.t/c2" {
		t.Errorf("problems = %q, want only the deleted table change app.table.t/c2", got)
	}
}

// TestObevoOrderAttribute: among Obevo static data ready together, the lower order attribute
// goes first whatever the names (metadata-group: Z_COMMON, order=1, before REPORT1_GROUP); a
// native project's objects keep name order.
func TestObevoOrderAttribute(t *testing.T) {
	mk := func(format tandem.Format) []string {
		a := stateless("app", tandem.StaticData, "a_report", "INSERT INTO t VALUES (1)")
		z := stateless("app", tandem.StaticData, "z_common", "INSERT INTO t VALUES (2)")
		z.Attrs.Extra = map[string]string{"order": "1"}
		a.Format, z.Format = format, format
		g, err := Build(project(a, z), Options{Env: testEnv(), Dialect: "postgres"})
		if err != nil {
			t.Fatal(err)
		}
		order, err := g.Order()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range order {
			out = append(out, n.Object.Key.Name)
		}
		return out
	}
	if got := strings.Join(mk(tandem.FormatObevo), " "); got != "z_common a_report" {
		t.Errorf("Obevo order = %s, want z_common (order=1) first", got)
	}
	if got := strings.Join(mk(tandem.FormatNative), " "); got != "a_report z_common" {
		t.Errorf("native order = %s, want name order", got)
	}
}
