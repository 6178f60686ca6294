package deploy_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/plan"
)

func postgresTarget(t *testing.T) target {
	t.Helper()
	return target{name: "postgres", url: testdb.Postgres(t), dialect: postgres.New(), schema: "app"}
}

// noteRows reads the notes table as "id|body|tag" lines, NULL as <null>.
func noteRows(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rs, err := db.Query("SELECT id, body, tag FROM " + table + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var id string
		var body, tag sql.NullString
		if err := rs.Scan(&id, &body, &tag); err != nil {
			t.Fatal(err)
		}
		show := func(s sql.NullString) string {
			if !s.Valid {
				return "<null>"
			}
			return s.String
		}
		out = append(out, id+"|"+show(body)+"|"+show(tag))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A plain pg_dump with COPY blocks (\restrict lines, tabs, escapes, \N, non-ASCII text) deploys
// to PostgreSQL, and the rows are exactly those psql loads from the same file.
func TestPgDumpWithCopyBlocks(t *testing.T) {
	tg := postgresTarget(t)
	e := tg.engine(t)
	dump, err := os.ReadFile("testdata/pgdump/notes.sql")
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{
		"tandem.yaml":         {Data: []byte("schemas: [app]\n")},
		"app/table/notes.sql": {Data: dump},
	}
	deployOK(t, e, load(t, files), "")
	got := noteRows(t, e.DB, tg.table("notes"))
	want := []string{
		"1|tab\there|<null>",
		"2|line\nbreak and \\backslash\\|x",
		"3|grüße, 日本語 – ünïcödé|;",
		"4||'quoted' \"double\"",
		"5|\\N is not null|\\.",
		"6|carriage\rreturn|\t",
		"7|octal A hex B u00e9|-- not a comment",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("empty_one")); n != 0 {
		t.Errorf("empty_one rows = %d", n)
	}
	// The change is recorded once and the next deploy has nothing to do.
	if res := deployOK(t, e, load(t, files), ""); len(res.Steps) != 0 {
		t.Errorf("second deploy ran %v", actions(res))
	}

	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Log("psql not installed: rows not compared with what psql loads")
		return
	}
	other := testdb.Postgres(t)
	out, err := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", other, "-f", "testdata/pgdump/notes.sql").CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	if diff := cmp.Diff(noteRows(t, testdb.Open(t, other), "notes"), got); diff != "" {
		t.Errorf("rows differ from what psql loads (-psql +tandem):\n%s", diff)
	}
}

// COPY data runs inside the change's transaction: a failure after it leaves none of its rows,
// and a row the server rejects is reported at its line in the file.
func TestCopyBlockFailures(t *testing.T) {
	tg := postgresTarget(t)
	e := tg.engine(t)
	head := "-- tandem:change create\ncreate table n (id integer primary key, s text);\n-- tandem:change load\n"
	project := func(body string) fstest.MapFS {
		return fstest.MapFS{
			"tandem.yaml":     {Data: []byte("schemas: [app]\n")},
			"app/table/n.sql": {Data: []byte(head + body)},
		}
	}
	var se *deploy.StepError
	_, err := e.Deploy(context.Background(), load(t, project("COPY n FROM stdin;\n1\ta\n2\tb\n\\.\nselect 1/0;\n")), deploy.Options{})
	if !errors.As(err, &se) || se.Line != 8 {
		t.Fatalf("deploy: %v, want a StepError at line 8", err)
	}
	if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("n")); n != 0 {
		t.Errorf("%d copied rows left behind by the failed change", n)
	}
	_, err = e.Deploy(context.Background(), load(t, project("COPY n FROM stdin;\n1\ta\nx\tb\n\\.\n")), deploy.Options{})
	if !errors.As(err, &se) || se.Line != 6 || !strings.Contains(err.Error(), "data line 2") {
		t.Fatalf("deploy: %v, want a StepError at line 6 (data line 2)", err)
	}
}

// psql meta-commands other than \restrict, \unrestrict and \set ON_ERROR_STOP on, and a COPY
// block without its "\." line, are problems of the plan, at file:line, and stop the deploy before
// anything runs.
func TestPsqlOnlyFilesRefusedBeforeAnythingRuns(t *testing.T) {
	tg := postgresTarget(t)
	e := tg.engine(t)
	for _, tc := range []struct{ body, msg string }{
		{"\\set ON_ERROR_STOP on\nselect 1;\n\\connect other\nselect 2;\n", `app/table/n.sql:6: cannot-run app.table.n/load: psql meta-command \connect is not SQL`},
		{"COPY n FROM stdin;\n1\ta\n", `app/table/n.sql:4: cannot-run app.table.n/load: COPY data block never ends`},
	} {
		files := fstest.MapFS{
			"tandem.yaml":     {Data: []byte("schemas: [app]\n")},
			"app/table/n.sql": {Data: []byte("-- tandem:change create\ncreate table n (id integer primary key, s text);\n-- tandem:change load\n" + tc.body)},
		}
		pv, err := e.Plan(context.Background(), load(t, files))
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		if len(pv.Plan.Problems) != 1 || pv.Plan.Problems[0].Kind != plan.ProblemCannotRun {
			t.Fatalf("plan problems: %+v, want one %s", pv.Plan.Problems, plan.ProblemCannotRun)
		}
		_, err = e.Deploy(context.Background(), load(t, files), deploy.Options{})
		if !errors.Is(err, deploy.ErrProblems) || !strings.Contains(err.Error(), tc.msg) {
			t.Fatalf("deploy: %v, want problems with %q", err, tc.msg)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'app'"); n != 0 {
			t.Errorf("the change before the refused one ran")
		}
	}
}

// A COPY data block on a database that cannot stream it is a problem of the plan at the COPY's
// line, and the deploy refuses it before the change before it runs.
func TestCopyBlockWithoutCopyRunner(t *testing.T) {
	tg := target{name: "sqlite", url: testdb.SQLite(t), dialect: sqlite.New(), schema: "app"}
	e := tg.engine(t)
	files := fstest.MapFS{
		"tandem.yaml": {Data: []byte("schemas: [app]\n")},
		"app/table/n.sql": {Data: []byte("-- tandem:change create\ncreate table n (id integer primary key, s text);\n" +
			"-- tandem:change load\nselect 1;\nCOPY n FROM stdin;\n1\ta\n\\.\n")},
	}
	pv, err := e.Plan(context.Background(), load(t, files))
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if len(pv.Plan.Problems) != 1 || pv.Plan.Problems[0].Line != 5 || !strings.Contains(pv.Plan.Problems[0].Reason, "needs PostgreSQL") {
		t.Fatalf("plan problems: %+v, want one at line 5 saying COPY needs PostgreSQL", pv.Plan.Problems)
	}
	_, err = e.Deploy(context.Background(), load(t, files), deploy.Options{})
	if !errors.Is(err, deploy.ErrProblems) || !strings.Contains(err.Error(), "app/table/n.sql:5: cannot-run") {
		t.Fatalf("deploy: %v, want a problem at n.sql:5", err)
	}
	if n := count(t, e, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'n'"); n != 0 {
		t.Errorf("the change before the refused one ran")
	}
}

// A COPY that ran in a change applied statement by statement (it commits in its middle), which
// then failed, is part of what the partial record says ran: once its data rows are edited the
// change is no longer resumed after it as though unchanged, which would never load the new rows.
func TestPartialChangeWithEditedCopyData(t *testing.T) {
	tg := postgresTarget(t)
	e := tg.engine(t)
	project := func(rows, last string) fstest.MapFS {
		return fstest.MapFS{
			"tandem.yaml": {Data: []byte("schemas: [app]\n")},
			"app/table/n.sql": {Data: []byte("-- tandem:change create\ncreate table n (id integer primary key, s text);\n" +
				"-- tandem:change load\nCOPY n FROM stdin;\n" + rows + "\\.\nBEGIN;\n" + last + ";\nCOMMIT;\n")},
		}
	}
	deployErr(t, e, load(t, project("1\ta\n", "select 1/0")))
	// Unchanged rows: the change resumes after what ran.
	pv, err := e.Plan(context.Background(), load(t, project("1\ta\n", "select 1")))
	if err != nil || len(pv.Plan.Problems) != 0 {
		t.Fatalf("plan with what ran unchanged: %v, problems %+v; want it resumable", err, pv.Plan.Problems)
	}
	// Edited rows: a problem, and the deploy refuses.
	pv, err = e.Plan(context.Background(), load(t, project("1\tb\n", "select 1")))
	if err != nil || len(pv.Plan.Problems) != 1 || pv.Plan.Problems[0].Kind != plan.ProblemPartial {
		t.Fatalf("plan with the copied rows edited: %v, problems %+v; want one %s", err, pv.Plan.Problems, plan.ProblemPartial)
	}
	if err := deployErr(t, e, load(t, project("1\tb\n", "select 1"))); !errors.Is(err, deploy.ErrProblems) {
		t.Fatalf("deploy: %v, want the partial problem", err)
	}
	if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("n")+" WHERE s = 'a'"); n != 1 {
		t.Errorf("the copied row changed: %d rows with s = 'a', want 1", n)
	}
}

// On MySQL and SQLite, whose lexers do not read client commands, a psql or mysql backslash
// command or a sqlite3 dot-command is a plan problem at its line, and a deploy runs nothing,
// rather than sending it to the server after the changes before it.
func TestClientCommandsRefusedOnEveryEngine(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		if tg.name == "postgres" {
			t.Skip("PostgreSQL's lexer reads psql's meta-commands itself (TestPsqlOnlyFilesRefusedBeforeAnythingRuns)")
		}
		e := tg.engine(t)
		cmds := []string{"\\connect other"}
		if tg.name == "sqlite" {
			cmds = append(cmds, ".read other.sql")
		}
		for _, cmd := range cmds {
			files := fstest.MapFS{
				"tandem.yaml": {Data: []byte("schemas: [app]\n")},
				"app/table/n.sql": {Data: []byte("-- tandem:change create\ncreate table n (id integer primary key);\n" +
					"-- tandem:change more\n" + cmd + "\ncreate table m (id integer primary key);\n")},
			}
			pv, err := e.Plan(context.Background(), load(t, files))
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			if len(pv.Plan.Problems) != 1 || pv.Plan.Problems[0].Line != 4 || !strings.Contains(pv.Plan.Problems[0].Reason, "is not SQL") {
				t.Fatalf("%s: plan problems %+v, want one at line 4 saying the command is not SQL", cmd, pv.Plan.Problems)
			}
			_, err = e.Deploy(context.Background(), load(t, files), deploy.Options{})
			if !errors.Is(err, deploy.ErrProblems) || !strings.Contains(err.Error(), "app/table/n.sql:4") {
				t.Fatalf("%s: deploy: %v, want a problem at n.sql:4", cmd, err)
			}
			if _, err := e.DB.ExecContext(context.Background(), "SELECT 1 FROM "+tg.table("n")); err == nil {
				t.Errorf("%s: the change before the refused one ran", cmd)
			}
		}
	})
}
