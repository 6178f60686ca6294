package deploy_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/deploy"
)

func TestDeployFromScratchThenNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		p := load(t, shop())
		res := deployOK(t, e, p, "v1")
		equalStrings(t, "steps", actions(res), []string{
			"apply countries/create",
			"apply customers/create",
			"deploy customer_emails",
			"deploy gmail_customers",
			"data countries",
		})
		if got := res.Steps[4].Detail; got != "3 inserts, 0 updates, 0 deletes" {
			t.Errorf("data detail = %q", got)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("countries")); n != 3 {
			t.Errorf("countries rows = %d, want 3", n)
		}
		again := deployOK(t, e, p, "")
		if len(again.Steps) != 0 {
			t.Errorf("second deploy ran %v, want nothing", actions(again))
		}
		st, err := e.Status(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if !st.UpToDate() || len(st.Records) != 5 || len(st.Runs) != 2 {
			t.Errorf("status: up to date %v, %d records, %d runs; want true, 5, 2", st.UpToDate(), len(st.Records), len(st.Runs))
		}
	})
}

func TestEditedViewRecreatesDependents(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := shop()
		deployOK(t, e, load(t, files), "")
		files["app/view/customer_emails.sql"].Data = []byte("create view customer_emails as select id, email, country_code from customers;\n")
		res := deployOK(t, e, load(t, files), "")
		equalStrings(t, "steps", actions(res), []string{
			"drop gmail_customers",
			"drop customer_emails",
			"deploy customer_emails",
			"deploy gmail_customers",
		})
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("customer_emails")+" WHERE country_code IS NULL"); n != 0 {
			t.Errorf("rows = %d", n)
		}
	})
}

func TestDeletedViewIsDropped(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := shop()
		deployOK(t, e, load(t, files), "")
		delete(files, "app/view/gmail_customers.sql")
		res := deployOK(t, e, load(t, files), "")
		equalStrings(t, "steps", actions(res), []string{"drop gmail_customers"})
		if _, err := e.DB.Exec("SELECT * FROM " + tg.table("gmail_customers")); err == nil {
			t.Error("gmail_customers still exists")
		}
	})
}

func TestEditedDeployedChangeIsRefused(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := shop()
		deployOK(t, e, load(t, files), "")
		files["app/table/countries.sql"].Data = []byte(strings.Replace(string(files["app/table/countries.sql"].Data), "varchar(100)", "varchar(200)", 1))
		_, err := e.Deploy(context.Background(), load(t, files), deploy.Options{})
		var pe *deploy.ProblemsError
		if !errors.As(err, &pe) {
			t.Fatalf("deploy error = %v, want a ProblemsError", err)
		}
		msg := err.Error()
		for _, want := range []string{"app/table/countries.sql:1", "edited", "-create table countries (code char(2) primary key, name varchar(100) not null);", "+create table countries (code char(2) primary key, name varchar(200) not null);", "what to do:"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error lacks %q:\n%s", want, msg)
			}
		}
		// Reformatting alone is not an edit.
		files["app/table/countries.sql"].Data = []byte("-- tandem:change create\n-- a comment\ncreate table countries (code   char(2) primary key,\n name varchar(100) not null);\n-- tandem:rollback\ndrop table countries;\n")
		if res := deployOK(t, e, load(t, files), ""); len(res.Steps) != 0 {
			t.Errorf("reformatted change ran %v", actions(res))
		}
	})
}

func TestNewChangeRunsAloneAndStaticDataSyncs(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := shop()
		deployOK(t, e, load(t, files), "")
		files["app/table/customers.sql"].Data = append(files["app/table/customers.sql"].Data, []byte(`
-- tandem:change add_name
alter table customers add column name varchar(100);
-- tandem:rollback
alter table customers drop column name;
`)...)
		files["app/staticdata/countries.csv"].Data = []byte("code,name\nDE,Deutschland\nUS,United States\nJP,Japan\n")
		res := deployOK(t, e, load(t, files), "")
		equalStrings(t, "steps", actions(res), []string{"apply customers/add_name", "data countries"})
		if got := res.Steps[1].Detail; got != "1 insert, 1 update, 1 delete" {
			t.Errorf("data detail = %q", got)
		}
		var name string
		if err := e.DB.QueryRow("SELECT name FROM " + tg.table("countries") + " WHERE code = 'DE'").Scan(&name); err != nil || name != "Deutschland" {
			t.Errorf("DE = %q, %v", name, err)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("countries")+" WHERE code = 'FR'"); n != 0 {
			t.Error("FR was not deleted")
		}
	})
}

func TestFailedChangeIsNotRecordedAndResumes(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := shop()
		deployOK(t, e, load(t, files), "")
		bad := string(files["app/table/customers.sql"].Data) + `
-- tandem:change two_steps
alter table customers add column phone varchar(20);
alter table no_such_table add column broken varchar(3);
`
		files["app/table/customers.sql"].Data = []byte(bad)
		_, err := e.Deploy(context.Background(), load(t, files), deploy.Options{})
		var se *deploy.StepError
		if !errors.As(err, &se) {
			t.Fatalf("error = %v, want a StepError", err)
		}
		if se.File != "app/table/customers.sql" || se.Line != 12 || se.Index != 2 || se.Count != 2 {
			t.Errorf("step error at %s:%d statement %d of %d; want customers.sql:12 statement 2 of 2\n%v", se.File, se.Line, se.Index, se.Count, err)
		}
		st, err := e.Status(context.Background(), load(t, files))
		if err != nil {
			t.Fatal(err)
		}
		var partial int
		for _, r := range st.Records {
			if r.Change == "two_steps" {
				partial = r.Done
				if !tg.dialect.Capabilities().TransactionalDDL && r.Status != "partial" {
					t.Errorf("record status %q, want partial", r.Status)
				}
				if tg.dialect.Capabilities().TransactionalDDL {
					t.Errorf("failed change was recorded: %+v", r)
				}
			}
		}
		if !tg.dialect.Capabilities().TransactionalDDL && partial != 1 {
			t.Errorf("partial record done = %d, want 1", partial)
		}
		// Fix the failing statement: the rerun resumes where it stopped.
		files["app/table/customers.sql"].Data = []byte(strings.Replace(bad, "alter table no_such_table", "alter table customers", 1))
		res := deployOK(t, e, load(t, files), "")
		equalStrings(t, "steps", actions(res), []string{"apply customers/two_steps"})
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("customers")+" WHERE phone IS NOT NULL OR broken IS NOT NULL"); n != 0 {
			t.Errorf("rows = %d", n)
		}
	})
}

// On MySQL a schema is a whole database: a project with one schema and no mapping deploys into
// the database the URL names, not into a database "app" shared by every environment.
func TestSingleSchemaDeploysIntoURLDatabaseOnMySQL(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		if !tg.dialect.Capabilities().SchemaIsDatabase {
			t.Skipf("%s schemas are namespaces inside the database", tg.name)
		}
		e := tg.engine(t)
		e.Env.SchemaMap = nil
		deployOK(t, e, load(t, shop()), "")
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("countries")); n != 3 {
			t.Errorf("countries in the URL's database has %d rows, want 3", n)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'app'"); n != 0 {
			t.Error("a database named app was created")
		}
	})
}
