package deploy_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
)

// snapshot describes the app schema without tandem's own tables.
func snapshot(t *testing.T, e *deploy.Engine, tg target) []tandem.SnapshotObject {
	t.Helper()
	schemas := []string{tg.schema}
	if !tg.dialect.Capabilities().Schemas {
		schemas = []string{""}
	}
	snap, err := tg.dialect.Inspect(context.Background(), e.DB, schemas)
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	var out []tandem.SnapshotObject
	for _, o := range snap.Objects() {
		if strings.HasPrefix(strings.ToLower(o.Name), "tandem_") {
			continue
		}
		out = append(out, o)
	}
	return out
}

func rows(t *testing.T, e *deploy.Engine, query string) []string {
	t.Helper()
	rs, err := e.DB.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var a, b string
		if err := rs.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, a+"="+b)
	}
	return out
}

func TestRollbackRestoresSchemaAndData(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := shop()
		deployOK(t, e, load(t, files), "v1")
		want := snapshot(t, e, tg)
		wantRows := rows(t, e, "SELECT code, name FROM "+tg.table("countries")+" ORDER BY code")

		files["app/table/customers.sql"].Data = append(files["app/table/customers.sql"].Data, []byte(`
-- tandem:change add_name
alter table customers add column name varchar(100);
-- tandem:rollback
alter table customers drop column name;
`)...)
		files["app/table/orders.sql"] = fstestFile{`-- tandem:change create
create table orders (id integer primary key, customer_id integer not null references customers (id));
-- tandem:rollback
drop table orders;
`}.f()
		files["app/view/customer_emails.sql"].Data = []byte("create view customer_emails as select id, email, name from customers;\n")
		files["app/view/order_count.sql"] = fstestFile{"create view order_count as select customer_id, count(*) as n from orders group by customer_id;\n"}.f()
		delete(files, "app/view/gmail_customers.sql")
		files["app/staticdata/countries.csv"].Data = []byte("code,name\nDE,Deutschland\nJP,Japan\n")
		deployOK(t, e, load(t, files), "v2")
		if cmp.Equal(want, snapshot(t, e, tg)) {
			t.Fatal("v2 did not change the schema; the test proves nothing")
		}

		res, err := e.Rollback(context.Background(), load(t, files), "v1")
		if err != nil {
			t.Fatalf("rollback: %v", err)
		}
		if len(res.Steps) == 0 {
			t.Fatal("rollback did nothing")
		}
		if diff := cmp.Diff(want, snapshot(t, e, tg)); diff != "" {
			t.Errorf("schema after rollback differs from v1 (-v1 +now):\n%s", diff)
		}
		if diff := cmp.Diff(wantRows, rows(t, e, "SELECT code, name FROM "+tg.table("countries")+" ORDER BY code")); diff != "" {
			t.Errorf("static data after rollback (-v1 +now):\n%s", diff)
		}
		// The project at v1 is up to date again.
		st, err := e.Status(context.Background(), load(t, shop()))
		if err != nil {
			t.Fatal(err)
		}
		if !st.UpToDate() {
			t.Errorf("after rollback, v1 is not up to date: %d steps, %d problems", len(st.Preview.Plan.Steps), len(st.Preview.Plan.Problems))
		}
	})
}

func TestRollbackRefusesWithoutRollbackSQL(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := shop()
		deployOK(t, e, load(t, files), "v1")
		files["app/table/customers.sql"].Data = append(files["app/table/customers.sql"].Data, []byte("\n-- tandem:change add_phone\nalter table customers add column phone varchar(20);\n")...)
		deployOK(t, e, load(t, files), "v2")
		before := snapshot(t, e, tg)
		_, err := e.Rollback(context.Background(), load(t, files), "v1")
		if err == nil || !strings.Contains(err.Error(), "add_phone") || !strings.Contains(err.Error(), "no rollback section") {
			t.Fatalf("rollback error = %v; want one naming add_phone and the missing rollback section", err)
		}
		if diff := cmp.Diff(before, snapshot(t, e, tg)); diff != "" {
			t.Errorf("a refused rollback changed the schema:\n%s", diff)
		}
	})
}

func TestConcurrentDeploysApplyEachChangeOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		p := load(t, shop())
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			e := tg.engine(t)
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.Deploy(context.Background(), p, deploy.Options{})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("deploy %d: %v", i, err)
			}
		}
		e := tg.engine(t)
		hist := tg.historyTable(tandem.EventsTable)
		got := count(t, e, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE action IN ('apply', 'deploy', 'data')", hist))
		if got != 5 {
			t.Errorf("%d apply/deploy/data events after %d concurrent deploys, want 5 (each change exactly once)", got, n)
		}
	})
}

// fstestFile builds a MapFS entry from text.
type fstestFile struct{ text string }
