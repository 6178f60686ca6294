package deploy_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/testdb"
)

// itemsProject has a table, and a second change that fills it in BEGIN ... COMMIT, whose last
// statement fails when dup is set.
func itemsProject(fill string) fstest.MapFS {
	return fstest.MapFS{
		"tandem.yaml": {Data: []byte("schemas: [app]\n")},
		"app/table/items.sql": {Data: []byte("-- tandem:change create\ncreate table items (id integer primary key, name varchar(20));\n" +
			"-- tandem:change fill\n" + fill)},
	}
}

// changeRecord returns the status and done count of a change of items, or "none".
func changeRecord(t *testing.T, tg target, e *deploy.Engine, change string) (string, int) {
	t.Helper()
	q := "SELECT status, done FROM " + tg.historyTable("tandem_changes") + " WHERE object_name = 'items' AND change_name = '" + change + "'"
	var status string
	var done int
	if err := e.DB.QueryRow(q).Scan(&status, &done); errors.Is(err, sql.ErrNoRows) {
		return "none", 0
	} else if err != nil {
		t.Fatal(err)
	}
	return status, done
}

// A file that wraps its body in BEGIN ... COMMIT runs in tandem's transaction, with its history
// row: when its last statement fails, nothing of it is left and nothing is recorded, and once
// fixed it applies and is recorded in the same transaction. On MariaDB too, where the body is
// rows only; on SQLite as in the sqlite3 shell.
func TestWrappedChangeFailingAtItsEndLeavesNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		fill := "BEGIN;\ninsert into items values (1, 'a');\ninsert into items values (2, 'b');\ninsert into items values (1, 'dup');\nCOMMIT;\n"
		_, err := e.Deploy(context.Background(), load(t, itemsProject(fill)), deploy.Options{})
		var se *deploy.StepError
		if !errors.As(err, &se) {
			t.Fatalf("deploy: %v, want a StepError", err)
		}
		if se.Line != 7 || se.Applied != 0 {
			t.Errorf("failed at line %d with %d applied, want line 7 and 0 applied\n%v", se.Line, se.Applied, err)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("items")); n != 0 {
			t.Errorf("%d rows left behind by the failed change", n)
		}
		if status, _ := changeRecord(t, tg, e, "fill"); status != "none" {
			t.Errorf("failed change recorded as %s", status)
		}

		deployOK(t, e, load(t, itemsProject(strings.Replace(fill, "(1, 'dup')", "(3, 'c')", 1))), "")
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("items")); n != 3 {
			t.Errorf("rows = %d, want 3", n)
		}
		if status, _ := changeRecord(t, tg, e, "fill"); status != "applied" {
			t.Errorf("fixed change recorded as %s", status)
		}
		if tg.name == "postgres" {
			// The rows and the history row were written by one transaction: the file's
			// COMMIT did not end tandem's before the history row.
			var rows, hist string
			if err := e.DB.QueryRow("SELECT DISTINCT xmin::text FROM " + tg.table("items")).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if err := e.DB.QueryRow("SELECT xmin::text FROM " + tg.historyTable("tandem_changes") + " WHERE change_name = 'fill'").Scan(&hist); err != nil {
				t.Fatal(err)
			}
			if rows != hist {
				t.Errorf("rows written by transaction %s, history row by %s", rows, hist)
			}
		}
	})
}

// A COMMIT in the middle of a change makes it run statement by statement with recorded
// progress, with a warning naming the file and line; the rerun resumes after what committed.
func TestCommitInTheMiddleRunsStatementByStatement(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		var logs bytes.Buffer
		e.Log = slog.New(slog.NewTextHandler(&logs, nil))
		fill := "insert into items values (1, 'a');\ncommit;\ninsert into items values (2, 'b');\ninsert into items values (1, 'dup');\n"
		_, err := e.Deploy(context.Background(), load(t, itemsProject(fill)), deploy.Options{})
		var se *deploy.StepError
		if !errors.As(err, &se) {
			t.Fatalf("deploy: %v, want a StepError", err)
		}
		if se.Line != 7 || se.Index != 4 || se.Applied != 3 {
			t.Errorf("failed at line %d, statement %d with %d applied; want line 7, statement 4, 3 applied\n%v", se.Line, se.Index, se.Applied, err)
		}
		if !strings.Contains(logs.String(), "at=app/table/items.sql:5") {
			t.Errorf("no warning naming items.sql:5 in the log:\n%s", logs.String())
		}
		if status, done := changeRecord(t, tg, e, "fill"); status != "partial" || done != 3 {
			t.Errorf("recorded %s %d, want partial 3", status, done)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("items")); n != 2 {
			t.Errorf("rows = %d, want the 2 that committed", n)
		}
		deployOK(t, e, load(t, itemsProject(strings.Replace(fill, "(1, 'dup')", "(3, 'c')", 1))), "")
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("items")); n != 3 {
			t.Errorf("rows = %d, want 3", n)
		}
	})
}

// A ROLLBACK in a change file is a problem of the plan, refused before anything runs, with its
// file and line.
func TestRollbackInAFileIsRefusedBeforeAnythingRuns(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		_, err := e.Deploy(context.Background(), load(t, itemsProject("begin;\ninsert into items values (1, 'a');\nrollback;\n")), deploy.Options{})
		var pe *deploy.ProblemsError
		if !errors.As(err, &pe) || len(pe.Problems) != 1 || pe.Problems[0].File != "app/table/items.sql" || pe.Problems[0].Line != 6 || !strings.Contains(err.Error(), "ROLLBACK") {
			t.Fatalf("deploy: %v, want a problem at items.sql:6 about ROLLBACK", err)
		}
		if status, _ := changeRecord(t, tg, e, "create"); status != "none" {
			t.Errorf("the change before it ran (recorded %s)", status)
		}
	})
}

// Transaction control inside a function body or a trigger is not the file's: a wrapped file
// holding them runs them as written.
func TestWrappedChangeWithBodies(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		e := tg.engine(t)
		var body string
		switch tg.name {
		case "postgres":
			body = "begin;\ncreate function items_count() returns bigint language plpgsql as $$\nbegin\n  return (select count(*) from items);\nend;\n$$;\n" +
				"create table audit (n bigint);\ncreate function note() returns trigger language plpgsql as $$ begin insert into audit values (1); return new; end $$;\n" +
				"create trigger items_note after insert on items for each row execute function note();\ninsert into items values (1, 'a');\ncommit;\n"
		case "mysql":
			body = "begin;\ncreate table audit (n bigint);\ncreate trigger items_note after insert on items for each row begin insert into audit values (1); end;\ninsert into items values (1, 'a');\ncommit;\n"
		default:
			body = "begin;\ncreate table audit (n bigint);\ncreate trigger items_note after insert on items begin insert into audit values (1); end;\ninsert into items values (1, 'a');\ncommit;\n"
		}
		deployOK(t, e, load(t, itemsProject(body)), "")
		if n := count(t, e, "SELECT COUNT(*) FROM "+tg.table("audit")); n != 1 {
			t.Errorf("audit rows = %d, want 1 (the trigger ran)", n)
		}
	})
}

// sqliteDump is a file in the shape the sqlite3 shell's .dump writes: foreign keys off, then one
// transaction holding the tables in creation order with their rows, then indexes and triggers.
// The child table comes first, so that its rows load only with foreign keys off, as in the shell.
// last is put before the COMMIT.
func sqliteDump(last string) string {
	return "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n" +
		"CREATE TABLE books(id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors(id), title TEXT);\n" +
		"INSERT INTO books VALUES(1,1,'One');\nINSERT INTO books VALUES(2,2,'Two');\n" +
		"CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n" +
		"INSERT INTO authors VALUES(1,'Ann');\nINSERT INTO authors VALUES(2,'Bo');\n" +
		"CREATE INDEX books_author ON books(author_id);\n" +
		"CREATE TRIGGER books_count AFTER INSERT ON books BEGIN UPDATE authors SET name = name || '+' WHERE id = new.author_id; END;\n" +
		last + "COMMIT;\n"
}

func dumpProject(dump string) fstest.MapFS {
	return fstest.MapFS{
		"tandem.yaml":           {Data: []byte("schemas: [app]\n")},
		"app/table/library.sql": {Data: []byte("-- tandem:change load\n" + dump)},
	}
}

// The sqlite3 shell's .dump output (PRAGMA foreign_keys=OFF; BEGIN TRANSACTION; ... COMMIT;)
// deploys atomically, as the shell runs it: the PRAGMA is done by the SQLite guard before
// tandem's transaction (it is a no-op inside one), the body runs in that transaction with its
// history row, foreign keys are checked before the commit and on again afterwards.
func TestSQLiteDumpFile(t *testing.T) {
	tg := target{name: "sqlite", url: testdb.SQLite(t), dialect: sqlite.New(), schema: "app"}
	e := tg.engine(t)
	var logs bytes.Buffer
	e.Log = slog.New(slog.NewTextHandler(&logs, nil))
	deployOK(t, e, load(t, dumpProject(sqliteDump(""))), "")
	if n := count(t, e, "SELECT COUNT(*) FROM books JOIN authors ON authors.id = books.author_id"); n != 2 {
		t.Errorf("books with their authors = %d, want 2", n)
	}
	if n := count(t, e, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('books_author', 'books_count')"); n != 2 {
		t.Errorf("index and trigger: %d of 2", n)
	}
	if n := count(t, e, "SELECT COUNT(*) FROM "+tg.historyTable("tandem_changes")+" WHERE object_name = 'library' AND status = 'applied' AND done = 0"); n != 1 {
		t.Errorf("history: %d applied rows of library without statement progress, want 1 (the change ran in one transaction)", n)
	}
	if strings.Contains(logs.String(), "statement by statement") {
		t.Errorf("the dump ran statement by statement:\n%s", logs.String())
	}
	if n := count(t, e, "select count(*) from pragma_foreign_keys where foreign_keys = 1"); n != 1 {
		t.Errorf("foreign keys stayed off after the deploy")
	}
}

// A .dump file whose last statement fails leaves nothing behind and nothing recorded, as in
// the sqlite3 shell: no table, no row, no history row.
func TestSQLiteDumpFileFails(t *testing.T) {
	tg := target{name: "sqlite", url: testdb.SQLite(t), dialect: sqlite.New(), schema: "app"}
	e := tg.engine(t)
	err := deployErr(t, e, load(t, dumpProject(sqliteDump("INSERT INTO authors VALUES(2,'again');\n"))))
	if !strings.Contains(err.Error(), "library.sql:12") {
		t.Errorf("error does not name library.sql:12, the failing INSERT: %v", err)
	}
	if n := count(t, e, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('books', 'authors', 'books_author', 'books_count')"); n != 0 {
		t.Errorf("%d of the dump's tables, index and trigger left behind, want 0", n)
	}
	if n := count(t, e, "SELECT COUNT(*) FROM "+tg.historyTable("tandem_changes")+" WHERE object_name = 'library'"); n != 0 {
		t.Errorf("%d history rows for the failed dump, want 0", n)
	}
}

// A dump whose foreign keys do not hold fails the check before the commit, and leaves nothing.
func TestSQLiteDumpFileForeignKeyCheck(t *testing.T) {
	tg := target{name: "sqlite", url: testdb.SQLite(t), dialect: sqlite.New(), schema: "app"}
	e := tg.engine(t)
	err := deployErr(t, e, load(t, dumpProject(sqliteDump("INSERT INTO books VALUES(3,99,'Orphan');\n"))))
	if !strings.Contains(err.Error(), "foreign key violation") {
		t.Errorf("error does not report the foreign key violation: %v", err)
	}
	if n := count(t, e, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('books', 'authors')"); n != 0 {
		t.Errorf("%d of the dump's tables left behind, want 0", n)
	}
}

// Other settings before the BEGIN that work only outside a transaction are not what the guard
// does: PRAGMA foreign_keys=ON runs as it stands, so the change runs statement by statement,
// with a warning, and a failure keeps what ran before it, recorded as partly applied.
func TestSQLiteDumpOtherPragma(t *testing.T) {
	tg := target{name: "sqlite", url: testdb.SQLite(t), dialect: sqlite.New(), schema: "app"}
	e := tg.engine(t)
	var logs bytes.Buffer
	e.Log = slog.New(slog.NewTextHandler(&logs, nil))
	file := "PRAGMA foreign_keys=ON;\nBEGIN TRANSACTION;\nCREATE TABLE shelves(id INTEGER PRIMARY KEY);\nINSERT INTO shelves VALUES(1);\nINSERT INTO shelves VALUES(1);\nCOMMIT;\n"
	deployErr(t, e, load(t, dumpProject(file)))
	if !strings.Contains(logs.String(), "statement by statement") || !strings.Contains(logs.String(), "PRAGMA foreign_keys=ON") {
		t.Errorf("no warning that the change runs statement by statement because of the PRAGMA:\n%s", logs.String())
	}
	if n := count(t, e, "SELECT COUNT(*) FROM "+tg.historyTable("tandem_changes")+" WHERE object_name = 'library' AND status = 'partial'"); n != 1 {
		t.Errorf("history: %d partial rows of library, want 1", n)
	}
}
