package deploy_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// plannedSteps names steps as "action key/change".
func plannedSteps(steps []plan.Step) []string {
	var out []string
	for _, st := range steps {
		name := st.Key.String()
		if st.Node != nil {
			name += "/" + st.Node.Change.Name
		}
		out = append(out, string(st.Action)+" "+name)
	}
	return out
}

// TestRollbackOfOldHistoryLayout: history tables created before the kind column, whose rows
// carry no kind, plan and roll back as before. The rollback plan reads them without writing
// (the kind of each row derived on the legacy path); the rollback adds the column, runs the
// steps the plan showed and returns schema and static data to v1.
func TestRollbackOfOldHistoryLayout(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		ctx := context.Background()
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
		files["app/view/customer_emails.sql"].Data = []byte("create view customer_emails as select id, email, name from customers;\n")
		files["app/staticdata/countries.csv"].Data = []byte("code,name\nDE,Deutschland\nJP,Japan\n")
		deployOK(t, e, load(t, files), "v2")
		current, err := e.RollbackPlan(ctx, load(t, files), "v1")
		if err != nil {
			t.Fatalf("rollback plan: %v", err)
		}

		// The layout of before the kind column.
		for _, table := range []string{tandem.ChangesTable, tandem.EventsTable} {
			if _, err := e.DB.ExecContext(ctx, "ALTER TABLE "+tg.historyTable(table)+" DROP COLUMN kind"); err != nil {
				t.Fatalf("make %s old: %v", table, err)
			}
		}
		hasKind := func(table string) bool {
			rs, err := e.DB.QueryContext(ctx, "SELECT kind FROM "+tg.historyTable(table)+" WHERE 1 = 0")
			if err != nil {
				return false
			}
			rs.Close()
			return true
		}
		old, err := e.RollbackPlan(ctx, load(t, files), "v1")
		if err != nil {
			t.Fatalf("rollback plan on the old layout: %v", err)
		}
		if diff := cmp.Diff(plannedSteps(current.Steps), plannedSteps(old.Steps)); diff != "" {
			t.Errorf("rollback plan on the old layout (-current layout +old):\n%s", diff)
		}
		if len(old.DataSteps()) != 1 || old.DataSteps()[0].Node.Object.Data == nil {
			t.Errorf("the old rows of the static data are not restored as rows: %q", plannedSteps(old.DataSteps()))
		}
		if hasKind(tandem.ChangesTable) || hasKind(tandem.EventsTable) {
			t.Fatalf("the rollback plan added the kind column; it must write nothing")
		}

		res, err := e.Rollback(ctx, load(t, files), "v1")
		if err != nil {
			t.Fatalf("rollback on the old layout: %v", err)
		}
		var ran []plan.Step
		for _, s := range res.Steps {
			ran = append(ran, s.Step)
		}
		if diff := cmp.Diff(plannedSteps(old.Steps), plannedSteps(ran)); diff != "" {
			t.Errorf("steps run (-planned +ran):\n%s", diff)
		}
		if diff := cmp.Diff(want, snapshot(t, e, tg)); diff != "" {
			t.Errorf("schema after rollback differs from v1 (-v1 +now):\n%s", diff)
		}
		if diff := cmp.Diff(wantRows, rows(t, e, "SELECT code, name FROM "+tg.table("countries")+" ORDER BY code")); diff != "" {
			t.Errorf("static data after rollback (-v1 +now):\n%s", diff)
		}
		if !hasKind(tandem.ChangesTable) || !hasKind(tandem.EventsTable) {
			t.Fatalf("the rollback did not add the kind column")
		}
		// The rows of before keep an empty kind (read on the legacy path); the rollback's have one.
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.historyTable(tandem.EventsTable)+" WHERE kind = ''"); n == 0 {
			t.Errorf("no event of before the kind column is left with an empty kind")
		}
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.historyTable(tandem.EventsTable)+" WHERE kind = 'rows'"); n != 1 {
			t.Errorf("%d events of kind rows, want 1 (the rollback's data sync)", n)
		}
		st, err := e.Status(ctx, load(t, shop()))
		if err != nil {
			t.Fatal(err)
		}
		if !st.UpToDate() {
			t.Errorf("after rollback, v1 is not up to date: %d steps, %d problems", len(st.Preview.Plan.Steps), len(st.Preview.Plan.Problems))
		}
	})
}

// TestRollbackPlanIsWhatRollbackRuns: the steps a rollback reports are those its plan showed,
// in order; the plan changes nothing.
func TestRollbackPlanIsWhatRollbackRuns(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		ctx := context.Background()
		e := tg.engine(t)
		files := shop()
		deployOK(t, e, load(t, files), "v1")
		files["app/table/orders.sql"] = fstestFile{`-- tandem:change create
create table orders (id integer primary key, customer_id integer not null references customers (id));
-- tandem:rollback
drop table orders;
`}.f()
		files["app/view/order_count.sql"] = fstestFile{"create view order_count as select customer_id, count(*) as n from orders group by customer_id;\n"}.f()
		delete(files, "app/view/gmail_customers.sql")
		deployOK(t, e, load(t, files), "v2")
		before := snapshot(t, e, tg)
		rp, err := e.RollbackPlan(ctx, load(t, files), "v1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, snapshot(t, e, tg)); diff != "" {
			t.Fatalf("the rollback plan changed the schema:\n%s", diff)
		}
		want := []string{
			"drop app.view.order_count",
			"undo app.table.orders/create",
			"deploy app.view.gmail_customers/gmail_customers",
		}
		if diff := cmp.Diff(want, plannedSteps(rp.Steps)); diff != "" {
			t.Errorf("planned (-want +got):\n%s", diff)
		}
		res, err := e.Rollback(ctx, load(t, files), "v1")
		if err != nil {
			t.Fatal(err)
		}
		var ran []plan.Step
		for _, s := range res.Steps {
			ran = append(ran, s.Step)
		}
		if diff := cmp.Diff(want, plannedSteps(ran)); diff != "" {
			t.Errorf("ran (-planned +ran):\n%s", diff)
		}
	})
}
