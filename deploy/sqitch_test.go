package deploy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
)

// sqitchShelf is a sqitch project of two changes, each with deploy, revert and verify scripts.
func sqitchShelf() fstest.MapFS {
	return fstest.MapFS{
		"sqitch.plan": {Data: []byte(`%syntax-version=1.0.0
%project=shelf

authors 2026-11-02T09:15:00Z Ada Lovelace <ada@example.org> # Authors.
books [authors] 2026-11-02T09:40:12Z Ada Lovelace <ada@example.org> # Books.
`)},
		"deploy/authors.sql": {Data: []byte("-- Deploy shelf:authors\n\ncreate table authors (id integer primary key, name varchar(100) not null);\n")},
		"revert/authors.sql": {Data: []byte("drop table authors;\n")},
		"verify/authors.sql": {Data: []byte("-- Verify shelf:authors\n\nselect id, name from authors where 1 = 0;\n")},
		"deploy/books.sql":   {Data: []byte("create table books (id integer primary key, author_id integer not null, title varchar(200));\n")},
		"revert/books.sql":   {Data: []byte("drop table books;\n")},
		"verify/books.sql":   {Data: []byte("select id, author_id, title from books where 1 = 0;\n")},
	}
}

func TestSqitchDeployVerifyRevert(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := sqitchShelf()
		res := deployOK(t, e, load(t, files), "v1")
		equalStrings(t, "steps", actions(res), []string{"apply 1/authors", "apply 2/books"})

		// A change whose verify script fails is not recorded, and with transactional DDL its
		// deploy script is undone with it.
		files["sqitch.plan"].Data = append(files["sqitch.plan"].Data, "loans [books] 2026-11-03T08:00:00Z Ada <ada@example.org>\n"...)
		files["deploy/loans.sql"] = &fstest.MapFile{Data: []byte("create table loans (book_id integer not null);\n")}
		files["verify/loans.sql"] = &fstest.MapFile{Data: []byte("\nselect book_id, due_on from loans where 1 = 0;\n")}
		_, err := e.Deploy(context.Background(), load(t, files), deploy.Options{})
		if err == nil || !strings.Contains(err.Error(), "verify/loans.sql:2") {
			t.Fatalf("deploy error = %v, want the failing verify script verify/loans.sql:2", err)
		}
		applied := count(t, e, "SELECT COUNT(*) FROM "+tg.historyTable(tandem.ChangesTable)+" WHERE change_name = 'loans' AND status = '"+string(tandem.Applied)+"'")
		if applied != 0 {
			t.Errorf("loans is recorded as applied, want not: a failed verify fails the change")
		}
		if tg.dialect.Capabilities().TransactionalDDL {
			if n := count(t, e, "SELECT COUNT(*) FROM "+tg.historyTable(tandem.ChangesTable)); n != 2 {
				t.Errorf("history rows = %d, want 2: the failed change should leave no row", n)
			}
		}

		// The revert scripts are the rollback.
		files["verify/loans.sql"].Data = []byte("select book_id from loans where 1 = 0;\n")
		files["revert/loans.sql"] = &fstest.MapFile{Data: []byte("drop table loans;\n")}
		res = deployOK(t, e, load(t, files), "v2")
		equalStrings(t, "steps", actions(res), []string{"apply 3/loans"})
		if _, err := e.Rollback(context.Background(), load(t, files), "v1"); err != nil {
			t.Fatalf("rollback to v1: %v", err)
		}
		if _, err := e.DB.ExecContext(context.Background(), "SELECT 1 FROM "+tg.historyTable("loans")); err == nil {
			t.Errorf("table loans still exists after the rollback: revert/loans.sql did not run")
		}
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.historyTable("books")); n != 0 {
			t.Errorf("books rows = %d", n)
		}
	})
}

// Sqitch writes its scripts as BEGIN; ... COMMIT; (a verify as BEGIN; ... ROLLBACK;): the
// pairs are not sent, and each script runs in tandem's transaction.
func TestSqitchScriptsWithBeginCommit(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		files := fstest.MapFS{
			"sqitch.plan":        {Data: []byte("%project=shelf\nauthors 2026-11-02T09:15:00Z Ada <ada@example.org>\n")},
			"deploy/authors.sql": {Data: []byte("BEGIN;\ncreate table authors (id integer primary key);\nCOMMIT;\n")},
			"revert/authors.sql": {Data: []byte("BEGIN;\ndrop table authors;\nCOMMIT;\n")},
			"verify/authors.sql": {Data: []byte("BEGIN;\nselect id from authors where 1 = 0;\nROLLBACK;\n")},
		}
		res := deployOK(t, e, load(t, files), "")
		equalStrings(t, "steps", actions(res), []string{"apply 1/authors"})
		if _, err := e.Rollback(context.Background(), load(t, files), "0"); err != nil {
			t.Fatalf("rollback: %v", err)
		}
		if _, err := e.DB.ExecContext(context.Background(), "SELECT 1 FROM "+tg.historyTable("authors")); err == nil {
			t.Errorf("table authors still exists after the rollback: revert/authors.sql did not run")
		}
	})
}
