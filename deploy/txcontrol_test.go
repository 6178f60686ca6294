package deploy

import (
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
