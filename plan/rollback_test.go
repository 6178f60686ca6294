package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

// shopV1 is the release most rollback cases return to: a table with a rollback, two views on
// it, a function and static data.
func shopV1() []*tandem.Object {
	return []*tandem.Object{
		withRollbacks(table("customers", chg{name: "create", sql: "create table customers (id int primary key, email text);"}),
			map[string]string{"create": "drop table customers;"}),
		view("emails", "create view emails as select id, email from customers;"),
		view("gmail", "create view gmail as select id from customers where email like '%gmail.com';"),
		stateless("app", tandem.Function, "one", "create function one() returns int as $$ select 1 $$ language sql;"),
		staticData("countries", []string{"code", "name"}, []string{"DE", "Germany"}),
	}
}

// shopV2 changes every kind of object of shopV1: a change and a table added, a view edited, a
// view added on the new table, a view deleted, the static data edited.
func shopV2() []*tandem.Object {
	v := shopV1()
	v[0] = withRollbacks(table("customers",
		chg{name: "create", sql: "create table customers (id int primary key, email text);"},
		chg{name: "add_name", sql: "alter table customers add name text;"}),
		map[string]string{"create": "drop table customers;", "add_name": "alter table customers drop column name;"})
	v[1] = view("emails", "create view emails as select id, email, name from customers;")
	v[2] = withRollbacks(table("orders", chg{name: "create", sql: "create table orders (id int primary key, customer_id int references customers (id));"}),
		map[string]string{"create": "drop table orders;"})
	v[4] = staticData("countries", []string{"code", "name"}, []string{"DE", "Deutschland"}, []string{"JP", "Japan"})
	return append(v, view("order_count", "create view order_count as select customer_id, count(*) from orders group by customer_id;"))
}

func TestRollback(t *testing.T) {
	obevoT := func(extra ...chg) *tandem.Object {
		return obevo(table("t", append([]chg{{name: "create", sql: "CREATE TABLE t (id INT)"}}, extra...)...))[0]
	}
	withdrawn := func(o *tandem.Object, name string) *tandem.Object {
		for _, c := range o.Changes {
			if c.Name == name {
				c.Attrs.Extra = map[string]string{withdrawnAttr: "true"}
			}
		}
		return o
	}
	tests := []struct {
		name     string
		releases [][]*tandem.Object // deployed in turn, as runs 1, 2, ...
		target   int64
		project  []*tandem.Object     // the project given to the rollback; nil: none
		edit     func(h *fakeHistory) // changes the history before the rollback is planned
		steps    []string
		kept     []string
		err      string
		hint     tandem.HintCode // the hint code the error carries, when err is set
	}{
		{
			name:     "schema and data back to v1: dependents dropped first, changes undone newest first, definitions of then recreated, rows of then restored",
			releases: [][]*tandem.Object{shopV1(), shopV2()},
			target:   1,
			project:  shopV2(),
			steps: []string{
				"drop app.view.order_count: rollback",
				"drop app.view.emails: rollback",
				"undo app.table.orders/create: undo | drop table orders;",
				"undo app.table.customers/add_name: undo | alter table customers drop column name;",
				"deploy app.view.emails: rollback | create view emails as select id, email from customers;",
				"deploy app.view.gmail: rollback | create view gmail as select id from customers where email like '%gmail.com';",
				"data app.staticdata.countries: rollback | 1 rows",
			},
		},
		{
			name:     "everything back to before the first run: the data record is forgotten, its table goes with the table's undo",
			releases: [][]*tandem.Object{shopV1()},
			target:   0,
			steps: []string{
				"drop app.view.gmail: rollback",
				"drop app.view.emails: rollback",
				"drop app.function.one: rollback",
				"undo app.table.customers/create: undo | drop table customers;",
				"drop app.staticdata.countries: rollback",
			},
		},
		{
			name:     "nothing deployed since the target: nothing to do",
			releases: [][]*tandem.Object{shopV1(), shopV1()},
			target:   1,
		},
		{
			name: "a change without rollback SQL refuses the rollback, naming it",
			releases: [][]*tandem.Object{shopV1(), append(shopV1()[1:], table("customers",
				chg{name: "create", sql: "create table customers (id int primary key, email text);"},
				chg{name: "add_phone", sql: "alter table customers add phone text;"}))},
			target: 1,
			err:    "nothing was run: these changes have no rollback section:\n  app.table.customers/add_phone (table/customers.sql)",
			hint:   tandem.HintRollbackAgain,
		},
		{
			name: "a rollback section the project wrote after the deploy is used when the record has none",
			releases: [][]*tandem.Object{{view("v", "create view v as select 1;")}, {view("v", "create view v as select 1;"),
				table("t", chg{name: "create", sql: "create table t (id int);"})}},
			target: 1,
			project: []*tandem.Object{view("v", "create view v as select 1;"),
				withRollbacks(table("t", chg{name: "create", sql: "create table t (id int);"}), map[string]string{"create": "drop table t;"})},
			steps: []string{"undo app.table.t/create: undo | drop table t;"},
		},
		{
			name:     "stateless definitions: one created since is dropped, one dropped since is recreated",
			releases: [][]*tandem.Object{{view("old", "create view old as select 1;")}, {view("new", "create view new as select 2;")}},
			target:   1,
			steps: []string{
				"drop app.view.new: rollback",
				"deploy app.view.old: rollback | create view old as select 1;",
			},
		},
		{
			name: "a static data script of then runs again (its kind says it is a script, not rows)",
			releases: [][]*tandem.Object{
				{withRollbacks(table("t", chg{name: "create", sql: "create table t (id int);"}), map[string]string{"create": "drop table t;"}),
					stateless("app", tandem.StaticData, "t", "insert into t values (1);")},
				{withRollbacks(table("t", chg{name: "create", sql: "create table t (id int);"}, chg{name: "c2", sql: "alter table t add x int;"}),
					map[string]string{"create": "drop table t;", "c2": "alter table t drop column x;"}),
					stateless("app", tandem.StaticData, "t", "insert into t values (2, 2);")},
			},
			// A script's hash does not follow its text; a record of another hash stands for a
			// script that changed.
			edit: func(h *fakeHistory) {
				for i := range h.records {
					if h.records[i].Type == tandem.StaticData {
						h.records[i].Hash = "another"
					}
				}
			},
			target: 1,
			steps: []string{
				"undo app.table.t/c2: undo | alter table t drop column x;",
				"data app.staticdata.t: rollback | insert into t values (1);",
			},
		},
		{
			name:     "an Obevo change without ROLLBACK section is kept; the others are undone as Obevo SQL",
			releases: [][]*tandem.Object{{obevoT()}, {withRollbacks(obevoT(chg{name: "addn", sql: "ALTER TABLE t ADD n INT"}, chg{name: "addc", sql: "ALTER TABLE t ADD c INT"}), map[string]string{"addc": "ALTER TABLE t DROP COLUMN c\nGO"})}},
			target:   1,
			project:  []*tandem.Object{obevoT()},
			steps:    []string{"undo app.table.t/addc: undo | ALTER TABLE t DROP COLUMN c\nGO"},
			kept:     []string{"app.table.t/addn (table/t.sql)"},
		},
		{
			name: "a change withdrawn after the target (ROLLBACK-IF-ALREADY-DEPLOYED) is applied again from the project",
			releases: [][]*tandem.Object{
				{obevoT(chg{name: "addw", sql: "ALTER TABLE t ADD w INT"})},
				{withdrawn(withRollbacks(obevoT(chg{name: "addw", sql: "ALTER TABLE t ADD w INT"}), map[string]string{"addw": "ALTER TABLE t DROP COLUMN w"}), "addw")},
			},
			target:  1,
			project: []*tandem.Object{obevoT(chg{name: "addw", sql: "ALTER TABLE t ADD w INT"})},
			steps:   []string{"apply app.table.t/addw: undone after the target run | ALTER TABLE t ADD w INT"},
		},
		{
			name: "a withdrawn change the project does not have refuses the rollback",
			releases: [][]*tandem.Object{
				{obevoT(chg{name: "addw", sql: "ALTER TABLE t ADD w INT"})},
				{withdrawn(withRollbacks(obevoT(chg{name: "addw", sql: "ALTER TABLE t ADD w INT"}), map[string]string{"addw": "ALTER TABLE t DROP COLUMN w"}), "addw")},
			},
			target:  1,
			project: []*tandem.Object{obevoT()},
			err:     "nothing was run: these changes were deployed at the end of the target run and undone after it, and the project given does not have them to apply again:\n  app.table.t/addw",
			hint:    tandem.HintProjectFolder,
		},
		{
			name: "a rollback the project corrected since the deploy runs instead of the recorded one",
			releases: [][]*tandem.Object{{view("v", "create view v as select 1;")}, {view("v", "create view v as select 1;"),
				withRollbacks(table("t", chg{name: "create", sql: "create table t (id int);"}), map[string]string{"create": "drop tabel t;"})}},
			target: 1,
			project: []*tandem.Object{view("v", "create view v as select 1;"),
				withRollbacks(table("t", chg{name: "create", sql: "create table t (id int);"}), map[string]string{"create": "drop table t;"})},
			steps: []string{"undo app.table.t/create: undo | drop table t;"},
		},
		{
			name:     "a change recorded without running (baseline) is undone by forgetting it",
			releases: [][]*tandem.Object{{view("v", "create view v as select 1;")}, {view("v", "create view v as select 1;"), table("t", chg{name: "create", sql: "create table t (id int);"})}},
			edit: func(h *fakeHistory) {
				h.events[len(h.events)-1].Action = tandem.EventBaseline
			},
			target: 1,
			steps:  []string{"undo app.table.t/create: undo | "},
		},
		{
			name:     "a change rebaselined after the target refuses the rollback",
			releases: [][]*tandem.Object{{view("v", "create view v as select 1;")}, {view("v", "create view v as select 1;"), table("t", chg{name: "create", sql: "create table t (id int);"})}},
			edit: func(h *fakeHistory) {
				h.events[len(h.events)-1].Action = tandem.EventRebaseline
			},
			target: 1,
			err:    "app.table.t/create was rebaselined after the target run; roll back to a run after that rebaseline",
		},
		{
			name:     "static data recorded as rows is restored as rows, never guessed to be a script",
			releases: [][]*tandem.Object{shopV1(), shopV2()},
			edit: func(h *fakeHistory) {
				for i := range h.events {
					if h.events[i].Type == tandem.StaticData && h.events[i].RunID == 1 {
						h.events[i].SQL = "not json"
					}
				}
			},
			target:  1,
			project: shopV2(),
			err:     "nothing was run: the rows of app.staticdata.countries recorded by run 1 cannot be read: invalid character 'o' in literal null (expecting 'u')",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &fakeHistory{t: t}
			for _, objs := range tc.releases {
				h.deploy(project(objs...))
			}
			if tc.edit != nil {
				tc.edit(h)
			}
			var p *tandem.Project
			if tc.project != nil {
				p = project(tc.project...)
			}
			rp, err := h.rollback(tc.target, p)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error:\n%v\nwant:\n%s", err, tc.err)
				}
				if h, _ := tandem.HintOf(err); h.Code != tc.hint {
					t.Fatalf("hint code %q, want %q", h.Code, tc.hint)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.steps, rollbackStrings(rp.Steps)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.kept, rp.Kept); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRollbackPlanParts: the schema steps come first and the static data steps last, which is
// what lets the engine run the schema steps in one transaction.
func TestRollbackPlanParts(t *testing.T) {
	h := &fakeHistory{t: t}
	h.deploy(project(shopV1()...))
	h.deploy(project(shopV2()...))
	rp, err := h.rollback(1, project(shopV2()...))
	if err != nil {
		t.Fatal(err)
	}
	schema, data := rp.SchemaSteps(), rp.DataSteps()
	if len(schema)+len(data) != len(rp.Steps) || len(schema) != 6 || len(data) != 1 {
		t.Fatalf("%d schema steps and %d data steps of %d, want 6 and 1", len(schema), len(data), len(rp.Steps))
	}
	for _, st := range schema {
		if st.Key.Type == tandem.StaticData {
			t.Errorf("schema step %s %s", st.Action, st.Key)
		}
	}
	if data[0].Key.Type != tandem.StaticData {
		t.Errorf("data step %s %s", data[0].Action, data[0].Key)
	}
}

// TestDefinitionsAt: the last deploy or data event of a stateless object is in force; a drop
// takes it away; stateful objects are left out.
func TestDefinitionsAt(t *testing.T) {
	ev := func(action tandem.EventAction, typ tandem.ObjectType, name, sql string) tandem.Event {
		return tandem.Event{Action: action, Schema: "app", Type: typ, Object: name, SQL: sql}
	}
	got := DefinitionsAt([]tandem.Event{
		ev(tandem.EventApply, tandem.Table, "t", ""),
		ev(tandem.EventDeploy, tandem.View, "v", "v1"),
		ev(tandem.EventDeploy, tandem.View, "w", "w1"),
		ev(tandem.EventDeploy, tandem.View, "v", "v2"),
		ev(tandem.EventDrop, tandem.View, "w", "w1"),
		ev(tandem.EventData, tandem.StaticData, "t", "{}"),
	})
	var out []string
	for _, k := range sortedKeys(got) {
		out = append(out, k.String()+"="+got[k].SQL)
	}
	if diff := cmp.Diff([]string{"app.view.v=v2", "app.staticdata.t={}"}, out); diff != "" {
		t.Errorf("definitions (-want +got):\n%s", diff)
	}
}

// TestRollbackRecreationFiles: a definition read back from the history runs as written in the
// file its record names, and one with no record left says it came from the history, instead of
// passing its key off as a file.
func TestRollbackRecreationFiles(t *testing.T) {
	h := &fakeHistory{t: t}
	h.deploy(project(view("kept", "create view kept as select 1;"), view("old", "create view old as select 1;")))
	h.deploy(project(view("kept", "create view kept as select 2;")))
	rp, err := h.rollback(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, st := range rp.Steps {
		if st.Action == ActionDeploy {
			files[st.Key.Name] = st.Node.Change.File
		}
	}
	want := map[string]string{"kept": "view/kept.sql", "old": "(history of app.view.old)"}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files of the recreated views (-want +got):\n%s", diff)
	}
}
