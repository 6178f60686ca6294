package deploy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
)

// onboardShop is a project where table broken fails (its second statement is not SQL, after a
// first that works), view on_broken depends on it, and table fine and view on_fine do not.
func onboardShop(broken string) fstest.MapFS {
	return fstest.MapFS{
		"tandem.yaml":            {Data: []byte("schemas: [app]\n")},
		"app/table/fine.sql":     {Data: []byte("-- tandem:change create\ncreate table fine (id integer primary key);\n")},
		"app/table/broken.sql":   {Data: []byte("-- tandem:change create\n" + broken)},
		"app/view/on_fine.sql":   {Data: []byte("create view on_fine as select id from fine;\n")},
		"app/view/on_broken.sql": {Data: []byte("create view on_broken as select id from broken;\n")},
	}
}

const brokenSQL = "create table half (id integer primary key);\nthis is not sql;\n"

// historyRows counts the history rows of an object.
func historyRows(t *testing.T, e *deploy.Engine, tg target, object string) int {
	t.Helper()
	return count(t, e, "SELECT COUNT(*) FROM "+tg.historyTable(tandem.ChangesTable)+" WHERE object_name = '"+object+"'")
}

func exists(e *deploy.Engine, table string) bool {
	_, err := e.DB.Exec("SELECT 1 FROM " + table)
	return err == nil
}

// TestOnboardingGoesOnPastFailures: an onboarding deploy records the failing change as failed,
// does not run what depends on it, deploys everything else, and ends with an *OnboardingError
// listing both. Each change runs in its own transaction, so nothing of the failing one is left
// (where DDL is transactional). A rerun fails the same way; once fixed, the rest deploys.
func TestOnboardingGoesOnPastFailures(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		if tg.name == "mysql" {
			t.Skip("MySQL commits each DDL statement: see TestOnboardingStopsAtPartialChange")
		}
		e := tg.engine(t)
		for _, run := range []string{"first", "rerun"} {
			res, err := e.Deploy(context.Background(), load(t, onboardShop(brokenSQL)), deploy.Options{Onboarding: true})
			var oe *deploy.OnboardingError
			if !errors.As(err, &oe) {
				t.Fatalf("%s: want an *OnboardingError, got %v", run, err)
			}
			if len(res.Failed) != 1 || res.Failed[0].Step.Key.Name != "broken" || !strings.Contains(res.Failed[0].Err.Error(), "this is not sql") {
				t.Fatalf("%s: failed = %+v, want broken/create", run, res.Failed)
			}
			if len(res.Skipped) != 1 || res.Skipped[0].Step.Key.Name != "on_broken" || !strings.Contains(res.Skipped[0].Reason, "broken") {
				t.Fatalf("%s: skipped = %+v, want on_broken, which references broken", run, res.Skipped)
			}
			if msg := err.Error(); !strings.Contains(msg, "failed app.table.broken/create") || !strings.Contains(msg, "not run app.view.on_broken") {
				t.Errorf("%s: error does not list the failure and the skipped view:\n%s", run, msg)
			}
			if !exists(e, tg.table("fine")) || !exists(e, tg.table("on_fine")) {
				t.Errorf("%s: fine and on_fine not deployed past the failure", run)
			}
			if exists(e, tg.table("half")) || exists(e, tg.table("on_broken")) {
				t.Errorf("%s: the failed change's first statement or the view on it is in the database", run)
			}
			if n := historyRows(t, e, tg, "broken") + historyRows(t, e, tg, "on_broken"); n != 0 {
				t.Errorf("%s: %d history rows for broken and on_broken, want none", run, n)
			}
		}
		res, err := e.Deploy(context.Background(), load(t, onboardShop("create table broken (id integer primary key);\n")), deploy.Options{Onboarding: true})
		if err != nil {
			t.Fatalf("deploy the fixed project: %v", err)
		}
		if got := strings.Join(actions(res), ", "); got != "apply broken/create, deploy on_broken" {
			t.Errorf("fixed deploy ran %s", got)
		}
	})
}

// TestOnboardingStopsAtPartialChange: where a failing change left statements committed (MySQL
// DDL), it is recorded as partly applied and the onboarding deploy stops there, as a deploy
// does, rather than going on with a half-applied change.
func TestOnboardingStopsAtPartialChange(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		if tg.name != "mysql" {
			t.Skip("DDL is transactional here: nothing of a failing change stays")
		}
		e := tg.engine(t)
		_, err := e.Deploy(context.Background(), load(t, onboardShop(brokenSQL)), deploy.Options{Onboarding: true})
		var se *deploy.StepError
		var oe *deploy.OnboardingError
		if !errors.As(err, &se) || errors.As(err, &oe) || se.Applied != 1 {
			t.Fatalf("want the deploy stopped by a *StepError with 1 statement applied, got %v", err)
		}
	})
}

// TestDeployStopsWithoutOnboarding: without the option, the first failure stops the deploy.
func TestDeployStopsWithoutOnboarding(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		if tg.name == "mysql" {
			t.Skip("covered on SQLite and PostgreSQL")
		}
		e := tg.engine(t)
		_, err := e.Deploy(context.Background(), load(t, onboardShop(brokenSQL)), deploy.Options{})
		var se *deploy.StepError
		if !errors.As(err, &se) {
			t.Fatalf("want a *StepError, got %v", err)
		}
	})
}
