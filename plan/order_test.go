package plan

import (
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func TestOrder(t *testing.T) {
	tests := []struct {
		name    string
		objects []*tandem.Object
		want    []string
	}{
		{
			name: "ties break by type rank, then schema, then name",
			objects: []*tandem.Object{
				view("b", "create view b as select 1;"),
				view("a", "create view a as select 1;"),
				stateless("aaa", tandem.View, "z", "create view z as select 1;"),
				table("z", chg{name: "c1", sql: "create table z (id int);"}),
				stateful("app", tandem.Sequence, "s", chg{name: "c1", sql: "create sequence s;"}),
				stateless("app", tandem.Function, "f", "create function f() returns int as $$ select 1 $$ language sql;"),
			},
			want: []string{"app.sequence.s/c1", "app.table.z/c1", "app.function.f", "aaa.view.z", "app.view.a", "app.view.b"},
		},
		{
			name: "dependencies override the tie-break",
			objects: []*tandem.Object{
				view("a", "create view a as select * from b;"),
				view("b", "create view b as select * from c;"),
				view("c", "create view c as select 1;"),
				stateless("app", tandem.Function, "f", "create function f() returns int as $$ select * from a $$ language sql;"),
			},
			want: []string{"app.view.c", "app.view.b", "app.view.a", "app.function.f"},
		},
		{
			name: "changes of tables interleave as their references allow",
			objects: []*tandem.Object{
				table("a", chg{name: "c1", sql: "create table a (id int, b_id int);"},
					chg{name: "c2", sql: "alter table a add foreign key (b_id) references b (id);"}),
				table("b", chg{name: "c1", sql: "create table b (id int, a_id int);"},
					chg{name: "c2", sql: "alter table b add foreign key (a_id) references a (id);"}),
			},
			want: []string{"app.table.a/c1", "app.table.b/c1", "app.table.a/c2", "app.table.b/c2"},
		},
		{
			name: "numbered migrations by version, repeatables after them by name, data for their tables after them",
			objects: []*tandem.Object{
				versioned("10", "ten", "select 10;"),
				versioned("9", "nine", "select 9;"),
				versioned("1.2", "one_two", "select 12;"),
				func() *tandem.Object {
					o := stateless("app", tandem.Repeatable, "R__b", "select 'b';")
					o.Format = tandem.FormatFlyway
					return o
				}(),
				func() *tandem.Object {
					o := stateless("app", tandem.Repeatable, "R__a", "select 'a' from ten;")
					o.Format = tandem.FormatFlyway
					return o
				}(),
				view("v", "create view v as select 1;"),
				staticData("a", []string{"id"}, []string{"1"}),
			},
			want: []string{"app.view.v", "app.versioned.1.2_one_two/1.2_one_two", "app.versioned.9_nine/9_nine", "app.versioned.10_ten/10_ten", "app.staticdata.a", "app.repeatable.r__a", "app.repeatable.r__b"},
		},
		{
			name: "static data loads after its table and after the data of the tables it references",
			objects: []*tandem.Object{
				staticData("orders", []string{"id", "customer_id"}, []string{"1", "1"}),
				staticData("customers", []string{"id"}, []string{"1"}),
				table("orders", chg{name: "c1", sql: "create table orders (id int, customer_id int references customers (id));"}),
				table("customers", chg{name: "c1", sql: "create table customers (id int);"},
					chg{name: "c2", sql: "alter table customers add name text;"}),
				table("aaa", chg{name: "c1", sql: "create table aaa (id int);"}),
			},
			want: []string{"app.table.aaa/c1", "app.table.customers/c1", "app.table.customers/c2", "app.table.orders/c1", "app.staticdata.customers", "app.staticdata.orders"},
		},
		{
			name: "objects follow the schema object they live in",
			objects: []*tandem.Object{
				table("t", chg{name: "c1", sql: "create table t (id int);"}),
				stateful("app", tandem.Schema, "app", chg{name: "c1", sql: "create schema app;"}),
			},
			want: []string{"app.schema.app/c1", "app.table.t/c1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			order, err := mustBuild(project(tc.objects...)).Order()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, nodeNames(order)); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStaticDataEdges(t *testing.T) {
	g := mustBuild(project(
		staticData("orders", []string{"id", "customer_id"}, []string{"1", "1"}),
		staticData("customers", []string{"id"}, []string{"1"}),
		table("orders", chg{name: "c1", sql: "create table orders (id int,\n customer_id int references customers (id));"}),
		table("customers", chg{name: "c1", sql: "create table customers (id int);"}),
	))
	want := []string{
		"app.table.orders/c1 -> app.table.customers/c1 (references customers at table/orders.sql:3)",
		"app.staticdata.customers -> app.table.customers/c1 (loads after app.table.customers/c1 at staticdata/customers.csv:1)",
		"app.staticdata.orders -> app.table.orders/c1 (loads after app.table.orders/c1 at staticdata/orders.csv:1)",
		"app.staticdata.orders -> app.staticdata.customers (loads after app.staticdata.customers at table/orders.sql:3)",
	}
	if diff := cmp.Diff(want, edgeStrings(g.Edges)); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
}

// TestOrderDeterministic builds one project from 20 shuffles of its objects and expects the same
// graph and order every time.
func TestOrderDeterministic(t *testing.T) {
	objs := generate(genConfig{tables: 60, views: 40, functions: 20, data: 10, seed: 7})
	render := func(objs []*tandem.Object) string {
		g := mustBuild(project(objs...))
		order, err := g.Order()
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, n := range order {
			sb.WriteString(n.String() + "\n")
		}
		sb.WriteString(strings.Join(edgeStrings(g.Edges), "\n"))
		return sb.String()
	}
	want := render(objs)
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		shuffled := append([]*tandem.Object(nil), objs...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := render(shuffled); got != want {
			t.Fatalf("shuffle %d gives another graph:\n%s", i, cmp.Diff(want, got))
		}
	}
}

func TestCycleError(t *testing.T) {
	tests := []struct {
		name    string
		objects []*tandem.Object
		want    string
	}{
		{
			name: "two views",
			objects: []*tandem.Object{
				stateless("schema", tandem.View, "V1", "create view v1 as\n\nselect * from V2;"),
				stateless("schema", tandem.View, "V2", "create view v2 as\nselect * from V1;"),
			},
			want: "dependency cycle:\n" +
				"  schema.view.v1 -> schema.view.v2 (references V2 at schema/view/V1.sql:3)\n" +
				"  schema.view.v2 -> schema.view.v1 (references V1 at schema/view/V2.sql:2)\n" +
				"  to break it, add the line \"-- tandem:object depends-=v2\" at the top of schema/view/V1.sql",
		},
		{
			name: "Obevo files, explicit entry and a stateful change; a second cycle elsewhere",
			objects: func() []*tandem.Object {
				f := stateless("app", tandem.Function, "f", "create function f() returns int as $$ select 1 $$ language sql;")
				f.Format = tandem.FormatObevo
				f.Changes[0].Attrs = tandem.Attrs{DependsAdd: []string{"v"}}
				v := view("v", "create view v as select f();")
				v.Format = tandem.FormatObevo
				t := table("t", chg{name: "c1", sql: "create table t (id int);"}, chg{name: "c2", sql: "alter table t add x int default g();"})
				t.Format = tandem.FormatObevo
				g := stateless("app", tandem.Function, "g", "create function g() returns int as $$ select count(*) from t $$ language sql;")
				return []*tandem.Object{v, f, t, g}
			}(),
			want: "2 dependency cycles:\n" +
				"cycle 1:\n" +
				"  app.table.t/c2 -> app.function.g (references g at table/t.sql:4)\n" +
				"  app.function.g -> app.table.t/c2 (references t at function/g.sql:1)\n" +
				"  to break it, add excludeDependencies=\"g\" to the CHANGE line at table/t.sql:3\n" +
				"cycle 2:\n" +
				"  app.function.f -> app.view.v (depends on v at function/f.sql:1)\n" +
				"  app.view.v -> app.function.f (references f at view/v.sql:1)\n" +
				"  to break it, remove \"v\" from includeDependencies at function/f.sql:1",
		},
		{
			name: "three views: the hint picks an edge that breaks the whole component",
			objects: []*tandem.Object{
				view("a", "create view a as select * from b, c;"),
				view("b", "create view b as select * from c;"),
				view("c", "create view c as select * from a;"),
			},
			want: "dependency cycle:\n" +
				"  app.view.a -> app.view.b (references b at view/a.sql:1)\n" +
				"  app.view.a -> app.view.c (references c at view/a.sql:1)\n" +
				"  app.view.b -> app.view.c (references c at view/b.sql:1)\n" +
				"  app.view.c -> app.view.a (references a at view/c.sql:1)\n" +
				"  to break it, add the line \"-- tandem:object depends-=a\" at the top of view/c.sql",
		},
		{
			name: "static data of tables that reference each other",
			objects: []*tandem.Object{
				table("a", chg{name: "c1", sql: "create table a (id int);"}, chg{name: "c2", sql: "alter table a add b_id int references b;"}),
				table("b", chg{name: "c1", sql: "create table b (id int, a_id int references a);"}),
				staticData("a", []string{"id"}, []string{"1"}),
				staticData("b", []string{"id"}, []string{"1"}),
			},
			want: "dependency cycle:\n" +
				"  app.staticdata.a -> app.staticdata.b (loads after app.staticdata.b at table/a.sql:4)\n" +
				"  app.staticdata.b -> app.staticdata.a (loads after app.staticdata.a at table/b.sql:2)\n" +
				"  to break it, add \"depends-=b\" to the change marker at table/a.sql:3",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mustBuild(project(tc.objects...)).Order()
			var ce *CycleError
			if !errors.As(err, &ce) {
				t.Fatalf("Order error = %v, want a *CycleError", err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDOTAndExplain(t *testing.T) {
	g := mustBuild(project(
		table("t", chg{name: "c1", sql: "create table t (id int);"}, chg{name: "c2", sql: "alter table t add x int;"}),
		view("v", "create view v as\nselect * from t;"),
		stateless("app", tandem.Function, "f", "create function f() returns int as $$ select 1 from v $$ language sql;"),
	))
	var sb strings.Builder
	if err := g.DOT(&sb); err != nil {
		t.Fatal(err)
	}
	want := `digraph tandem {
	rankdir=RL;
	node [shape=box];
	"app.table.t";
	"app.function.f";
	"app.view.v";
	"app.function.f" -> "app.view.v" [label="references"];
	"app.view.v" -> "app.table.t" [label="references"];
}
`
	if diff := cmp.Diff(want, sb.String()); diff != "" {
		t.Errorf("DOT (-want +got):\n%s", diff)
	}

	edges, err := g.Explain("APP.v")
	if err != nil {
		t.Fatal(err)
	}
	wantEdges := []string{
		"app.view.v -> app.table.t/c1 (references t at view/v.sql:2)",
		"app.view.v -> app.table.t/c2 (references t at view/v.sql:2)",
		"app.function.f -> app.view.v (references v at function/f.sql:1)",
	}
	if diff := cmp.Diff(wantEdges, edgeStrings(edges)); diff != "" {
		t.Errorf("Explain (-want +got):\n%s", diff)
	}
	edges, err = g.Explain("table.t")
	if err != nil {
		t.Fatal(err)
	}
	wantEdges = []string{
		"app.table.t/c2 -> app.table.t/c1 (follows c1 at table/t.sql:3)",
		"app.view.v -> app.table.t/c1 (references t at view/v.sql:2)",
		"app.view.v -> app.table.t/c2 (references t at view/v.sql:2)",
	}
	if diff := cmp.Diff(wantEdges, edgeStrings(edges)); diff != "" {
		t.Errorf("Explain (-want +got):\n%s", diff)
	}
	_, err = g.Explain("nosuch")
	var re *ReferenceError
	if !errors.As(err, &re) {
		t.Fatalf("Explain(nosuch) error = %v, want a *ReferenceError", err)
	}
	if want := `"nosuch" names no object in the project; give an object as name, schema.name, type.name or schema.type.name`; err.Error() != want {
		t.Errorf("Explain(nosuch) error = %q, want %q", err, want)
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1},
		{"10", "9", 1},
		{"0001", "1", 0},
		{"1.2", "1.10", -1},
		{"1", "1.1", -1},
		{"1", "1.0", 0},
		{"1.a", "1.2", 1},
		{"1.b", "1.a", 1},
		{"2_1", "2.1", 0},
		{"20240101120000", "20231231235959", 1},
		{"123456789012345678901234567890", "99", 1},
	}
	for _, tc := range tests {
		t.Run(tc.a+"_"+tc.b, func(t *testing.T) {
			if got := tandem.CompareVersions(tc.a, tc.b); got != tc.want {
				t.Errorf("tandem.CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
		})
	}
}
