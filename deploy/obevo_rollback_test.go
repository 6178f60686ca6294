package deploy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

// obevoShop is a small Obevo project (schema APP; names in lower case, which MySQL keeps as
// written): a table with a change that has a rollback
// section whose statements end with GO, like Obevo's own rollback scenario, and a view on it.
func obevoShop(extra, rollback string) fstest.MapFS {
	return fstest.MapFS{
		"system-config.xml": {Data: []byte(`<dbSystemConfig type="POSTGRESQL"><schemas><schema name="APP"/></schemas>
<environments><dbEnvironment name="test"/></environments></dbSystemConfig>`)},
		"APP/table/t.ddl": {Data: []byte("//// CHANGE name=create\nCREATE TABLE t (id INT NOT NULL)\nGO\n" + extra)},
		"APP/view/v.sql":  {Data: []byte("CREATE VIEW v AS SELECT id FROM t\n")},
		"APP/table/u.ddl": {Data: []byte("//// CHANGE name=create\nCREATE TABLE u (id INT NOT NULL)\nGO\n" + rollback)},
	}
}

// addCol is a change of T whose ROLLBACK section holds two statements ending with GO.
const addCol = `//// CHANGE name=addcol
ALTER TABLE t ADD COLUMN C INT NULL
GO
ALTER TABLE t ADD COLUMN D INT NULL
GO
// ROLLBACK
ALTER TABLE t DROP COLUMN C
GO
ALTER TABLE t DROP COLUMN D
GO
`

func TestObevoRollbackSectionIsObevoSQL(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		deployOK(t, e, load(t, obevoShop("", "")), "v1")
		deployOK(t, e, load(t, obevoShop(addCol, "")), "v2")
		if _, err := e.Rollback(context.Background(), load(t, obevoShop("", "")), "v1"); err != nil {
			t.Fatalf("rollback to v1: %v", err)
		}
		if n := count(t, e, "SELECT count(*) FROM "+tg.table("t")); n != 0 {
			t.Fatalf("T: %d rows", n)
		}
		// Both columns are gone: the rollback section ran as two statements.
		if _, err := e.DB.Exec("SELECT c FROM " + tg.table("t")); err == nil {
			t.Errorf("column C still there after the rollback")
		}
		if _, err := e.DB.Exec("SELECT d FROM " + tg.table("t")); err == nil {
			t.Errorf("column D still there after the rollback")
		}
	})
}

// TestObevoRollbackIsAtomic: a rollback whose second change's rollback fails leaves nothing
// done where DDL is transactional: not the view dropped before it, nor the first undo.
func TestObevoRollbackIsAtomic(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		if !tg.dialect.Capabilities().TransactionalDDL {
			t.Skip("DDL is not transactional here: each rollback step commits on its own")
		}
		e := tg.engine(t)
		deployOK(t, e, load(t, obevoShop("", "")), "v1")
		bad := "//// CHANGE name=addx\nALTER TABLE u ADD COLUMN X INT NULL\nGO\n// ROLLBACK\nnot sql at all\nGO\n"
		deployOK(t, e, load(t, obevoShop(addCol, bad)), "v2")
		_, err := e.Rollback(context.Background(), load(t, obevoShop("", "")), "v1")
		if err == nil || !strings.Contains(err.Error(), "not sql at all") {
			t.Fatalf("rollback: want the failure of the bad rollback, got %v", err)
		}
		if _, err := e.DB.Exec("SELECT id FROM " + tg.table("v")); err != nil {
			t.Errorf("view V is gone after the failed rollback: %v", err)
		}
		if _, err := e.DB.Exec("SELECT c, d FROM " + tg.table("t")); err != nil {
			t.Errorf("T's columns are gone after the failed rollback: %v", err)
		}
		// Nothing was forgotten either: the database is still at v2.
		st, err := e.Status(context.Background(), load(t, obevoShop(addCol, bad)))
		if err != nil || !st.UpToDate() {
			t.Errorf("after the failed rollback the database is not up to date with v2: %v", err)
		}
	})
}

// TestObevoEditedRollbackIsRecorded: a ROLLBACK section corrected after its change was
// deployed is recorded by the next deploy, and a rollback reading a release without the
// change runs the corrected one.
func TestObevoEditedRollbackIsRecorded(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		deployOK(t, e, load(t, obevoShop("", "")), "v1")
		wrong := strings.Replace(addCol, "ALTER TABLE t DROP COLUMN C\nGO\n", "garbage rollback\nGO\n", 1)
		deployOK(t, e, load(t, obevoShop(wrong, "")), "v2a")
		if res := deployOK(t, e, load(t, obevoShop(addCol, "")), "v2b"); len(res.Steps) != 0 {
			t.Errorf("v2b ran %q; only the rollback section changed", actions(res))
		}
		if _, err := e.Rollback(context.Background(), load(t, obevoShop("", "")), "v1"); err != nil {
			t.Fatalf("rollback to v1 with the corrected rollback: %v", err)
		}
		if _, err := e.DB.Exec("SELECT c FROM " + tg.table("t")); err == nil {
			t.Errorf("column C still there after the rollback")
		}
	})
}

// TestObevoRollbackKeepsChangeWithoutRollback: an Obevo change with no ROLLBACK section is
// kept (Obevo warns and leaves it), and the rest is rolled back; a change withdrawn after the
// target by ROLLBACK-IF-ALREADY-DEPLOYED is applied again.
func TestObevoRollbackKeepsChangeWithoutRollback(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		withdrawable := "//// CHANGE name=addw\nALTER TABLE u ADD COLUMN W INT NULL\nGO\n"
		deployOK(t, e, load(t, obevoShop("", withdrawable)), "v1")
		noRollback := "//// CHANGE name=addn\nALTER TABLE t ADD COLUMN N INT NULL\nGO\n"
		withdrawn := withdrawable + "// ROLLBACK-IF-ALREADY-DEPLOYED\nALTER TABLE u DROP COLUMN W\nGO\n"
		deployOK(t, e, load(t, obevoShop(noRollback+addCol, withdrawn)), "v2")
		if _, err := e.DB.Exec("SELECT w FROM " + tg.table("u")); err == nil {
			t.Fatalf("v2 did not withdraw U.W")
		}
		if _, err := e.Rollback(context.Background(), load(t, obevoShop("", withdrawable)), "v1"); err != nil {
			t.Fatalf("rollback to v1: %v", err)
		}
		if _, err := e.DB.Exec("SELECT n FROM " + tg.table("t")); err != nil {
			t.Errorf("T.N (no ROLLBACK section) was not kept: %v", err)
		}
		if _, err := e.DB.Exec("SELECT c FROM " + tg.table("t")); err == nil {
			t.Errorf("T.C still there after the rollback")
		}
		if _, err := e.DB.Exec("SELECT w FROM " + tg.table("u")); err != nil {
			t.Errorf("U.W (withdrawn after v1) was not applied again: %v", err)
		}
	})
}
