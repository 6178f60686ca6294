package deploy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
)

// sqliteTarget is a fresh SQLite database, opened as every SQLite URL is (foreign keys on).
func sqliteTarget(t *testing.T) target {
	return target{name: "sqlite", url: testdb.SQLite(t), dialect: sqlite.New()}
}

// parentWithChildren creates a parent table with ON DELETE CASCADE children and rows in both.
const parentWithChildren = `create table identities (id integer primary key, email text not null);
create table credentials (id integer primary key, identity_id integer not null references identities (id) on delete cascade, secret text);
insert into identities values (1, 'a@example.com'), (2, 'b@example.com');
insert into credentials values (10, 1, 'x'), (11, 1, 'y'), (12, 2, 'z');
`

// TestSQLiteRebuildKeepsChildRows: the table rebuild SQLite's documentation prescribes (create
// the new table, copy, drop the old one, rename the new one) keeps every row of the tables that
// reference it with ON DELETE CASCADE, and the application's connections keep foreign keys on.
func TestSQLiteRebuildKeepsChildRows(t *testing.T) {
	tg := sqliteTarget(t)
	e := tg.engine(t)
	rebuild := `create table new_identities (id integer primary key, email text not null, name text);
insert into new_identities (id, email) select id, email from identities;
drop table identities;
alter table new_identities rename to identities;
`
	deployOK(t, e, load(t, migrations(parentWithChildren, rebuild, "insert into identities (id, email) values (3, 'c@example.com');\n")), "")
	if n := count(t, e, "select count(*) from credentials"); n != 3 {
		t.Errorf("credentials after the rebuild: %d rows, want 3", n)
	}
	if n := count(t, e, "select count(*) from identities"); n != 3 {
		t.Errorf("identities after the rebuild: %d rows, want 3", n)
	}
	// The children still reference the rebuilt table, with the cascade, on a connection of the
	// application's own: foreign keys are on there.
	ctx := context.Background()
	conn, err := e.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if n := count(t, e, "select count(*) from pragma_foreign_keys where foreign_keys = 1"); n != 1 {
		t.Errorf("the application's connection has foreign keys off")
	}
	if _, err := conn.ExecContext(ctx, "delete from identities where id = 1"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, e, "select count(*) from credentials"); n != 1 {
		t.Errorf("credentials after deleting identity 1: %d rows, want 1 (the cascade)", n)
	}
	if _, err := conn.ExecContext(ctx, "insert into credentials values (20, 99, 'orphan')"); err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("an orphan credential was accepted (err %v): foreign keys are off on the application's connection", err)
	}
}

// TestSQLiteRebuildThatLosesParentsFails: a rebuild that leaves children without their parent
// fails the change, names the violation, and records nothing; the database is as before.
func TestSQLiteRebuildThatLosesParentsFails(t *testing.T) {
	tg := sqliteTarget(t)
	e := tg.engine(t)
	deployOK(t, e, load(t, migrations(parentWithChildren)), "")
	lossy := `create table new_identities (id integer primary key, email text not null);
insert into new_identities (id, email) select id, email from identities where id = 2;
drop table identities;
alter table new_identities rename to identities;
`
	_, err := e.Deploy(context.Background(), load(t, migrations(parentWithChildren, lossy)), deploy.Options{})
	if err == nil {
		t.Fatal("the rebuild that drops identity 1 with its credentials still referencing it was deployed")
	}
	for _, want := range []string{"migrations/00002_m.sql", "foreign key violation", "table credentials references a missing row of identities", "nothing of this step was recorded"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if n := count(t, e, "select count(*) from identities"); n != 2 {
		t.Errorf("identities after the failed change: %d rows, want 2 (rolled back)", n)
	}
	if n := count(t, e, "select count(*) from credentials"); n != 3 {
		t.Errorf("credentials after the failed change: %d rows, want 3", n)
	}
	if n := count(t, e, "select count(*) from "+tg.historyTable("tandem_changes")+" where object_type = 'versioned'"); n != 1 {
		t.Errorf("history holds %d versioned changes, want 1: the failed change was recorded", n)
	}
}
