package deploy_test

import (
	"strings"
	"testing"
	"testing/fstest"
)

// liquibaseShop is a folder of two Liquibase formatted SQL changelogs using the changeset
// attributes tandem acts on.
func liquibaseShop() fstest.MapFS {
	return fstest.MapFS{
		"001-init.sql": {Data: []byte(`--liquibase formatted sql

--changeset ada:1
create table authors (id integer primary key, name varchar(100) not null);
create table runs (n integer);
--rollback drop table runs;
--rollback drop table authors;

--changeset ada:2 context:test
insert into authors (id, name) values (1, 'Test Author');

--changeset ada:3 context:prod
insert into authors (id, name) values (2, 'Prod Author');

--changeset ada:4 dbms:postgresql splitStatements:false
create function author_count() returns bigint language plpgsql as $$ begin return (select count(*) from authors); end; $$;

--changeset ada:5 dbms:mysql endDelimiter://
create procedure p1() begin select 1; select 2; end//
create procedure p2() begin select 2; end//

--changeset ada:log runAlways:true
insert into runs (n) values (1);
`)},
		"002-views.sql": {Data: []byte(`--liquibase formatted sql

--changeset bob:view runOnChange:true dbms:postgresql,mysql
create or replace view author_names as select name from authors;

--changeset bob:view-sqlite runOnChange:true dbms:sqlite
drop view if exists author_names;
create view author_names as select name from authors;
`)},
	}
}

func TestLiquibaseFormattedSQL(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := liquibaseShop()
		res := deployOK(t, e, load(t, files), "")
		want := map[string][]string{
			"sqlite":   {"apply 001-init_sql/ada:1", "apply 001-init_sql/ada:2", "deploy 000001:001-init_sql:ada:log", "deploy 000003:002-views_sql:bob:view-sqlite"},
			"postgres": {"apply 001-init_sql/ada:1", "apply 001-init_sql/ada:2", "apply 001-init_sql/ada:4", "deploy 000001:001-init_sql:ada:log", "deploy 000002:002-views_sql:bob:view"},
			"mysql":    {"apply 001-init_sql/ada:1", "apply 001-init_sql/ada:2", "apply 001-init_sql/ada:5", "deploy 000001:001-init_sql:ada:log", "deploy 000002:002-views_sql:bob:view"},
		}[tg.name]
		equalStrings(t, "first deploy", actions(res), want)
		// context:test runs in the environment named test; context:prod does not
		if n := count(t, e, "SELECT COUNT(*) FROM authors"); n != 1 {
			t.Errorf("authors rows = %d, want 1", n)
		}
		switch tg.name {
		case "postgres":
			if n := count(t, e, "SELECT author_count()"); n != 1 {
				t.Errorf("author_count() = %d, want 1", n)
			}
		case "mysql":
			if n := count(t, e, "SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = DATABASE() AND routine_name IN ('p1', 'p2')"); n != 2 {
				t.Errorf("procedures = %d, want p1 and p2", n)
			}
		}

		// runAlways runs on every deploy; nothing else does.
		res = deployOK(t, e, load(t, files), "")
		equalStrings(t, "second deploy", actions(res), []string{"deploy 000001:001-init_sql:ada:log"})
		if n := count(t, e, "SELECT COUNT(*) FROM runs"); n != 2 {
			t.Errorf("runs rows = %d, want 2", n)
		}

		// runOnChange reruns an edited changeset.
		view := "bob:view"
		if tg.name == "sqlite" {
			view = "bob:view-sqlite"
		}
		files["002-views.sql"].Data = []byte(strings.ReplaceAll(string(files["002-views.sql"].Data), "as select name from authors;", "as select name, id from authors;"))
		res = deployOK(t, e, load(t, files), "")
		if got := actions(res); len(got) != 2 || !strings.HasSuffix(got[1], view) {
			t.Errorf("after editing %s: steps %q, want the runAlways changeset and %s", view, got, view)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM author_names WHERE id = 1"); n != 1 {
			t.Errorf("author_names has no id column with row 1 (%d rows)", n)
		}
	})
}
