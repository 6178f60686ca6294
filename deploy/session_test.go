package deploy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tandem-db/tandem/deploy"
)

// migrations makes a project of goose migrations, one per text, numbered in order.
func migrations(texts ...string) fstest.MapFS {
	files := fstest.MapFS{"tandem.yaml": {Data: []byte("{}\n")}}
	for i, text := range texts {
		name := "migrations/0000" + string(rune('1'+i)) + "_m.sql"
		files[name] = &fstest.MapFile{Data: []byte("-- +goose Up\n" + text)}
	}
	return files
}

// TestChangeStartsFromTheSessionStateOfTheFirst: a change that sets session state for the rest
// of its session (every pg_dump preamble empties search_path; mysqldump's sets sql_mode and
// foreign_key_checks; a USE moves to another database; a PRAGMA) does not reach the next
// change, which sees the settings the deploy started with, the deploy's own lock timeout
// included.
func TestChangeStartsFromTheSessionStateOfTheFirst(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		var leak, victim, query string
		var want []string
		switch tg.name {
		case "postgres":
			// A role that may write tandem's history, so that the change that sets it can be
			// recorded; a role is the server's, not the database's, so it is dropped after.
			role := tg.dialect.QuoteIdent("r_" + strings.ToLower(strings.TrimPrefix(testdbName(t, e), "tandem_")))
			t.Cleanup(func() {
				e.DB.Exec("DROP OWNED BY " + role)
				e.DB.Exec("DROP ROLE IF EXISTS " + role)
			})
			leak = `CREATE ROLE ` + role + `;
GRANT ALL ON SCHEMA public TO ` + role + `;
GRANT ALL ON ALL TABLES IN SCHEMA public TO ` + role + `;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ` + role + `;
SET ROLE ` + role + `;
select pg_catalog.set_config('search_path', '', false);
SET DateStyle = 'German';
SET lock_timeout = 0;
SET statement_timeout = '17s';
create table public.leaky (id integer);
`
			victim = "create table seen as select current_setting('DateStyle') as a, current_setting('lock_timeout') as b, current_setting('statement_timeout') || ' ' || current_user as c;\n"
			query = "select a, b, c from public.seen"
			want = []string{"ISO, MDY", "5s", "0 postgres"}
		case "mysql":
			other := tg.schema + "_other"
			t.Cleanup(func() { e.DB.Exec("DROP DATABASE IF EXISTS " + tg.dialect.QuoteIdent(other)) })
			leak = `SET sql_mode = 'ANSI_QUOTES', foreign_key_checks = 0, unique_checks = 0;
SET NAMES latin1;
SET SESSION innodb_lock_wait_timeout = 1000;
SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE;
CREATE DATABASE IF NOT EXISTS ` + tg.dialect.QuoteIdent(other) + `;
USE ` + tg.dialect.QuoteIdent(other) + `;
`
			victim = "create table seen as select cast(@@SESSION.sql_mode as char(500)) as a, cast(concat(@@SESSION.foreign_key_checks, @@SESSION.unique_checks, ' ', @@SESSION.character_set_client, ' ', @@SESSION.tx_isolation) as char(100)) as b, cast(concat(database(), ' ', @@SESSION.innodb_lock_wait_timeout) as char(200)) as c;\n"
			query = "select a, b, c from " + tg.table("seen")
			var mode string
			if err := e.DB.QueryRow("select @@SESSION.sql_mode").Scan(&mode); err != nil {
				t.Fatal(err)
			}
			want = []string{mode, "11 utf8mb4 REPEATABLE-READ", tg.schema + " 5"}
		case "sqlite":
			leak = "PRAGMA recursive_triggers = ON;\nPRAGMA legacy_alter_table = ON;\ncreate table leaky (id integer);\n"
			victim = "create table seen as select (select * from pragma_recursive_triggers) as a, (select * from pragma_legacy_alter_table) as b, 'x' as c;\n"
			query = "select a, b, c from seen"
			want = []string{"0", "0", "x"}
		}
		deployOK(t, e, load(t, migrations(leak, "create table after_leak (id integer);\n", victim)), "")
		var got [3]string
		if err := e.DB.QueryRowContext(context.Background(), query).Scan(&got[0], &got[1], &got[2]); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if tg.name == "mysql" {
			got[1] = strings.ReplaceAll(got[1], "ON", "1") // MariaDB spells true ON
		}
		equalStrings(t, "session state seen by the last change", got[:], want)
	})
}

// testdbName is the name of the test's database, unique on the server.
func testdbName(t *testing.T, e *deploy.Engine) string {
	t.Helper()
	var name string
	if err := e.DB.QueryRow("select current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}
