package deploy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tandem-db/tandem/deploy"
)

// flywayWithCallbacks is a bare Flyway folder with a callback for every event tandem runs.
func flywayWithCallbacks() fstest.MapFS {
	return fstest.MapFS{
		"beforeMigrate.sql":          {Data: []byte("create table if not exists cb_log (what varchar(50));\ninsert into cb_log (what) values ('before');\n")},
		"beforeEachMigrate.sql":      {Data: []byte("insert into cb_log (what) values ('each-before');\n")},
		"afterEachMigrate__note.sql": {Data: []byte("insert into cb_log (what) values ('each-after');\n")},
		"afterMigrate.sql":           {Data: []byte("insert into cb_log (what) values ('after-${env}');\n")}, // tokens are replaced
		"afterMigrateError.sql":      {Data: []byte("insert into cb_log (what) values ('error');\n")},
		"V1__events.sql":             {Data: []byte("create table events (id integer primary key, what varchar(50));\n")},
		"V2__first_event.sql":        {Data: []byte("insert into events (id, what) values (1, 'created');\n")},
	}
}

func cbCounts(t *testing.T, e *deploy.Engine) map[string]int {
	t.Helper()
	rows, err := e.DB.QueryContext(context.Background(), "SELECT what, COUNT(*) FROM cb_log GROUP BY what")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var w string
		var n int
		if err := rows.Scan(&w, &n); err != nil {
			t.Fatal(err)
		}
		out[w] = n
	}
	return out
}

func TestFlywayCallbacksRunAtTheirPoints(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := flywayWithCallbacks()
		deployOK(t, e, load(t, files), "")
		want := map[string]int{"before": 1, "each-before": 2, "each-after": 2, "after-test": 1}
		if got := cbCounts(t, e); !sameCounts(got, want) {
			t.Fatalf("after the first deploy: callbacks ran %v, want %v", got, want)
		}

		// Flyway runs beforeMigrate and afterMigrate on every migrate, even with nothing pending.
		deployOK(t, e, load(t, files), "")
		want = map[string]int{"before": 2, "each-before": 2, "each-after": 2, "after-test": 2}
		if got := cbCounts(t, e); !sameCounts(got, want) {
			t.Fatalf("after a deploy with nothing pending: callbacks ran %v, want %v", got, want)
		}

		// A failing migration: afterMigrateError runs, afterMigrate does not, and where the
		// migration runs in a transaction its each-callbacks roll back with it.
		files["V3__broken.sql"] = &fstest.MapFile{Data: []byte("insert into no_such_table (id) values (1);\n")}
		_, err := e.Deploy(context.Background(), load(t, files), deploy.Options{})
		if err == nil || !strings.Contains(err.Error(), "V3__broken.sql:1") {
			t.Fatalf("deploy error = %v, want one naming V3__broken.sql:1", err)
		}
		want = map[string]int{"before": 3, "each-before": 2, "each-after": 2, "after-test": 2, "error": 1}
		if !tg.dialect.Capabilities().TransactionalDDL {
			want["each-before"] = 3 // committed on its own before the failing statement
		}
		if got := cbCounts(t, e); !sameCounts(got, want) {
			t.Fatalf("after a failed deploy: callbacks ran %v, want %v", got, want)
		}
	})
}

func TestFailingCallbackNamesItsFile(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := flywayWithCallbacks()
		files["afterEachMigrate__note.sql"] = &fstest.MapFile{Data: []byte("\ninsert into no_such_log (what) values ('x');\n")}
		_, err := e.Deploy(context.Background(), load(t, files), deploy.Options{})
		if err == nil || !strings.Contains(err.Error(), "afterEachMigrate__note.sql:2") {
			t.Fatalf("deploy error = %v, want one naming afterEachMigrate__note.sql:2", err)
		}
		if tg.dialect.Capabilities().TransactionalDDL {
			if n := count(t, e, "SELECT COUNT(*) FROM cb_log WHERE what = 'each-before'"); n != 0 {
				t.Errorf("each-before rows = %d, want 0: the failed afterEachMigrate should roll the migration back", n)
			}
		}
	})
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
