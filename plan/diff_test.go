package plan

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

// recordsOf records every change of g as deployed, the way deploy would have after running it.
func recordsOf(g *Graph) []tandem.Record {
	var out []tandem.Record
	for _, n := range g.Nodes {
		k := n.Object.Key
		out = append(out, tandem.Record{Schema: k.Schema, Type: k.Type, Object: k.Name, Change: n.Change.Name,
			Hash: n.Hash, Status: tandem.Applied, Definition: n.SQL, File: n.Change.File})
	}
	return out
}

func stepStrings(steps []Step) []string {
	if len(steps) == 0 {
		return nil
	}
	out := make([]string, len(steps))
	for i, s := range steps {
		what := s.Key.String()
		if s.Node != nil {
			what = s.Node.String()
		}
		out[i] = fmt.Sprintf("%s %s: %s", s.Action, what, s.Reason)
		if s.Record != nil {
			out[i] += " [recorded]"
		}
	}
	return out
}

// diffBase is the project most Diff cases start from and edit.
type diffBase struct {
	t, v, w, f, d *tandem.Object
}

func newDiffBase() *diffBase {
	return &diffBase{
		t: table("t", chg{name: "c1", sql: "create table t (id int primary key);"}, chg{name: "c2", sql: "alter table t add name text;"}),
		v: view("v", "create view v as select id from t;"),
		w: view("w", "create view w as select id from v;"),
		f: stateless("app", tandem.Function, "f", "create function f() returns int as $$ select 1 $$ language sql;"),
		d: staticData("t", []string{"id", "name"}, []string{"1", "one"}),
	}
}

func (b *diffBase) objects() []*tandem.Object {
	var out []*tandem.Object
	for _, o := range []*tandem.Object{b.t, b.v, b.w, b.f, b.d} {
		if o != nil {
			out = append(out, o)
		}
	}
	return out
}

func TestDiff(t *testing.T) {
	deployed := recordsOf(mustBuild(project(newDiffBase().objects()...)))
	tests := []struct {
		name     string
		records  []tandem.Record
		edit     func(b *diffBase)
		steps    []string
		problems []Problem
	}{
		{
			name: "empty database: everything, in graph order",
			steps: []string{
				"apply app.table.t/c1: new change",
				"apply app.table.t/c2: new change",
				"deploy app.function.f: new object",
				"deploy app.view.v: new object",
				"deploy app.view.w: new object",
				"data app.staticdata.t: new data",
			},
		},
		{
			name:    "all deployed: nothing to do",
			records: deployed,
		},
		{
			name:    "a new change applies, and its table's data is synced",
			records: deployed,
			edit: func(b *diffBase) {
				b.t.Changes = append(b.t.Changes, &tandem.Change{Object: b.t.Key, Name: "c3", File: b.t.File, Line: 5, SQL: "alter table t add x int;", Seq: 2})
			},
			steps: []string{
				"apply app.table.t/c3: new change",
				"data app.staticdata.t: table app.t changed [recorded]",
			},
		},
		{
			name:    "csv changed",
			records: deployed,
			edit: func(b *diffBase) {
				s := "uno"
				b.d.Data.Rows[0].Values[1] = &s
			},
			steps: []string{"data app.staticdata.t: csv changed [recorded]"},
		},
		{
			name:    "an edited change is a problem, with the diff",
			records: deployed,
			edit: func(b *diffBase) {
				b.t.Changes[1].SQL = "alter table t add name varchar(10);"
			},
			problems: []Problem{{Kind: ProblemEdited, Key: tandem.Key("app", tandem.Table, "t"), Change: "c2", File: "table/t.sql", Line: 3,
				Diff:     "--- deployed app.table.t/c2\n+++ table/t.sql\n@@ -1 +1 @@\n-alter table t add name text;\n+alter table t add name varchar(10);\n",
				Hint:     "add a new change instead; if this edit is intended, mark a new change with rebaseline=c2, or roll back; if the edit changes nothing in the database, accept it with a rebaseline",
				HintCode: tandem.HintRebaseline}},
		},
		{
			name:    "reformatting a change is no edit",
			records: deployed,
			edit: func(b *diffBase) {
				b.t.Changes[1].SQL = "-- a name for each row\nalter table t\n  add   name text;"
			},
		},
		{
			name:    "a deleted change is a problem",
			records: deployed,
			edit: func(b *diffBase) {
				b.t.Changes = b.t.Changes[:1]
			},
			problems: []Problem{{Kind: ProblemDeleted, Key: tandem.Key("app", tandem.Table, "t"), Change: "c2", File: "table/t.sql",
				Hint: "restore the change in table/t.sql; to retire it, add a change with rebaseline=c2 to the object, or roll it back before deleting it"}},
		},
		{
			name:    "an inactive change is not deleted",
			records: deployed,
			edit: func(b *diffBase) {
				b.t.Changes[1].Attrs.Inactive = true
			},
		},
		{
			name:    "a rebaseline records the new change and retires the old ones",
			records: deployed,
			edit: func(b *diffBase) {
				b.t.Changes = []*tandem.Change{{Object: b.t.Key, Name: "base", File: b.t.File, Line: 1,
					SQL: "create table t (id int primary key, name text);", Attrs: tandem.Attrs{Rebaseline: []string{"c1", "c2"}}}}
			},
			steps: []string{"rebaseline app.table.t/base: replaces c1, c2, deployed"},
		},
		{
			name:    "a rebaseline on an empty database just applies",
			records: nil,
			edit: func(b *diffBase) {
				b.t.Changes = []*tandem.Change{{Object: b.t.Key, Name: "base", File: b.t.File, Line: 1,
					SQL: "create table t (id int primary key, name text);", Attrs: tandem.Attrs{Rebaseline: []string{"c1", "c2"}}}}
				b.v, b.w, b.f, b.d = nil, nil, nil, nil
			},
			steps: []string{"apply app.table.t/base: new change"},
		},
		{
			name: "a partial change that is unchanged resumes",
			records: func() []tandem.Record {
				r := append([]tandem.Record(nil), deployed...)
				r[1].Status, r[1].Done = tandem.Partial, 2
				return r
			}(),
			steps: []string{
				"apply app.table.t/c2: resume after statement 2 [recorded]",
				"data app.staticdata.t: table app.t changed [recorded]",
			},
		},
		{
			name: "a partial change that was edited is a problem",
			records: func() []tandem.Record {
				r := append([]tandem.Record(nil), deployed...)
				r[1].Status, r[1].Done = tandem.Partial, 1
				return r
			}(),
			edit: func(b *diffBase) {
				b.t.Changes[1].SQL = "alter table t add name text;\nalter table t add age int;"
			},
			problems: []Problem{{Kind: ProblemPartial, Key: tandem.Key("app", tandem.Table, "t"), Change: "c2", File: "table/t.sql", Line: 3,
				Diff: "--- deployed app.table.t/c2\n+++ table/t.sql\n@@ -1 +1,2 @@\n alter table t add name text;\n+alter table t add age int;\n",
				Hint: "the first 1 statement(s) of this change ran before it failed, and it was edited since; restore the first 1 statement(s) as they were to resume after them, or finish the change by hand and then record it as deployed"}},
		},
		{
			name: "a partial change edited only after what ran resumes",
			records: func() []tandem.Record {
				r := append([]tandem.Record(nil), deployed...)
				r[1].Status, r[1].Done = tandem.Partial, 1
				r[1].DoneHash = HashStatements([]string{"alter table t  add name text"}, "postgres")
				return r
			}(),
			edit: func(b *diffBase) {
				b.t.Changes[1].SQL = "alter table t add name text;\nalter table t add age int;"
			},
			steps: []string{"apply app.table.t/c2: resume after statement 1 [recorded]", "data app.staticdata.t: table app.t changed [recorded]"},
		},
		{
			name:    "a changed view is dropped and deployed, and so is the view over it",
			records: deployed,
			edit: func(b *diffBase) {
				b.v.Changes[0].SQL = "create view v as select id, name from t;"
			},
			steps: []string{
				"drop app.view.w: depends on view app.v which is redeployed [recorded]",
				"drop app.view.v: definition changed [recorded]",
				"deploy app.view.v: definition changed [recorded]",
				"deploy app.view.w: depends on view app.v which is redeployed [recorded]",
			},
		},
		{
			name:    "a deleted view is dropped, after the view over it",
			records: deployed,
			edit: func(b *diffBase) {
				b.v = nil
			},
			steps: []string{
				"drop app.view.w: depends on view app.v which is dropped [recorded]",
				"drop app.view.v: file deleted [recorded]",
				"deploy app.view.w: depends on view app.v which is dropped [recorded]",
			},
		},
		{
			name:    "a view restricted to other environments is dropped",
			records: deployed,
			edit: func(b *diffBase) {
				b.w.Attrs.IncludeEnvs = []string{"prod"}
			},
			steps: []string{"drop app.view.w: does not apply to environment dev (dialect postgres) [recorded]"},
		},
		{
			name:    "a stateless object a table depends on is replaced in place",
			records: recordsOf(mustBuild(project(withDefault(newDiffBase()).objects()...))),
			edit: func(b *diffBase) {
				withDefault(b)
				b.f.Changes[0].SQL = "create function f() returns int as $$ select 2 $$ language sql;"
			},
			steps: []string{"deploy app.function.f: definition changed; replaced in place, without a drop, because table app.t depends on it [recorded]"},
		},
		{
			name:    "a new function that only a pending change uses is simply deployed",
			records: deployed,
			edit: func(b *diffBase) {
				b.t.Changes = append(b.t.Changes, &tandem.Change{Object: b.t.Key, Name: "c3", File: b.t.File, Line: 5, SQL: "alter table t add x int default g();", Seq: 2})
				b.w = stateless("app", tandem.Function, "g", "create function g() returns int as $$ select 7 $$ language sql;")
			},
			steps: []string{
				"drop app.view.w: file deleted [recorded]",
				"deploy app.function.g: new object",
				"apply app.table.t/c3: new change",
				"data app.staticdata.t: table app.t changed [recorded]",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newDiffBase()
			if tc.edit != nil {
				tc.edit(b)
			}
			pl, err := Diff(mustBuild(project(b.objects()...)), tc.records)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.steps, stepStrings(pl.Steps)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.problems, pl.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// withDefault makes table t's second change use function f for a default.
func withDefault(b *diffBase) *diffBase {
	b.t.Changes[1].SQL = "alter table t add name text default f();"
	return b
}

// TestDiffDropOrderFollowsRecordedDefinitions: the database holds a over b, the project now
// wants b over a. The drops must follow the database; the deploys, the project.
func TestDiffDropOrderFollowsRecordedDefinitions(t *testing.T) {
	before := mustBuild(project(
		view("a", "create view a as select * from b;"),
		view("b", "create view b as select 1 as id;"),
	))
	after := mustBuild(project(
		view("a", "create view a as select 1 as id;"),
		view("b", "create view b as select * from a;"),
	))
	pl, err := Diff(after, recordsOf(before))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"drop app.view.a: definition changed [recorded]",
		"drop app.view.b: definition changed [recorded]",
		"deploy app.view.a: definition changed [recorded]",
		"deploy app.view.b: definition changed [recorded]",
	}
	if diff := cmp.Diff(want, stepStrings(pl.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestDiffCascadeIsTransitive(t *testing.T) {
	objs := func(baseSQL string) []*tandem.Object {
		return []*tandem.Object{
			view("base", baseSQL),
			view("mid", "create view mid as select * from base;"),
			view("top", "create view top as select * from mid;"),
			view("other", "create view other as select 1;"),
			stateless("app", tandem.Trigger, "trg", "create trigger trg instead of insert on top for each row execute function f();"),
		}
	}
	before := mustBuild(project(objs("create view base as select 1 as id;")...))
	after := mustBuild(project(objs("create view base as select 2 as id;")...))
	pl, err := Diff(after, recordsOf(before))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"drop app.trigger.trg: depends on view app.top which is redeployed [recorded]",
		"drop app.view.top: depends on view app.mid which is redeployed [recorded]",
		"drop app.view.mid: depends on view app.base which is redeployed [recorded]",
		"drop app.view.base: definition changed [recorded]",
		"deploy app.view.base: definition changed [recorded]",
		"deploy app.view.mid: depends on view app.base which is redeployed [recorded]",
		"deploy app.view.top: depends on view app.mid which is redeployed [recorded]",
		"deploy app.trigger.trg: depends on view app.top which is redeployed [recorded]",
	}
	if diff := cmp.Diff(want, stepStrings(pl.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestDiffVersionedAndRepeatable(t *testing.T) {
	rep := func(sql string) *tandem.Object {
		o := stateless("app", tandem.Repeatable, "R__views", sql)
		o.Format = tandem.FormatFlyway
		return o
	}
	before := mustBuild(project(versioned("1", "init", "create table a (id int);"), rep("create or replace view x as select 1;")))
	after := mustBuild(project(
		versioned("1", "init", "create table a (id int, name text);"),
		versioned("2", "more", "create table b (id int);"),
		rep("create or replace view x as select 2;"),
	))
	pl, err := Diff(after, recordsOf(before))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"apply app.versioned.2_more/2_more: new change",
		"deploy app.repeatable.r__views: definition changed [recorded]",
	}
	if diff := cmp.Diff(want, stepStrings(pl.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if len(pl.Problems) != 1 || pl.Problems[0].Kind != ProblemEdited ||
		pl.Problems[0].Hint != "restore the migration as it was deployed and make the edit in a new migration, or roll back; if the edit changes nothing in the database (a comment, formatting), accept it with a rebaseline" ||
		pl.Problems[0].HintCode != tandem.HintRebaseline {
		t.Errorf("problems = %+v, want one edited migration", pl.Problems)
	}
}

func TestDiffCycle(t *testing.T) {
	g := mustBuild(project(view("a", "create view a as select * from b;"), view("b", "create view b as select * from a;")))
	_, err := Diff(g, nil)
	var ce *CycleError
	if !errors.As(err, &ce) {
		t.Fatalf("Diff error = %v, want a *CycleError", err)
	}
}

// A numbered migration whose version is below one already deployed is refused, naming the file,
// both versions and the way out, unless the environment allows out-of-order migrations; then it
// is applied and the step says it is out of order.
func TestDiffOutOfOrderMigration(t *testing.T) {
	deployed := mustBuild(project(versioned("00010", "a", "create table a (id int);"), versioned("00030", "c", "create table c (id int);")))
	p := project(
		versioned("00010", "a", "create table a (id int);"),
		versioned("00015", "b", "create table b (id int);"),
		versioned("00030", "c", "create table c (id int);"),
		versioned("00040", "d", "create table d (id int);"),
	)

	pl, err := Diff(mustBuild(p), recordsOf(deployed))
	if err != nil {
		t.Fatal(err)
	}
	want := []Problem{{Kind: ProblemOutOfOrder, Key: tandem.Key("app", tandem.Versioned, "00015_b"), Change: "00015_b",
		File: "migrations/00015_b.sql", Line: 1,
		Hint:     "version 00015 is lower than 00030, the highest version deployed (migrations/00030_c.sql); give the migration a version above 00030 (rename the file), or, if it is meant to run out of order, allow it with out_of_order: true in the environment in tandem.yaml or for one deploy",
		HintCode: tandem.HintOutOfOrder}}
	if diff := cmp.Diff(want, pl.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"apply app.versioned.00040_d/00040_d: new change"}, stepStrings(pl.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}

	env := testEnv()
	env.OutOfOrder = true
	g, err := Build(p, Options{Env: env, Dialect: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	pl, err = Diff(g, recordsOf(deployed))
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Problems) > 0 {
		t.Errorf("problems with out-of-order allowed: %+v", pl.Problems)
	}
	wantSteps := []string{
		"apply app.versioned.00015_b/00015_b: new change, out of order: below version 00030, deployed",
		"apply app.versioned.00040_d/00040_d: new change",
	}
	if diff := cmp.Diff(wantSteps, stepStrings(pl.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if pl.Steps[0].OutOfOrder != "00030" || pl.Steps[1].OutOfOrder != "" {
		t.Errorf("OutOfOrder = %q, %q; want 00030, empty", pl.Steps[0].OutOfOrder, pl.Steps[1].OutOfOrder)
	}
}

// A deployed migration the project no longer has still counts as deployed: its version comes
// from the record.
func TestDiffOutOfOrderBelowDeletedMigration(t *testing.T) {
	mig := func(v, name string) *tandem.Object {
		o := versioned(v, name, "select 1;")
		o.Key = tandem.Key("", tandem.Versioned, tandem.CanonicalVersion(v))
		o.Changes[0].Object, o.Changes[0].Name = o.Key, o.Key.Name
		return o
	}
	deployed := mustBuild(project(mig("2", "b")))
	pl, err := Diff(mustBuild(project(mig("1", "a"))), recordsOf(deployed))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []ProblemKind
	for _, p := range pl.Problems {
		kinds = append(kinds, p.Kind)
	}
	if diff := cmp.Diff([]ProblemKind{ProblemOutOfOrder, ProblemDeleted}, kinds); diff != "" {
		t.Errorf("problem kinds (-want +got):\n%s", diff)
	}
}
