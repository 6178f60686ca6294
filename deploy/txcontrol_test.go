package deploy

import (
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/sqllex"
)

func TestTxOpOf(t *testing.T) {
	cases := []struct {
		name string
		f    sqllex.Flavor
		stmt string
		want txOp
	}{
		{"begin", sqllex.Postgres, "begin", opBegin},
		{"begin work", sqllex.MySQL, "BEGIN WORK", opBegin},
		{"begin with modes", sqllex.Postgres, "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE", opBegin},
		{"sqlite begin immediate", sqllex.SQLite, "BEGIN IMMEDIATE TRANSACTION", opBegin},
		{"start transaction", sqllex.MySQL, "START TRANSACTION WITH CONSISTENT SNAPSHOT", opBegin},
		{"start without transaction", sqllex.Postgres, "START", opNone},
		{"commit", sqllex.Postgres, "COMMIT", opCommit},
		{"commit work", sqllex.MySQL, "commit work", opCommit},
		{"end", sqllex.Postgres, "END", opCommit},
		{"end transaction", sqllex.SQLite, "END TRANSACTION", opCommit},
		{"commit and chain", sqllex.Postgres, "COMMIT AND CHAIN", opNone},
		{"commit prepared", sqllex.Postgres, "COMMIT PREPARED 'x'", opNone},
		{"rollback", sqllex.Postgres, "ROLLBACK", opRollback},
		{"abort", sqllex.Postgres, "ABORT", opRollback},
		{"rollback to savepoint", sqllex.Postgres, "ROLLBACK TO SAVEPOINT a", opNone},
		{"savepoint", sqllex.Postgres, "SAVEPOINT a", opNone},
		{"mariadb compound statement", sqllex.MySQL, "BEGIN NOT ATOMIC SELECT 1; END", opNone},
		{"plpgsql function", sqllex.Postgres, "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql", opNone},
		{"do block", sqllex.Postgres, "DO $$ BEGIN PERFORM 1; END $$", opNone},
		{"mysql trigger", sqllex.MySQL, "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END", opNone},
		{"sqlite trigger", sqllex.SQLite, "CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE x SET a = 1; END", opNone},
		{"begin atomic", sqllex.Postgres, "BEGIN ATOMIC SELECT 1; END", opNone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := txOpOf(tc.stmt, tc.f); got != tc.want {
				t.Errorf("txOpOf(%q) = %d, want %d", tc.stmt, got, tc.want)
			}
		})
	}
}

func TestTxModes(t *testing.T) {
	for stmt, want := range map[string]bool{
		"BEGIN": false, "begin work": false, "BEGIN TRANSACTION": false, "START TRANSACTION": false, "BEGIN DEFERRED": false,
		"BEGIN ISOLATION LEVEL SERIALIZABLE": true, "START TRANSACTION READ ONLY": true, "BEGIN IMMEDIATE": true,
	} {
		if got := txModes(stmt, sqllex.Postgres); got != want {
			t.Errorf("txModes(%q) = %v, want %v", stmt, got, want)
		}
	}
}

func TestMarkTx(t *testing.T) {
	cases := []struct {
		name   string
		stmts  []string
		script bool
		want   []txRole // nil: an error naming ROLLBACK
	}{
		{"wrapped", []string{"BEGIN", "CREATE TABLE a (x int)", "COMMIT"}, false, []txRole{txWrap, txNone, txWrap}},
		{"start transaction and end", []string{"START TRANSACTION", "INSERT INTO a VALUES (1)", "END"}, false, []txRole{txWrap, txNone, txWrap}},
		{"empty wrap", []string{"BEGIN", "COMMIT"}, false, []txRole{txWrap, txWrap}},
		{"commit in the middle", []string{"CREATE TABLE a (x int)", "COMMIT", "CREATE TABLE b (x int)"}, false, []txRole{txNone, txMid, txNone}},
		{"two transactions", []string{"BEGIN", "SELECT 1", "COMMIT", "BEGIN", "SELECT 2", "COMMIT"}, false, []txRole{txMid, txNone, txMid, txMid, txNone, txMid}},
		{"begin never committed", []string{"BEGIN", "SELECT 1"}, false, []txRole{txMid, txNone}},
		{"trailing commit", []string{"SELECT 1", "COMMIT"}, false, []txRole{txNone, txMid}},
		{"savepoints stay", []string{"BEGIN", "SAVEPOINT s", "SELECT 1", "ROLLBACK TO SAVEPOINT s", "RELEASE s", "COMMIT"}, false, []txRole{txWrap, txNone, txNone, txNone, txNone, txWrap}},
		{"sqlite3 .dump", []string{"PRAGMA foreign_keys=OFF", "BEGIN TRANSACTION", "CREATE TABLE a (x int)", "INSERT INTO a VALUES(1)", "COMMIT"}, false, []txRole{txNone, txWrap, txNone, txNone, txWrap}},
		{"settings around", []string{"SET lock_timeout = 0", "BEGIN", "SELECT 1", "COMMIT", "SET x = 1"}, false, []txRole{txNone, txWrap, txNone, txWrap, txNone}},
		{"statement before begin", []string{"CREATE TABLE a (x int)", "BEGIN", "SELECT 1", "COMMIT"}, false, []txRole{txNone, txMid, txNone, txMid}},
		{"rollback at the end", []string{"BEGIN", "SELECT 1", "ROLLBACK"}, false, nil},
		{"rollback in the middle", []string{"SELECT 1", "ROLLBACK", "SELECT 2"}, true, nil},
		{"verify script", []string{"BEGIN", "SELECT id FROM a WHERE 1 = 0", "ROLLBACK"}, true, []txRole{txWrap, txNone, txWrap}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stmts := make([]statement, len(tc.stmts))
			for i, text := range tc.stmts {
				stmts[i] = statement{text: text, line: i + 1}
			}
			var err error
			if tc.script {
				err = markScriptTx("verify/a.sql", stmts, sqllex.Postgres)
			} else {
				err = markTxIn("deploy/a.sql", stmts, sqllex.Postgres, false)
			}
			if tc.want == nil {
				if err == nil || !strings.Contains(err.Error(), "ROLLBACK") {
					t.Fatalf("error %v, want one about ROLLBACK", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range stmts {
				if st.tx != tc.want[i] {
					t.Errorf("statement %d %q: role %d, want %d", i+1, st.text, st.tx, tc.want[i])
				}
			}
		})
	}
}
