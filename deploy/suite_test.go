package deploy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/internal/testdb"
	"github.com/tandem-db/tandem/plan"
	"github.com/tandem-db/tandem/project"
)

// target is one fresh database of one kind.
type target struct {
	name    string
	url     string
	dialect tandem.Dialect
	schema  string // the physical schema the project's "app" schema maps to
}

// forEachDB runs fn against a fresh SQLite, PostgreSQL and MariaDB database.
func forEachDB(t *testing.T, fn func(t *testing.T, tg target)) {
	t.Helper()
	kinds := []struct {
		name string
		mk   func(testing.TB) string
		d    tandem.Dialect
	}{
		{"sqlite", testdb.SQLite, sqlite.New()},
		{"postgres", testdb.Postgres, postgres.New()},
		{"mysql", testdb.MySQL, mysql.New()},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			url := k.mk(t)
			tg := target{name: k.name, url: url, dialect: k.d, schema: "app"}
			if k.name == "mysql" {
				u, err := dburl.Parse(url, "")
				if err != nil {
					t.Fatal(err)
				}
				tg.schema = u.Database // a MySQL schema is a database: keep each test in its own
			}
			fn(t, tg)
		})
	}
}

func (tg target) engine(t *testing.T) *deploy.Engine {
	t.Helper()
	return &deploy.Engine{
		DB:       testdb.Open(t, tg.url),
		Dialect:  tg.dialect,
		Env:      &tandem.Environment{Name: "test", AllowClean: true, SchemaMap: map[string]string{"app": tg.schema}},
		LockWait: 30 * time.Second,
		Tool:     "tandem test",
		User:     "tester",
	}
}

// table returns the qualified name of a table in the app schema.
func (tg target) table(name string) string {
	if !tg.dialect.Capabilities().Schemas {
		return tg.dialect.QuoteIdent(name)
	}
	return tg.dialect.Qualify(tg.schema, name)
}

// historyTable returns the qualified name of one of tandem's tables: they live in the
// database's default schema (public on PostgreSQL, the URL's database on MySQL).
func (tg target) historyTable(name string) string {
	switch tg.name {
	case "postgres":
		return tg.dialect.Qualify("public", name)
	case "mysql":
		return tg.dialect.Qualify(tg.schema, name)
	}
	return tg.dialect.QuoteIdent(name)
}

func load(t *testing.T, files fstest.MapFS) *tandem.Project {
	t.Helper()
	p, err := project.Load(files, project.Options{})
	if err != nil {
		t.Fatalf("load project: %v", err)
	}
	return p
}

// shop is a small project with tables, views, an index and static data.
func shop() fstest.MapFS {
	return fstest.MapFS{
		"tandem.yaml": {Data: []byte("schemas: [app]\n")},
		"app/table/countries.sql": {Data: []byte(`-- tandem:change create
create table countries (code char(2) primary key, name varchar(100) not null);
-- tandem:rollback
drop table countries;
`)},
		"app/table/customers.sql": {Data: []byte(`-- tandem:change create
create table customers (
    id integer primary key,
    email varchar(200) not null,
    country_code char(2) not null references countries (code)
);
-- tandem:rollback
drop table customers;
`)},
		"app/view/customer_emails.sql": {Data: []byte("create view customer_emails as select id, email from customers;\n")},
		"app/view/gmail_customers.sql": {Data: []byte("create view gmail_customers as select id, email from customer_emails where email like '%@gmail.com';\n")},
		"app/staticdata/countries.csv": {Data: []byte("code,name\nDE,Germany\nFR,France\nUS,United States\n")},
	}
}

func count(t *testing.T, e *deploy.Engine, query string) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func actions(res *deploy.Result) []string {
	var out []string
	for _, s := range res.Steps {
		name := s.Step.Key.Name
		if s.Step.Node != nil && s.Step.Node.Object.Stateful() {
			name += "/" + s.Step.Node.Change.Name
		}
		out = append(out, string(s.Step.Action)+" "+name)
	}
	return out
}

func deployOK(t *testing.T, e *deploy.Engine, p *tandem.Project, tag string) *deploy.Result {
	t.Helper()
	res, err := e.Deploy(context.Background(), p, deploy.Options{Tag: tag})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return res
}

func equalStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

var _ = plan.ActionApply

func (f fstestFile) f() *fstest.MapFile { return &fstest.MapFile{Data: []byte(f.text)} }
