package deploy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/plan"
)

// phasedShop is an Obevo project whose two tables each get an index in a changeset: t's in
// phaseA, u's in phaseB.
func phasedShop() fstest.MapFS {
	return fstest.MapFS{
		"system-config.xml": {Data: []byte(`<dbSystemConfig type="POSTGRESQL"><schemas><schema name="APP"/></schemas>
<environments><dbEnvironment name="test"/></environments></dbSystemConfig>`)},
		"APP/table/t.ddl": {Data: []byte("//// CHANGE name=create\nCREATE TABLE t (id INT NOT NULL)\nGO\n//// CHANGE name=ix changeset=phaseA\nCREATE INDEX t_ix ON t (id)\nGO\n")},
		"APP/table/u.ddl": {Data: []byte("//// CHANGE name=create\nCREATE TABLE u (id INT NOT NULL)\nGO\n//// CHANGE name=ix changeset=phaseB\nCREATE INDEX u_ix ON u (id)\nGO\n")},
	}
}

// hasIndex reports whether the app schema has an index of that name.
func hasIndex(t *testing.T, e *deploy.Engine, tg target, name string) bool {
	t.Helper()
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '" + name + "'"
	switch tg.name {
	case "postgres":
		q = "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + tg.schema + "' AND indexname = '" + name + "'"
	case "mysql":
		q = "SELECT count(*) FROM information_schema.statistics WHERE table_schema = '" + tg.schema + "' AND index_name = '" + name + "'"
	}
	return count(t, e, q) > 0
}

func deferredNames(steps []plan.Step) []string {
	var out []string
	for _, st := range steps {
		out = append(out, st.Node.Change.ID()+": "+st.Reason)
	}
	return out
}

// TestChangesetsInPhases: a default deploy leaves both indexes out and says so; --changeset
// phaseA adds t's; phaseB then adds u's (Obevo's testChangesetsAppliedInPhases).
func TestChangesetsInPhases(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		ctx := context.Background()
		e := tg.engine(t)
		p := load(t, phasedShop())
		res := deployOK(t, e, p, "")
		equalStrings(t, "default deploy", actions(res), []string{"apply t/create", "apply u/create"})
		equalStrings(t, "default deploy deferred", deferredNames(res.Deferred), []string{
			"app.table.t/ix: deferred: in changeset phaseA, deploy with --changeset phaseA (new change)",
			"app.table.u/ix: deferred: in changeset phaseB, deploy with --changeset phaseB (new change)",
		})
		if hasIndex(t, e, tg, "t_ix") || hasIndex(t, e, tg, "u_ix") {
			t.Fatalf("an index in a changeset was created by the default deploy")
		}
		st, err := e.Status(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !st.UpToDate() || len(st.Preview.Plan.Deferred) != 2 {
			t.Errorf("status after the default deploy: up to date %v, %d deferred; want up to date with 2 deferred", st.UpToDate(), len(st.Preview.Plan.Deferred))
		}

		res, err = e.Deploy(ctx, p, deploy.Options{Changesets: plan.Changesets{Names: []string{"phaseA"}}})
		if err != nil {
			t.Fatal(err)
		}
		equalStrings(t, "phaseA deploy", actions(res), []string{"apply t/ix"})
		if !hasIndex(t, e, tg, "t_ix") || hasIndex(t, e, tg, "u_ix") {
			t.Fatalf("after --changeset phaseA: t_ix %v, u_ix %v; want only t_ix", hasIndex(t, e, tg, "t_ix"), hasIndex(t, e, tg, "u_ix"))
		}

		// Plan and status see what a deploy with the engine's selection would do.
		e.Changesets = plan.Changesets{Names: []string{"phaseB"}}
		pv, err := e.Plan(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(pv.Plan.Steps) != 1 || pv.Plan.Steps[0].Node.Change.ID() != "app.table.u/ix" || len(pv.Plan.Deferred) != 0 {
			t.Errorf("plan with phaseB selected: steps %v, deferred %v; want u/ix only", pv.Plan.Steps, deferredNames(pv.Plan.Deferred))
		}
		e.Changesets = plan.Changesets{}

		res, err = e.Deploy(ctx, p, deploy.Options{Changesets: plan.Changesets{Names: []string{"phaseB"}}})
		if err != nil {
			t.Fatal(err)
		}
		equalStrings(t, "phaseB deploy", actions(res), []string{"apply u/ix"})
		if !hasIndex(t, e, tg, "t_ix") || !hasIndex(t, e, tg, "u_ix") {
			t.Fatalf("after --changeset phaseB: want both indexes")
		}
		res = deployOK(t, e, p, "")
		if len(res.Steps) != 0 || len(res.Deferred) != 0 {
			t.Errorf("default deploy after both phases: %v, deferred %v; want nothing", actions(res), deferredNames(res.Deferred))
		}
	})
}

// TestChangesetsAllAtOnce: AllChangesets deploys every change (Obevo's
// testChangesetAppliedAtOnce); an unknown name is refused before anything runs.
func TestChangesetsAllAtOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		ctx := context.Background()
		e := tg.engine(t)
		p := load(t, phasedShop())
		_, err := e.Deploy(ctx, p, deploy.Options{Changesets: plan.Changesets{Names: []string{"phaseC"}}})
		if err == nil || !strings.Contains(err.Error(), `changeset "phaseC"`) {
			t.Fatalf("deploy --changeset phaseC: want an error naming it, got %v", err)
		}
		if _, err := e.DB.Exec("SELECT id FROM " + tg.table("t")); err == nil {
			t.Errorf("the refused deploy created table t")
		}
		res, err := e.Deploy(ctx, p, deploy.Options{Changesets: plan.Changesets{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		equalStrings(t, "all changesets", actions(res), []string{"apply t/create", "apply t/ix", "apply u/create", "apply u/ix"})
		if !hasIndex(t, e, tg, "t_ix") || !hasIndex(t, e, tg, "u_ix") || len(res.Deferred) != 0 {
			t.Errorf("after --all-changesets: want both indexes and nothing deferred")
		}
	})
}
