package faulttest

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

// The tests in this file put a database in the state that a kill at one precise moment leaves,
// so that what TestKillAndRerun finds by chance is checked every run.

// TestHistoryTablesHalfCreated: a deploy killed while it creates tandem's history tables (each
// CREATE TABLE commits on its own) leaves some of them. The next deploy must create the rest.
//
// It guards a bug that TestKillAndRerun found on PostgreSQL (fixed in 6e0a71d): history.ensure
// skipped the history DDL when tandem_changes existed, so a database killed after creating
// tandem_runs and tandem_changes but before tandem_events failed every later deploy with
// "relation public.tandem_events does not exist".
func TestHistoryTablesHalfCreated(t *testing.T) {
	m := &model{files: map[string]string{"app/table/p.sql": "create table p (id integer primary key);\n"}}
	forEachKind(t, func(t *testing.T, k kind) {
		ctx := context.Background()
		d := newDatabase(t, k, m)
		// Run the history DDL up to (not including) the statement that creates tandem_events.
		for _, stmt := range k.dialect.HistoryDDL(d.hist) {
			if strings.Contains(stmt, tandem.EventsTable) {
				break
			}
			if _, err := d.db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", firstLine(stmt), err)
			}
		}
		o, err := d.deploy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if o.code != 0 {
			t.Fatalf("deploy after the history tables were half created: exit %d\n%s", o.code, errorLine(o.output))
		}
		events, err := d.eventCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]int{"apply table.p/init": 1}, events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
}

// TestProgressRowSurvivesCrash: where a statement commits on its own (DDL on MariaDB, CREATE
// INDEX CONCURRENTLY on PostgreSQL), its progress row is written after it. A crash while that
// row is written must leave the previous progress row in place, so that the rerun knows which
// statements ran. A trigger that fails the insert of the second progress row stands in for the
// crash.
//
// It guards a bug that TestKillAndRerun found on MariaDB (fixed in 6e0a71d): applyEach wrote the
// progress row with history.put (DELETE, then INSERT) on the autocommit connection; a kill
// between the two erased the record of the statements already applied ("table.t16/add_note
// statement 2 applied but the change is not recorded"), and the rerun started the change over.
func TestProgressRowSurvivesCrash(t *testing.T) {
	forEachKind(t, func(t *testing.T, k kind) {
		var second string
		var trigger []string
		switch k.name {
		case "postgres":
			second = "create index concurrently p_a on p (a);"
			trigger = []string{
				`CREATE FUNCTION public.crash_at_done_2() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.done = 2 THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$`,
				`CREATE TRIGGER crash_at_done_2 BEFORE INSERT ON public.tandem_changes FOR EACH ROW EXECUTE FUNCTION public.crash_at_done_2()`,
			}
		case "mysql":
			second = "alter table p add column b integer;"
			trigger = []string{`CREATE TRIGGER crash_at_done_2 BEFORE INSERT ON tandem_changes FOR EACH ROW
BEGIN IF NEW.done = 2 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated crash'; END IF; END`}
		default:
			t.Skip("every SQLite statement shares a transaction with its progress row")
		}
		ctx := context.Background()
		m := &model{files: map[string]string{"app/table/q.sql": "create table q (id integer primary key);\n"}}
		d := newDatabase(t, k, m)
		if o, err := d.deploy(ctx); err != nil || o.code != 0 {
			t.Fatalf("first deploy: exit %d, %v\n%s", o.code, err, o.output)
		}
		for _, stmt := range trigger {
			if _, err := d.db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", firstLine(stmt), err)
			}
		}
		m.files["app/table/p.sql"] = "-- tandem:change mk\ncreate table p (id integer primary key, a integer);\n" + second + "\n"
		m.write(t, d.dir, d.phys)
		o, err := d.deploy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if o.code == 0 || !strings.Contains(o.output, "simulated crash") {
			t.Fatalf("the deploy should have failed at the simulated crash: exit %d\n%s", o.code, o.output)
		}
		hist, err := d.history(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range hist {
			got = append(got, r.id()+" "+r.Status)
		}
		want := []string{"table.p/mk partial", "table.q/init applied"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("history after a crash while recording statement 2 (-want +got):\n%s", diff)
		}
	})
}

// TestEventCommitsWithRecord: the history row that marks a change applied and its apply event
// (which rollback reads) must commit together. A trigger that fails the event's insert stands
// in for a crash between the two; afterwards there must be both or neither.
//
// It guards a bug that TestKillAndRerun found on MariaDB (fixed in 6e0a71d; "apply
// table.t39/create" was missing from tandem_events after the rerun): applyEach wrote the last
// progress row and the event on the autocommit connection after a statement that commits on its
// own, so a kill between them left the change recorded as applied without its event, for good.
func TestEventCommitsWithRecord(t *testing.T) {
	forEachKind(t, func(t *testing.T, k kind) {
		var change string
		var trigger []string
		switch k.name {
		case "postgres":
			change = "create index concurrently q_id on q (id);"
			trigger = []string{
				`CREATE FUNCTION public.crash_at_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.change_name = 'mk' THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$`,
				`CREATE TRIGGER crash_at_event BEFORE INSERT ON public.tandem_events FOR EACH ROW EXECUTE FUNCTION public.crash_at_event()`,
			}
		case "mysql":
			change = "create table p (id integer primary key);"
			trigger = []string{`CREATE TRIGGER crash_at_event BEFORE INSERT ON tandem_events FOR EACH ROW
BEGIN IF NEW.change_name = 'mk' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated crash'; END IF; END`}
		default:
			t.Skip("every SQLite statement shares a transaction with its history rows")
		}
		ctx := context.Background()
		m := &model{files: map[string]string{"app/table/q.sql": "create table q (id integer primary key);\n"}}
		d := newDatabase(t, k, m)
		if o, err := d.deploy(ctx); err != nil || o.code != 0 {
			t.Fatalf("first deploy: exit %d, %v\n%s", o.code, err, o.output)
		}
		for _, stmt := range trigger {
			if _, err := d.db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", firstLine(stmt), err)
			}
		}
		m.files["app/table/p.sql"] = "-- tandem:change mk\n" + change + "\n"
		m.write(t, d.dir, d.phys)
		o, err := d.deploy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if o.code == 0 || !strings.Contains(o.output, "simulated crash") {
			t.Fatalf("the deploy should have failed at the simulated crash: exit %d\n%s", o.code, o.output)
		}
		hist, err := d.history(ctx)
		if err != nil {
			t.Fatal(err)
		}
		recorded := false
		for _, r := range hist {
			if r.id() == "table.p/mk" && r.Status == string(tandem.Applied) {
				recorded = true
			}
		}
		events, err := d.eventCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := events["apply table.p/mk"]; recorded != (got == 1) {
			t.Errorf("table.p/mk: recorded as applied %v, but %d apply events: the record and its event did not commit together", recorded, got)
		}
	})
}
