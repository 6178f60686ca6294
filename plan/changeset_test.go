package plan

import (
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

// changesetProject: orders gets an index in changeset phaseA and a column after it; audit is
// created in changeset phaseB; the view on orders, the view on audit, the later audit change
// and a change naming orders/ix in its depends attribute show which dependents wait.
func changesetProject() *tandem.Project {
	inA, inB := tandem.Attrs{Changeset: "phaseA"}, tandem.Attrs{Changeset: "phaseB"}
	return project(
		table("orders",
			chg{name: "create", sql: "CREATE TABLE orders (id INT)"},
			chg{name: "ix", sql: "CREATE INDEX orders_ix ON orders (id)", attrs: inA},
			chg{name: "note", sql: "ALTER TABLE orders ADD note TEXT"}),
		table("audit",
			chg{name: "create", sql: "CREATE TABLE audit (id INT)", attrs: inB},
			chg{name: "at", sql: "ALTER TABLE audit ADD at INT"}),
		stateless("app", tandem.View, "orders_v", "CREATE VIEW orders_v AS SELECT id FROM orders"),
		stateless("app", tandem.View, "audit_v", "CREATE VIEW audit_v AS SELECT id FROM audit"),
		table("stats",
			chg{name: "create", sql: "CREATE TABLE stats (n INT)", attrs: tandem.Attrs{DependsAdd: []string{"orders/ix"}}}),
	)
}

func stepNames(steps []Step) string {
	var out []string
	for _, st := range steps {
		out = append(out, st.Node.String())
	}
	return strings.Join(out, " ")
}

// TestChangesetsDeferred: a change in a changeset not selected is left out and listed as
// deferred with the flag that deploys it; what needs it (its object's creation, or a depends
// entry naming it) waits with it; what merely uses its object does not.
func TestChangesetsDeferred(t *testing.T) {
	diff := func(sel Changesets) *Plan {
		t.Helper()
		g, err := Build(changesetProject(), Options{Env: testEnv(), Dialect: "postgres", Changesets: sel})
		if err != nil {
			t.Fatal(err)
		}
		pl, err := Diff(g, nil)
		if err != nil {
			t.Fatal(err)
		}
		return pl
	}
	pl := diff(Changesets{})
	if got, want := stepNames(pl.Steps), "app.table.orders/create app.table.orders/note app.view.orders_v"; got != want {
		t.Errorf("default deploy steps = %s, want %s", got, want)
	}
	if got, want := stepNames(pl.Deferred), "app.table.audit/create app.table.audit/at app.table.orders/ix app.table.stats/create app.view.audit_v"; got != want {
		t.Errorf("default deploy deferred = %s, want %s", got, want)
	}
	reasons := map[string]Step{}
	for _, st := range pl.Deferred {
		reasons[st.Node.String()] = st
	}
	for name, want := range map[string]string{
		"app.table.orders/ix":    "deferred: in changeset phaseA, deploy with --changeset phaseA (new change)",
		"app.table.stats/create": "deferred: depends on app.table.orders/ix, deferred in changeset phaseA; deploy with --changeset phaseA",
		"app.table.audit/at":     "deferred: follows app.table.audit/create, deferred in changeset phaseB; deploy with --changeset phaseB",
		"app.view.audit_v":       "deferred: references app.table.audit/create, deferred in changeset phaseB; deploy with --changeset phaseB",
		"app.table.audit/create": "deferred: in changeset phaseB, deploy with --changeset phaseB (new change)",
	} {
		if got := reasons[name].Reason; got != want {
			t.Errorf("%s: reason %q, want %q", name, got, want)
		}
	}
	if cs := reasons["app.view.audit_v"].Changeset; cs != "phaseB" {
		t.Errorf("audit_v waits for changeset %q, want phaseB", cs)
	}

	pl = diff(Changesets{Names: []string{"phaseA"}})
	if got, want := stepNames(pl.Deferred), "app.table.audit/create app.table.audit/at app.view.audit_v"; got != want {
		t.Errorf("--changeset phaseA deferred = %s, want %s", got, want)
	}
	if got := stepNames(pl.Steps); !strings.Contains(got, "app.table.orders/ix") || !strings.Contains(got, "app.table.stats/create") {
		t.Errorf("--changeset phaseA steps = %s, want orders/ix and stats/create among them", got)
	}

	pl = diff(Changesets{All: true})
	if len(pl.Deferred) != 0 || len(pl.Steps) != 8 {
		t.Errorf("--all-changesets: %d steps, deferred %s; want all 8 steps, none deferred", len(pl.Steps), stepNames(pl.Deferred))
	}
}

// TestChangesetsDeployed: a deployed change in a changeset is no step and not deferred, so
// the next default deploy has nothing left to say about it.
func TestChangesetsDeployed(t *testing.T) {
	g, err := Build(changesetProject(), Options{Env: testEnv(), Dialect: "postgres", Changesets: Changesets{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Diff(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	var records []tandem.Record
	for _, st := range pl.Steps {
		records = append(records, tandem.Record{Schema: st.Key.Schema, Type: st.Key.Type, Object: st.Key.Name, Change: st.Node.Change.Name, Hash: st.Node.Hash, Status: tandem.Applied})
	}
	g, err = Build(changesetProject(), Options{Env: testEnv(), Dialect: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	pl, err = Diff(g, records)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Steps) != 0 || len(pl.Deferred) != 0 || len(pl.Problems) != 0 {
		t.Errorf("after deploying everything: steps %s, deferred %s, problems %v; want none", stepNames(pl.Steps), stepNames(pl.Deferred), pl.Problems)
	}
}

// TestChangesetsUnknownName: a selected changeset that no change is in is an error naming the
// project's changesets, not a deploy that quietly runs none of what was meant.
func TestChangesetsUnknownName(t *testing.T) {
	g, err := Build(changesetProject(), Options{Env: testEnv(), Dialect: "postgres", Changesets: Changesets{Names: []string{"phasea"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Diff(g, nil)
	if err == nil || !strings.Contains(err.Error(), `changeset "phasea": no change in this environment is in it (the project's changesets are phaseA, phaseB)`) {
		t.Errorf("err = %v, want the unknown changeset named with the known ones", err)
	}
}
