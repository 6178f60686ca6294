package deploy_test

import (
	"context"
	"testing"
	"testing/fstest"
)

// On PostgreSQL a new change and its history rows travel as one text with literal values: every
// character of the recorded SQL must read back as written, whatever quotes, backslashes or
// non-ASCII text it holds.
func TestHistoryKeepsEveryCharacter(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		const rollback = "drop table odd; -- it's a \\ back\\slash, \"quoted\", E'\\n', $$dollar$$, é ü 漢字\t\ttabs\n-- end"
		files := fstest.MapFS{
			"tandem.yaml":       {Data: []byte("schemas: [app]\n")},
			"app/table/odd.sql": {Data: []byte("-- tandem:change create\ncreate table odd (id integer primary key, note varchar(40) default 'a''b\\c');\n-- tandem:rollback\n" + rollback + "\n")},
		}
		e := tg.engine(t)
		deployOK(t, e, load(t, files), "")
		st, err := e.Status(context.Background(), load(t, files))
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Records) != 1 {
			t.Fatalf("%d records, want 1", len(st.Records))
		}
		if got := st.Records[0].Rollback; got != rollback {
			t.Errorf("recorded rollback:\n got %q\nwant %q", got, rollback)
		}
		if !st.UpToDate() {
			t.Errorf("not up to date after deploy: the recorded hash differs from the file's")
		}
	})
}
