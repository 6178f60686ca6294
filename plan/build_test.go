package plan

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func TestBuildReferences(t *testing.T) {
	orders := func() *tandem.Object {
		return table("orders", chg{name: "c1", sql: "create table orders (id int primary key);"},
			chg{name: "c2", sql: "alter table orders add total int;"})
	}
	customers := func() *tandem.Object {
		return table("customers", chg{name: "c1", sql: "create table customers (id int primary key);"})
	}
	tests := []struct {
		name    string
		objects []*tandem.Object
		env     *tandem.Environment
		want    []string
	}{
		{
			name:    "unqualified name in the own schema; a view needs every change of a table",
			objects: []*tandem.Object{orders(), view("v", "create view v as\nselect * from Orders;")},
			want: []string{
				"app.view.v -> app.table.orders/c1 (references Orders at view/v.sql:2)",
				"app.view.v -> app.table.orders/c2 (references Orders at view/v.sql:2)",
			},
		},
		{
			name: "unqualified name does not reach another schema",
			objects: []*tandem.Object{orders(),
				stateless("rpt", tandem.View, "v", "create view v as select * from orders;")},
			want: nil,
		},
		{
			name: "qualified name reaches another schema",
			objects: []*tandem.Object{customers(),
				stateless("rpt", tandem.View, "v", "create view v as\n\n select * from APP.customers;")},
			want: []string{"rpt.view.v -> app.table.customers/c1 (references APP.customers at rpt/view/v.sql:3)"},
		},
		{
			name: "last two parts of a three-part name",
			objects: []*tandem.Object{customers(),
				stateless("rpt", tandem.View, "v", "create view v as select * from db.app.customers;")},
			want: []string{"rpt.view.v -> app.table.customers/c1 (references db.app.customers at rpt/view/v.sql:1)"},
		},
		{
			name: "table.column names the table",
			objects: []*tandem.Object{customers(),
				view("v", "create view v as select customers.id from app.customers c;")},
			want: []string{"app.view.v -> app.table.customers/c1 (references customers.id at view/v.sql:1)"},
		},
		{
			name: "physical schema maps back to the logical one, through the physicalName token",
			env:  &tandem.Environment{Name: "dev", SchemaMap: map[string]string{"APP": "app_dev"}},
			objects: []*tandem.Object{customers(),
				stateless("rpt", tandem.View, "v", "create view v as select * from ${app_physicalName}.customers;")},
			want: []string{"rpt.view.v -> app.table.customers/c1 (references app_dev.customers at rpt/view/v.sql:1)"},
		},
		{
			name: "environment token replaced before scanning",
			env:  &tandem.Environment{Name: "dev", Tokens: map[string]string{"tbl": "customers"}},
			objects: []*tandem.Object{customers(),
				view("v", "create view v as select * from ${tbl};")},
			want: []string{"app.view.v -> app.table.customers/c1 (references customers at view/v.sql:1)"},
		},
		{
			name: "comments and strings are not references",
			objects: []*tandem.Object{customers(), orders(),
				view("v", "-- built on customers\ncreate view v as /* orders */ select 'customers' as orders_label from dual;")},
			want: nil,
		},
		{
			name: "dollar-quoted function bodies are scanned",
			objects: []*tandem.Object{customers(),
				stateless("app", tandem.Function, "f", "create function f() returns int as $$\n  select count(*) from customers\n$$ language sql;")},
			want: []string{"app.function.f -> app.table.customers/c1 (references customers at function/f.sql:2)"},
		},
		{
			name: "a table change needs only the first change of another table",
			objects: []*tandem.Object{
				table("a", chg{name: "c1", sql: "create table a (id int, b_id int);"},
					chg{name: "c2", sql: "alter table a add foreign key (b_id) references b (id);"}),
				table("b", chg{name: "c1", sql: "create table b (id int, a_id int);"},
					chg{name: "c2", sql: "alter table b add foreign key (a_id) references a (id);"}),
			},
			want: []string{
				"app.table.a/c2 -> app.table.b/c1 (references b at table/a.sql:4)",
				"app.table.b/c2 -> app.table.a/c1 (references a at table/b.sql:4)",
			},
		},
		{
			name: "a migration needs every change of what it names",
			objects: []*tandem.Object{orders(),
				stateful("app", tandem.Migration, "backfill", chg{name: "m1", sql: "update orders set total = 0;"})},
			want: []string{
				"app.migration.backfill/m1 -> app.table.orders/c1 (references orders at migration/backfill.sql:2)",
				"app.migration.backfill/m1 -> app.table.orders/c2 (references orders at migration/backfill.sql:2)",
			},
		},
		{
			name: "a name matching a function and a table gives an edge to each, but is no reference in either",
			objects: []*tandem.Object{
				table("score", chg{name: "c1", sql: "create table score (points int);"}),
				stateless("app", tandem.Function, "score", "create function score() returns int as $$ select 1 $$ language sql;"),
				view("v", "create view v as select score() from score;"),
			},
			want: []string{
				"app.view.v -> app.table.score/c1 (references score at view/v.sql:1)",
				"app.view.v -> app.function.score (references score at view/v.sql:1)",
			},
		},
		{
			name: "triggers, static data and migrations are never targets; self references are ignored",
			objects: []*tandem.Object{
				table("audit", chg{name: "c1", sql: "create table audit (id int);"}),
				stateless("app", tandem.Trigger, "trg", "create trigger trg after insert on audit for each row execute procedure trg();"),
				stateful("app", tandem.Migration, "fix", chg{name: "m1", sql: "delete from audit;"}),
				view("v", "create view v as select * from audit, trg, fix, v;"),
			},
			want: []string{
				"app.view.v -> app.table.audit/c1 (references audit at view/v.sql:1)",
				"app.trigger.trg -> app.table.audit/c1 (references audit at trigger/trg.sql:1)",
				"app.migration.fix/m1 -> app.table.audit/c1 (references audit at migration/fix.sql:2)",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = testEnv()
			}
			g, err := Build(project(tc.objects...), Options{Env: env, Dialect: "postgres"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, crossEdges(g)); diff != "" {
				t.Errorf("edges (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildExplicit(t *testing.T) {
	base := func() []*tandem.Object {
		return []*tandem.Object{
			table("t", chg{name: "c1", sql: "create table t (id int);"}, chg{name: "c2", sql: "alter table t add x int;"}),
			table("u", chg{name: "c1", sql: "create table u (id int);"}),
			stateless("rpt", tandem.View, "w", "create view w as select 1;"),
		}
	}
	withView := func(sql string, a tandem.Attrs) []*tandem.Object {
		v := view("v", sql)
		v.Changes[0].Attrs = a
		return append(base(), v)
	}
	tests := []struct {
		name    string
		objects []*tandem.Object
		want    []string
	}{
		{
			name:    "depends replaces what the SQL references",
			objects: withView("create view v as select * from t;", tandem.Attrs{DependsSet: true, Depends: []string{"u"}}),
			want:    []string{"app.view.v -> app.table.u/c1 (depends on u at view/v.sql:1)"},
		},
		{
			name:    "empty depends removes every reference",
			objects: withView("create view v as select * from t;", tandem.Attrs{DependsSet: true}),
			want:    nil,
		},
		{
			name:    "depends+ adds to what the SQL references, and comes first",
			objects: withView("create view v as select * from u;", tandem.Attrs{DependsAdd: []string{"rpt.w"}}),
			want: []string{
				"app.view.v -> rpt.view.w (depends on rpt.w at view/v.sql:1)",
				"app.view.v -> app.table.u/c1 (references u at view/v.sql:1)",
			},
		},
		{
			name:    "depends- removes a reference",
			objects: withView("create view v as select * from t, u;", tandem.Attrs{DependsExclude: []string{"app.table.t"}}),
			want:    []string{"app.view.v -> app.table.u/c1 (references u at view/v.sql:1)"},
		},
		{
			name:    "object/change names one change",
			objects: withView("create view v as select 1;", tandem.Attrs{DependsAdd: []string{"t/C2"}}),
			want:    []string{"app.view.v -> app.table.t/c2 (depends on t/C2 at view/v.sql:1)"},
		},
		{
			name:    "type.name in the own schema",
			objects: withView("create view v as select 1;", tandem.Attrs{DependsAdd: []string{"table.u"}}),
			want:    []string{"app.view.v -> app.table.u/c1 (depends on table.u at view/v.sql:1)"},
		},
		{
			name: "object-level attributes apply to every change",
			objects: func() []*tandem.Object {
				o := stateful("app", tandem.Migration, "m", chg{name: "m1", sql: "select 1;"}, chg{name: "m2", sql: "select 2;"})
				o.Attrs.DependsAdd = []string{"u"}
				return append(base(), o)
			}(),
			want: []string{
				"app.migration.m/m1 -> app.table.u/c1 (depends on u at migration/m.sql:1)",
				"app.migration.m/m2 -> app.table.u/c1 (depends on u at migration/m.sql:1)",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := mustBuild(project(tc.objects...))
			if diff := cmp.Diff(tc.want, crossEdges(g)); diff != "" {
				t.Errorf("edges (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildBadReference(t *testing.T) {
	tests := []struct {
		name  string
		attrs tandem.Attrs
		obevo bool
		want  string
	}{
		{
			name:  "unknown name",
			attrs: tandem.Attrs{DependsAdd: []string{"nosuch"}},
			want:  `table/t.sql:3: change app.table.t/c2: depends+ entry "nosuch" names no object in the project; write it as name, schema.name, schema.type.name or object/change, or remove it`,
		},
		{
			name:  "unknown change",
			attrs: tandem.Attrs{DependsExclude: []string{"u/c9"}},
			want:  `table/t.sql:3: change app.table.t/c2: depends- entry "u/c9" names change "c9", which app.table.u does not have; write it as name, schema.name, schema.type.name or object/change, or remove it`,
		},
		{
			name:  "ambiguous across schemas, spelled the Obevo way",
			attrs: tandem.Attrs{DependsSet: true, Depends: []string{"w"}},
			obevo: true,
			want:  `table/t.sql:3: change app.table.t/c2: dependencies entry "w" is ambiguous: it names rpt.view.w, sales.view.w; qualify it with the schema; write it as name, schema.name, schema.type.name or object/change, or remove it`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tt := table("t", chg{name: "c1", sql: "create table t (id int);"}, chg{name: "c2", sql: "select 1;", attrs: tc.attrs})
			if tc.obevo {
				tt.Format = tandem.FormatObevo
			}
			p := project(tt, table("u", chg{name: "c1", sql: "create table u (id int);"}),
				stateless("rpt", tandem.View, "w", "create view w as select 1;"),
				stateless("sales", tandem.View, "w", "create view w as select 1;"))
			_, err := Build(p, Options{Env: testEnv(), Dialect: "postgres"})
			var re *ReferenceError
			if !errors.As(err, &re) {
				t.Fatalf("Build error = %v, want a *ReferenceError", err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildSelection(t *testing.T) {
	pgOnly := view("v", "create view v as select 1;")
	pgOnly.Attrs.IncludeDialects = []string{"postgres"}
	pgOnly.File = "view/v.pg.sql"
	myOnly := view("v", "create view v as select 2;")
	myOnly.Attrs.IncludeDialects = []string{"mysql"}
	myOnly.File = "view/v.my.sql"
	tbl := table("t",
		chg{name: "c1", sql: "create table t (id int);"},
		chg{name: "c2", sql: "insert into t values (1);", attrs: tandem.Attrs{IncludeEnvs: []string{"test*"}}},
		chg{name: "c3", sql: "alter table t add x int;", attrs: tandem.Attrs{Inactive: true}},
		chg{name: "c4", sql: "alter table t add y int;"},
	)
	prodOnly := view("p", "create view p as select 1;")
	prodOnly.Attrs.ExcludeEnvs = []string{"dev"}

	g, err := Build(project(myOnly, tbl, pgOnly, prodOnly), Options{Env: testEnv(), Dialect: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range g.Nodes {
		got = append(got, n.String()+" "+n.Object.File)
	}
	want := []string{"app.table.t/c1 table/t.sql", "app.table.t/c4 table/t.sql", "app.view.v view/v.pg.sql"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"app.table.t/c4 -> app.table.t/c1 (follows c1 at table/t.sql:7)"}, edgeStrings(g.Edges)); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}

	myOnly.Attrs.IncludeDialects = nil
	_, err = Build(project(myOnly, tbl, pgOnly), Options{Env: testEnv(), Dialect: "postgres"})
	var de *DuplicateError
	if !errors.As(err, &de) {
		t.Fatalf("Build error = %v, want a *DuplicateError", err)
	}
	want1 := "app.view.v is defined by view/v.my.sql and view/v.pg.sql, which all apply to environment dev (dialect postgres); delete one, or restrict them with includeEnvs or includeDialects so that one applies"
	if diff := cmp.Diff(want1, err.Error()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestBuildTokens(t *testing.T) {
	env := &tandem.Environment{Name: "qa", SchemaMap: map[string]string{"app": "app_qa"}, Tokens: map[string]string{"owner": "alice", "env": "override"}}
	v := view("v", "create view v as select '${owner}', '${unknown}', '${ owner }', '${app_physicalName}', '${APP_physicalName}', '${env}', '$${owner}' from x;")
	v.Changes[0].Rollback = "drop view ${app_physicalName}.v;"
	g, err := Build(project(v), Options{Env: env, Dialect: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	n := g.Nodes[0]
	want := "create view v as select 'alice', '${unknown}', '${ owner }', 'app_qa', '${APP_physicalName}', 'override', '$alice' from x;"
	if diff := cmp.Diff(want, n.SQL); diff != "" {
		t.Errorf("SQL (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("drop view app_qa.v;", n.Rollback); diff != "" {
		t.Errorf("Rollback (-want +got):\n%s", diff)
	}
}

func TestBuildHash(t *testing.T) {
	a := view("v", "create view v as\n  select 1;  -- one")
	b := view("v", "create   view v as select 1;")
	c := view("v", "create view v as select 2;")
	h := func(o *tandem.Object) string { return mustBuild(project(o)).Nodes[0].Hash }
	if h(a) != h(b) {
		t.Errorf("layout and comments changed the hash: %s vs %s", h(a), h(b))
	}
	if h(a) == h(c) {
		t.Errorf("different SQL gave the same hash %s", h(a))
	}
	if got := h(c); len(got) != 64 {
		t.Errorf("hash %q is not hex SHA-256", got)
	}
	d1 := staticData("t", []string{"id", "name"}, []string{"1", "a"})
	d2 := staticData("t", []string{"id", "name"}, []string{"1", "NULL"})
	d3 := staticData("t", []string{"id", "name"}, []string{"1", ""})
	d4 := staticData("t", []string{"id", "name"}, []string{"1a", ""})
	seen := map[string]string{}
	for name, o := range map[string]*tandem.Object{"d1": d1, "d2": d2, "d3": d3, "d4": d4} {
		if other, ok := seen[h(o)]; ok {
			t.Errorf("static data %s and %s hash alike", name, other)
		}
		seen[h(o)] = name
	}
}
