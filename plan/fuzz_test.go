package plan

import (
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"", "${a}", "x ${a} ${b} ${", "$${a}}", "${a${a}}", "${}", "${a.b-c_d}", "'${ a }'"} {
		f.Add(s)
	}
	tok := tokens{"a": "A", "a.b-c_d": "dotted", "b": "${a}"}
	f.Fuzz(func(t *testing.T, s string) {
		if got := (tokens{}).replace(s); got != s {
			t.Fatalf("no tokens changed %q to %q", s, got)
		}
		got := tok.replace(s)
		if !strings.Contains(s, "${") && got != s {
			t.Fatalf("text without ${ changed: %q -> %q", s, got)
		}
		// Values are not scanned again: "${b}" gives "${a}", not "A".
		if s == "${b}" && got != "${a}" {
			t.Fatalf("replace(%q) = %q", s, got)
		}
	})
}

func FuzzDependsEntry(f *testing.F) {
	for _, s := range []string{"t", "app.t", "app.table.t", "t/c1", "table.t", "rpt.w", "w", "a.b.c.d", ".", "/", "t/", "", " T / C1 "} {
		f.Add(s)
	}
	p := project(
		table("t", chg{name: "c1", sql: "create table t (id int);"}),
		view("v", "create view v as select * from t;"),
		stateless("rpt", tandem.View, "w", "create view w as select 1;"),
	)
	g := mustBuild(p)
	from := g.objects[len(g.objects)-1]
	f.Fuzz(func(t *testing.T, entry string) {
		targets, err := g.resolveEntry(from, entry)
		if err == nil && len(targets) == 0 {
			t.Fatalf("entry %q resolved to nothing without an error", entry)
		}
		_, _ = g.Explain(entry)
	})
}

// FuzzBuildDiff feeds arbitrary SQL through Build, Order and Diff: nothing may panic, and an
// order, when there is one, must respect every edge.
func FuzzBuildDiff(f *testing.F) {
	f.Add("create view v as select * from t;", "alter table t add x int default f();", "create function f() returns int as $$ select * from v $$")
	f.Add("select $$ $x$ '' \" ${env}", "--", "/* */ app.t.t.t")
	f.Fuzz(func(t *testing.T, viewSQL, changeSQL, fnSQL string) {
		build := func(v, c, fn string) *Graph {
			g, err := Build(project(
				table("t", chg{name: "c1", sql: "create table t (id int);"}, chg{name: "c2", sql: c}),
				view("v", v),
				stateless("app", tandem.Function, "f", fn),
				staticData("t", []string{"id"}, []string{"1"}),
			), Options{Env: testEnv(), Dialect: "postgres"})
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		before := build("create view v as select * from t;", "alter table t add x int;", "create function f() returns int as $$ select 1 $$")
		g := build(viewSQL, changeSQL, fnSQL)
		order, err := g.Order()
		if err != nil {
			return
		}
		pos := map[*Node]int{}
		for i, n := range order {
			pos[n] = i
		}
		for _, e := range g.Edges {
			if pos[e.From] < pos[e.To] {
				t.Fatalf("%s placed before what it depends on", e)
			}
		}
		if _, err := Diff(g, recordsOf(before)); err != nil {
			t.Fatal(err)
		}
	})
}
