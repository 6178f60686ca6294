package deploy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

// withDown makes a goose migration with an up and a down section.
func withDown(up, down string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("-- +goose Up\n" + up + "\n-- +goose Down\n" + down + "\n")}
}

// TestCorrectedDownScriptIsUsed: a down script fixed after its migration was deployed is the one
// rollback runs, as long as the migration's up part is unchanged; a migration whose up part was
// edited, or whose file is gone, is rolled back with the down script recorded at deploy.
// Rebaseline records the corrected one, so that a rollback without the project runs it too.
func TestCorrectedDownScriptIsUsed(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		ctx := context.Background()
		e := tg.engine(t)
		files := fstest.MapFS{
			"tandem.yaml":            {Data: []byte("{}\n")},
			"migrations/00001_a.sql": withDown("create table a (id integer);", "drop table no_such_table;"),
			"migrations/00002_b.sql": withDown("create table b (id integer);", "drop table b;"),
			"migrations/00003_c.sql": withDown("create table c (id integer);", "drop table no_such_table;"),
		}
		deployOK(t, e, load(t, files), "v1")

		// The up part of 00003 is edited along with its down: the recorded down stays.
		files["migrations/00003_c.sql"] = withDown("create table c (id integer, n integer);", "drop table c;")
		if _, err := e.Rollback(ctx, load(t, files), "0"); err == nil || !strings.Contains(err.Error(), "no_such_table") {
			t.Fatalf("rollback of a migration whose up part was edited: err %v, want the recorded down script's failure", err)
		}
		files["migrations/00003_c.sql"] = withDown("create table c (id integer);", "drop table c;")
		files["migrations/00001_a.sql"] = withDown("create table a (id integer);", "drop table a;")

		pv, err := e.Plan(ctx, load(t, files))
		if err != nil {
			t.Fatal(err)
		}
		var fixed []string
		for _, c := range pv.Rollbacks {
			fixed = append(fixed, c.Node.String())
			if !strings.Contains(c.Diff, "-drop table no_such_table;") || !strings.Contains(c.Diff, "+drop table ") {
				t.Errorf("diff of %s:\n%s", c.Node, c.Diff)
			}
		}
		if len(fixed) != 2 {
			t.Errorf("plan's corrected rollbacks: %q, want 00001 and 00003", fixed)
		}

		// 00002's file is deleted: its recorded down script runs.
		withoutB := fstest.MapFS{}
		for k, v := range files {
			if k != "migrations/00002_b.sql" {
				withoutB[k] = v
			}
		}
		res, err := e.Rollback(ctx, load(t, withoutB), "0")
		if err != nil {
			t.Fatalf("rollback with corrected down scripts: %v", err)
		}
		if len(res.Steps) != 3 {
			t.Errorf("rollback steps: %q", actions(res))
		}
		if snap := snapshot(t, e, tg); len(snap) != 0 {
			t.Errorf("after rolling everything back: %v", snap)
		}

		// Rebaseline records a corrected down script: a rollback without the project runs it.
		files["migrations/00001_a.sql"] = withDown("create table a (id integer);", "drop table no_such_table;")
		deployOK(t, e, load(t, files), "v2")
		files["migrations/00001_a.sql"] = withDown("create table a (id integer);", "drop table a;")
		res, err = e.Rebaseline(ctx, load(t, files))
		if err != nil {
			t.Fatal(err)
		}
		equalStrings(t, "rebaseline", actions(res), []string{"rebaseline 1/1"})
		if _, err := e.Rollback(ctx, nil, "0"); err != nil {
			t.Fatalf("rollback with the rebaselined down script, without the project: %v", err)
		}
	})
}
