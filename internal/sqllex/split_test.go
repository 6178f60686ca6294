package sqllex

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// st is a Statement without its offset, which checkStatements verifies separately.
type st struct {
	Text string
	Line int
}

// checkStatements verifies what must hold of every Split result and returns the statements as
// (text, line) pairs.
func checkStatements(t testing.TB, src string, got []Statement) []st {
	t.Helper()
	var out []st
	for i, s := range got {
		if s.Offset < 0 || s.Offset > len(src) || !strings.HasPrefix(src[s.Offset:], s.Text) {
			t.Fatalf("statement %d: src[%d:] does not start with %q", i, s.Offset, s.Text)
		}
		if want := 1 + strings.Count(src[:s.Offset], "\n"); s.Line != want {
			t.Fatalf("statement %d (%q): line %d, want %d", i, s.Text, s.Line, want)
		}
		if s.Text == "" || strings.Trim(s.Text, asciiSpace) != s.Text {
			t.Fatalf("statement %d: text %q is empty or not trimmed", i, s.Text)
		}
		if i > 0 && s.Offset < got[i-1].Offset+len(got[i-1].Text) {
			t.Fatalf("statement %d overlaps the one before", i)
		}
		out = append(out, st{s.Text, s.Line})
	}
	return out
}

type splitCase struct {
	name string
	src  string
	want []st
}

func runSplitCases(t *testing.T, o Options, cases []splitCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Split(tc.src, o)
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if diff := cmp.Diff(tc.want, checkStatements(t, tc.src, got)); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
}

// Rules that hold in every flavor.
func TestSplitCommon(t *testing.T) {
	cases := []splitCase{
		{"two statements", "SELECT 1;\nSELECT 2;", []st{{"SELECT 1", 1}, {"SELECT 2", 2}}},
		{"last without delimiter", "SELECT 1;\n\n  SELECT 2\n", []st{{"SELECT 1", 1}, {"SELECT 2", 3}}},
		{"empty statements dropped", ";;\n  ; -- c\n/* x */;SELECT 1;;", []st{{"SELECT 1", 3}}},
		{"empty input", "", nil},
		{"only comments", "-- a\n/* b */\n", nil},
		{"leading and trailing comments trimmed", "-- head\nSELECT 1 -- tail\n;\n", []st{{"SELECT 1", 2}}},
		{"inner comments kept", "SELECT /* ; */ 1, -- ;\n 2;", []st{{"SELECT /* ; */ 1, -- ;\n 2", 1}}},
		{"semicolon in string", "SELECT 'a;b', 'it''s;';SELECT 2", []st{{"SELECT 'a;b', 'it''s;'", 1}, {"SELECT 2", 1}}},
		{"multi-line string counts lines", "SELECT 'a\nb\nc';\nSELECT 2;", []st{{"SELECT 'a\nb\nc'", 1}, {"SELECT 2", 4}}},
		{"multi-line comment counts lines", "/* a\nb */ SELECT 1;\n/*\n\n*/SELECT 2", []st{{"SELECT 1", 2}, {"SELECT 2", 5}}},
		{"crlf", "SELECT 'a\r\nb';\r\n\r\nSELECT 2;\r\n", []st{{"SELECT 'a\r\nb'", 1}, {"SELECT 2", 4}}},
		{"BEGIN transaction is no block", "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;", []st{{"BEGIN", 1}, {"CREATE TABLE t (a int)", 2}, {"COMMIT", 3}}},
		{"BEGIN TRANSACTION is no block", "BEGIN TRANSACTION;\nINSERT INTO t VALUES (1);\nEND;", []st{{"BEGIN TRANSACTION", 1}, {"INSERT INTO t VALUES (1)", 2}, {"END", 3}}},
		{"START TRANSACTION is no block", "START TRANSACTION;\nSELECT 1;\nCOMMIT", []st{{"START TRANSACTION", 1}, {"SELECT 1", 2}, {"COMMIT", 3}}},
		{"token reference", "SELECT * FROM ${schema}.t;SELECT 2", []st{{"SELECT * FROM ${schema}.t", 1}, {"SELECT 2", 1}}},
		{"GO is an ordinary word without GoBatches", "SELECT 1\nGO\nSELECT 2", []st{{"SELECT 1\nGO\nSELECT 2", 1}}},
		{"goose block", "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\nSELECT 2;\n-- +goose StatementEnd\nSELECT 3;",
			[]st{{"SELECT 1;\nSELECT 2", 3}, {"SELECT 3", 6}}},
		{"goose annotations any case and blanks", "  --   +GOOSE   statementbegin  \nSELECT 1; SELECT 2 ;\n\t-- +goose StatementEND\r\nSELECT 3",
			[]st{{"SELECT 1; SELECT 2", 2}, {"SELECT 3", 4}}},
		{"goose flushes an unterminated statement before it", "SELECT 0\n-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\nSELECT 2",
			[]st{{"SELECT 0", 1}, {"SELECT 1", 3}, {"SELECT 2", 5}}},
		{"goose block of comments only", "-- +goose StatementBegin\n-- nothing\n-- +goose StatementEnd\nSELECT 1", []st{{"SELECT 1", 4}}},
		{"goose annotation not at line start", "SELECT 1 -- +goose StatementBegin\n;SELECT 2", []st{{"SELECT 1", 1}, {"SELECT 2", 2}}},
		{"goose annotation in a string", "SELECT '\n-- +goose StatementBegin\n';SELECT 2", []st{{"SELECT '\n-- +goose StatementBegin\n'", 1}, {"SELECT 2", 3}}},
	}
	for _, f := range []Flavor{Postgres, MySQL, SQLite} {
		t.Run(f.String(), func(t *testing.T) { runSplitCases(t, Options{Flavor: f}, cases) })
	}
}

func TestSplitGoBatches(t *testing.T) {
	cases := []splitCase{
		{"GO lines", "CREATE TABLE a (x int)\nGO\ncreate view v as select 1\n  go  \r\nSELECT 2;SELECT 3\nGo",
			[]st{{"CREATE TABLE a (x int)", 1}, {"create view v as select 1", 3}, {"SELECT 2", 5}, {"SELECT 3", 5}}},
		{"GO at start", "GO\nSELECT 1", []st{{"SELECT 1", 2}}},
		{"GO not alone on its line", "SELECT 1 GO\nGOTO x\nGO;\nSELECT go", []st{{"SELECT 1 GO\nGOTO x\nGO", 1}, {"SELECT go", 4}}},
		{"GO inside a string or comment", "SELECT '\nGO\n' /*\nGO\n*/\nGO\nSELECT 2", []st{{"SELECT '\nGO\n'", 1}, {"SELECT 2", 7}}},
		{"GO ends a dollar-quoted function", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql\nGO\nSELECT 2",
			[]st{{"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", 1}, {"SELECT 2", 3}}},
	}
	runSplitCases(t, Options{Flavor: Postgres, GoBatches: true}, cases)
}

func TestSplitPostgres(t *testing.T) {
	cases := []splitCase{
		{"no backslash escapes in standard strings", `SELECT 'a\';SELECT 2;`, []st{{`SELECT 'a\'`, 1}, {"SELECT 2", 1}}},
		{"E string takes backslash escapes", `SELECT E'a\';b', e'\\';SELECT 2`, []st{{`SELECT E'a\';b', e'\\'`, 1}, {"SELECT 2", 1}}},
		{"word ending in e is no E string", `SELECT some'x';SELECT 2`, []st{{`SELECT some'x'`, 1}, {"SELECT 2", 1}}},
		{"quoted identifier", `SELECT "a;""b" FROM t;SELECT 2`, []st{{`SELECT "a;""b" FROM t`, 1}, {"SELECT 2", 1}}},
		{"backtick is no quote", "SELECT `a;SELECT 2`", []st{{"SELECT `a", 1}, {"SELECT 2`", 1}}},
		{"nested comments", "SELECT /* a /* b; */ c; */ 1;SELECT 2", []st{{"SELECT /* a /* b; */ c; */ 1", 1}, {"SELECT 2", 1}}},
		{"dash dash needs no space", "SELECT 1--1;SELECT 2\nSELECT 3", []st{{"SELECT 1--1;SELECT 2\nSELECT 3", 1}}},
		{"hash is an operator", "SELECT 1 # 2;SELECT 3", []st{{"SELECT 1 # 2", 1}, {"SELECT 3", 1}}},
		{"dollar quote", "CREATE FUNCTION f() RETURNS int AS $$\nSELECT 1;\n$$ LANGUAGE sql;\nSELECT 2;",
			[]st{{"CREATE FUNCTION f() RETURNS int AS $$\nSELECT 1;\n$$ LANGUAGE sql", 1}, {"SELECT 2", 4}}},
		{"tagged dollar quote holding $$", "DO $fn$ BEGIN PERFORM $$ ; $$; END $fn$;\nSELECT 2",
			[]st{{"DO $fn$ BEGIN PERFORM $$ ; $$; END $fn$", 1}, {"SELECT 2", 2}}},
		{"dollar tag with underscore and digits", "SELECT $_1$;$_1$;SELECT 2", []st{{"SELECT $_1$;$_1$", 1}, {"SELECT 2", 1}}},
		{"empty dollar body", "SELECT $$$$;SELECT 2", []st{{"SELECT $$$$", 1}, {"SELECT 2", 1}}},
		{"parameters are no dollar quotes", "PREPARE p AS SELECT $1, $2;EXECUTE p(1, 2);", []st{{"PREPARE p AS SELECT $1, $2", 1}, {"EXECUTE p(1, 2)", 1}}},
		{"dollar inside an identifier", "SELECT a$b$c FROM t; SELECT $d$;$d$", []st{{"SELECT a$b$c FROM t", 1}, {"SELECT $d$;$d$", 1}}},
		{"BEGIN ATOMIC body", "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 2 END;\nEND;\nSELECT 3;",
			[]st{{"CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 2 END;\nEND", 1}, {"SELECT 3", 6}}},
		{"BEGIN ATOMIC procedure", "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;SELECT 3",
			[]st{{"CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END", 1}, {"SELECT 3", 1}}},
		{"CREATE TRIGGER has no body", "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION f();\nSELECT 1",
			[]st{{"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION f()", 1}, {"SELECT 1", 2}}},
		{"casts and psql variables", "SELECT x::int, :v, :'s';SELECT 2", []st{{"SELECT x::int, :v, :'s'", 1}, {"SELECT 2", 1}}},
		{"unicode strings", `SELECT U&'d\0061t;', U&"a;b";SELECT 2`, []st{{`SELECT U&'d\0061t;', U&"a;b"`, 1}, {"SELECT 2", 1}}},
	}
	runSplitCases(t, Options{Flavor: Postgres}, cases)
}

func TestSplitMySQL(t *testing.T) {
	cases := []splitCase{
		{"hash comment", "SELECT 1; # comment; here\nSELECT 2;", []st{{"SELECT 1", 1}, {"SELECT 2", 2}}},
		{"dash dash needs a space", "SELECT 1--1;SELECT 2 -- c;\n;SELECT 3--\n", []st{{"SELECT 1--1", 1}, {"SELECT 2", 1}, {"SELECT 3", 2}}},
		{"dash dash tab", "SELECT 1 --\tc;\n;", []st{{"SELECT 1", 1}}},
		{"backslash escapes", `SELECT 'a\';b', "c\";d";SELECT 2`, []st{{`SELECT 'a\';b', "c\";d"`, 1}, {"SELECT 2", 1}}},
		{"doubled quotes", `SELECT 'a'';b', "c"";d";SELECT 2`, []st{{`SELECT 'a'';b', "c"";d"`, 1}, {"SELECT 2", 1}}},
		{"backtick identifier", "SELECT `a;``b` FROM t;SELECT 2", []st{{"SELECT `a;``b` FROM t", 1}, {"SELECT 2", 1}}},
		{"comments do not nest", "SELECT /* a /* b; */ 1;SELECT 2", []st{{"SELECT /* a /* b; */ 1", 1}, {"SELECT 2", 1}}},
		{"charset introducer", `SELECT _utf8mb4'a\';b', N'c;';SELECT 2`, []st{{`SELECT _utf8mb4'a\';b', N'c;'`, 1}, {"SELECT 2", 1}}},
		{"executable comment", "/*!40101 SET NAMES utf8 */;\n/*!40014 SET @x=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\nSELECT 1",
			[]st{{"/*!40101 SET NAMES utf8 */", 1}, {"/*!40014 SET @x=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */", 2}, {"SELECT 1", 3}}},
		{"optimizer hint", "SELECT /*+ BKA(t1); */ 1;SELECT 2", []st{{"SELECT /*+ BKA(t1); */ 1", 1}, {"SELECT 2", 1}}},
		{"dollar is no quote", "SELECT $a$;SELECT 2", []st{{"SELECT $a$", 1}, {"SELECT 2", 1}}},
		{"DELIMITER $$", "DELIMITER $$\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND$$\nDELIMITER ;\nSELECT 3;",
			[]st{{"CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND", 2}, {"SELECT 3", 8}}},
		{"DELIMITER //", "delimiter //\nCREATE FUNCTION f() RETURNS int RETURN 1 //\nSELECT 1; SELECT 2//\nDELIMITER ;\nSELECT 3",
			[]st{{"CREATE FUNCTION f() RETURNS int RETURN 1", 2}, {"SELECT 1; SELECT 2", 3}, {"SELECT 3", 5}}},
		{"DELIMITER ;;", "DELIMITER ;;\nCREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN\n  INSERT INTO b VALUES (1);\nEND;;\nDELIMITER ;\nSELECT 3;",
			[]st{{"CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN\n  INSERT INTO b VALUES (1);\nEND", 2}, {"SELECT 3", 6}}},
		{"custom delimiter inside strings and comments", "DELIMITER //\nSELECT '//', \"//\", `//` /* // */ -- //\n, 1 //\nDELIMITER ;",
			[]st{{"SELECT '//', \"//\", `//` /* // */ -- //\n, 1", 2}}},
		{"custom delimiter ends a word", "DELIMITER $$\nSELECT a$$SELECT b\n$$\nDELIMITER ;", []st{{"SELECT a", 2}, {"SELECT b", 2}}},
		{"DELIMITER only at statement start", "SELECT 1,\ndelimiter\nFROM t;\nSELECT delimiter , x FROM t;", []st{{"SELECT 1,\ndelimiter\nFROM t", 1}, {"SELECT delimiter , x FROM t", 4}}},
		{"quoted DELIMITER argument", "DELIMITER '$$' trailing\nSELECT 1$$\nDELIMITER ;\nSELECT 2", []st{{"SELECT 1", 2}, {"SELECT 2", 4}}},
		{"procedure without DELIMITER", `CREATE PROCEDURE p(IN x INT)
BEGIN
  DECLARE done INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN SET done = 1; END;
  IF x > 0 THEN
    SELECT 1;
  ELSEIF x < 0 THEN
    IF x < -10 THEN SELECT 2; END IF;
  ELSE
    SELECT 3;
  END IF;
  WHILE x > 0 DO SET x = x - 1; END WHILE;
  lbl: LOOP LEAVE lbl; END LOOP lbl;
  REPEAT SET x = x + 1; UNTIL x > 3 END REPEAT;
  CASE x WHEN 1 THEN SELECT 1; ELSE BEGIN END; END CASE;
  SELECT IF(x > 1, 1, 2), REPEAT('a', 3), CASE WHEN x THEN 1 END;
  DROP TABLE IF EXISTS tmp;
END;
SELECT 9;`, []st{{`CREATE PROCEDURE p(IN x INT)
BEGIN
  DECLARE done INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN SET done = 1; END;
  IF x > 0 THEN
    SELECT 1;
  ELSEIF x < 0 THEN
    IF x < -10 THEN SELECT 2; END IF;
  ELSE
    SELECT 3;
  END IF;
  WHILE x > 0 DO SET x = x - 1; END WHILE;
  lbl: LOOP LEAVE lbl; END LOOP lbl;
  REPEAT SET x = x + 1; UNTIL x > 3 END REPEAT;
  CASE x WHEN 1 THEN SELECT 1; ELSE BEGIN END; END CASE;
  SELECT IF(x > 1, 1, 2), REPEAT('a', 3), CASE WHEN x THEN 1 END;
  DROP TABLE IF EXISTS tmp;
END`, 1}, {"SELECT 9", 19}}},
		{"labelled body", "CREATE PROCEDURE p() proc: BEGIN LEAVE proc; END;SELECT 1", []st{{"CREATE PROCEDURE p() proc: BEGIN LEAVE proc; END", 1}, {"SELECT 1", 1}}},
		{"DEFINER forms", "CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; END;\n" +
			"CREATE DEFINER = 'a'@'%' TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END;\n" +
			"CREATE OR REPLACE DEFINER=root@localhost FUNCTION f() RETURNS int BEGIN RETURN 1; END;\n" +
			"CREATE DEFINER=CURRENT_USER() EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END;\n" +
			"CREATE AGGREGATE FUNCTION g() RETURNS int BEGIN RETURN 1; END;",
			[]st{
				{"CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; END", 1},
				{"CREATE DEFINER = 'a'@'%' TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END", 2},
				{"CREATE OR REPLACE DEFINER=root@localhost FUNCTION f() RETURNS int BEGIN RETURN 1; END", 3},
				{"CREATE DEFINER=CURRENT_USER() EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END", 4},
				{"CREATE AGGREGATE FUNCTION g() RETURNS int BEGIN RETURN 1; END", 5},
			}},
		{"mysqldump trigger in executable comments", "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END */;\nSELECT 1",
			[]st{{"/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END */", 1}, {"SELECT 1", 2}}},
		{"routine without a body", "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1;\nCREATE FUNCTION f() RETURNS int RETURN IF(1, 2, 3);\nSELECT 2",
			[]st{{"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1", 1}, {"CREATE FUNCTION f() RETURNS int RETURN IF(1, 2, 3)", 2}, {"SELECT 2", 3}}},
		{"objects named like routines", "CREATE TABLE event (id int);\nCREATE VIEW trigger_log AS SELECT 1;\nCREATE DEFINER=CURRENT_USER SQL SECURITY INVOKER VIEW v AS SELECT 1;\nSELECT 2",
			[]st{{"CREATE TABLE event (id int)", 1}, {"CREATE VIEW trigger_log AS SELECT 1", 2}, {"CREATE DEFINER=CURRENT_USER SQL SECURITY INVOKER VIEW v AS SELECT 1", 3}, {"SELECT 2", 4}}},
		{"trigger body is one IF", "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW IF NEW.a > 0 THEN SET NEW.b = 1; END IF;\nSELECT 2",
			[]st{{"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW IF NEW.a > 0 THEN SET NEW.b = 1; END IF", 1}, {"SELECT 2", 2}}},
		{"procedure body is one WHILE", "CREATE PROCEDURE p(x INT) WHILE x > 0 DO SET x = x - 1; END WHILE;\nSELECT 2",
			[]st{{"CREATE PROCEDURE p(x INT) WHILE x > 0 DO SET x = x - 1; END WHILE", 1}, {"SELECT 2", 2}}},
		{"event body is one IF", "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO IF 1 THEN DELETE FROM t; END IF;\nSELECT 2",
			[]st{{"CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO IF 1 THEN DELETE FROM t; END IF", 1}, {"SELECT 2", 2}}},
		{"MariaDB BEGIN NOT ATOMIC", "BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\nSELECT 3;", []st{{"BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND", 1}, {"SELECT 3", 5}}},
		{"BEGIN WORK", "BEGIN WORK;\nSELECT 1;\nCOMMIT", []st{{"BEGIN WORK", 1}, {"SELECT 1", 2}, {"COMMIT", 3}}},
		{"user variables", "SET @a := 1, @`b` = 2, @'c' = 3;SELECT @@session.sql_mode;", []st{{"SET @a := 1, @`b` = 2, @'c' = 3", 1}, {"SELECT @@session.sql_mode", 1}}},
	}
	runSplitCases(t, Options{Flavor: MySQL}, cases)
}

func TestSplitSQLite(t *testing.T) {
	cases := []splitCase{
		{"trigger body", "CREATE TRIGGER t AFTER INSERT ON a\nBEGIN\n  UPDATE a SET x = CASE WHEN new.y THEN 1 ELSE 2 END;\n  INSERT INTO log VALUES (1);\nEND;\nSELECT 1;",
			[]st{{"CREATE TRIGGER t AFTER INSERT ON a\nBEGIN\n  UPDATE a SET x = CASE WHEN new.y THEN 1 ELSE 2 END;\n  INSERT INTO log VALUES (1);\nEND", 1}, {"SELECT 1", 6}}},
		{"temp trigger", "CREATE TEMP TRIGGER IF NOT EXISTS t BEFORE DELETE ON a BEGIN SELECT RAISE(ABORT, 'no;'); END;SELECT 2",
			[]st{{"CREATE TEMP TRIGGER IF NOT EXISTS t BEFORE DELETE ON a BEGIN SELECT RAISE(ABORT, 'no;'); END", 1}, {"SELECT 2", 1}}},
		{"trigger with WHEN CASE", "CREATE TRIGGER t AFTER UPDATE ON a WHEN CASE WHEN 1 THEN 1 END BEGIN SELECT 1; END;SELECT 2",
			[]st{{"CREATE TRIGGER t AFTER UPDATE ON a WHEN CASE WHEN 1 THEN 1 END BEGIN SELECT 1; END", 1}, {"SELECT 2", 1}}},
		{"bracket identifier", "SELECT [a;b] FROM t;SELECT 2", []st{{"SELECT [a;b] FROM t", 1}, {"SELECT 2", 1}}},
		{"backtick and double-quoted identifiers", "SELECT `a;b`, \"c;d\" FROM t;SELECT 2", []st{{"SELECT `a;b`, \"c;d\" FROM t", 1}, {"SELECT 2", 1}}},
		{"no backslash escapes", `SELECT 'a\';SELECT 2`, []st{{`SELECT 'a\'`, 1}, {"SELECT 2", 1}}},
		{"comments do not nest", "SELECT /* a /* b; */ 1;SELECT 2", []st{{"SELECT /* a /* b; */ 1", 1}, {"SELECT 2", 1}}},
		{"parameters", "SELECT ?1, :a, @b, $c;SELECT 2", []st{{"SELECT ?1, :a, @b, $c", 1}, {"SELECT 2", 1}}},
		{"CREATE TABLE named trigger_log", "CREATE TABLE trigger_log (a);\nSELECT 2", []st{{"CREATE TABLE trigger_log (a)", 1}, {"SELECT 2", 2}}},
	}
	runSplitCases(t, Options{Flavor: SQLite}, cases)
}

func TestSplitErrors(t *testing.T) {
	cases := []struct {
		name string
		f    Flavor
		src  string
		line int
		msg  string
	}{
		{"string", Postgres, "SELECT 1;\nSELECT 'abc", 2, "unterminated quoted string (opened here)"},
		{"E string with escaped quote", Postgres, `SELECT E'abc\'`, 1, "unterminated quoted string (opened here)"},
		{"MySQL escaped quote", MySQL, "SELECT 1;\n\nSELECT 'a\\'", 3, "unterminated quoted string (opened here)"},
		{"MySQL double-quoted string", MySQL, `SELECT "a`, 1, "unterminated quoted string (opened here)"},
		{"quoted identifier", Postgres, "SELECT \"a\nb", 1, "unterminated quoted identifier (opened here)"},
		{"backtick", MySQL, "SELECT `a", 1, "unterminated quoted identifier (opened here)"},
		{"bracket", SQLite, "SELECT\n[a", 2, "unterminated quoted identifier [ (opened here)"},
		{"dollar quote", Postgres, "SELECT 1;\n\nCREATE FUNCTION f() AS $fn$ body $$ ; $f$", 3, "unterminated dollar-quoted string $fn$ (opened here)"},
		{"nested comment", Postgres, "SELECT 1 /* a /* b */\n", 1, "unterminated block comment /* (opened here)"},
		{"block comment", SQLite, "SELECT 1;\n/* a", 2, "unterminated block comment /* (opened here)"},
		{"executable comment", MySQL, "/*!40101 SET NAMES utf8;\n", 1, "unterminated executable comment /*! (opened here)"},
		{"MySQL BEGIN block", MySQL, "SELECT 1;\nCREATE PROCEDURE p()\nBEGIN\n  IF x THEN SELECT 1; END IF;\n", 3, "unterminated BEGIN ... END block (opened here)"},
		{"SQLite trigger", SQLite, "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1;", 1, "unterminated BEGIN ... END block (opened here)"},
		{"BEGIN ATOMIC", Postgres, "CREATE FUNCTION f() RETURNS int\nBEGIN ATOMIC SELECT 1;", 2, "unterminated BEGIN ATOMIC ... END block (opened here)"},
		{"goose block", Postgres, "SELECT 1;\n-- +goose StatementBegin\nSELECT 2;", 2, "unterminated -- +goose StatementBegin (opened here); end it with a -- +goose StatementEnd line"},
		{"long DELIMITER", MySQL, "SELECT 1;\nDELIMITER 12345678901234567\n", 2, "DELIMITER 1234567890123456... is longer than 16 bytes; use a short delimiter such as $$ or //"},
		{"goose end alone", MySQL, "SELECT 1;\n-- +goose StatementEnd\n", 2, "-- +goose StatementEnd without a StatementBegin before it"},
		{"goose begin twice", SQLite, "-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementBegin\n", 3, "-- +goose StatementBegin inside the block opened at line 1; end that block first"},
		{"string inside goose block", Postgres, "-- +goose StatementBegin\n'", 2, "unterminated quoted string (opened here)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Split(tc.src, Options{Flavor: tc.f})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Split = %v, %v; want a *SyntaxError", got, err)
			}
			if got != nil {
				t.Errorf("statements %v returned with the error", got)
			}
			if diff := cmp.Diff(SyntaxError{Line: tc.line, Msg: tc.msg}, *se); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := Split("SELECT 1;\n\nCREATE FUNCTION f() AS $fn$ body", Options{})
	if got, want := err.Error(), "line 3: unterminated dollar-quoted string $fn$ (opened here)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestFlavorOf(t *testing.T) {
	cases := map[string]Flavor{
		"postgres": Postgres, "postgresql": Postgres, "PostgreSQL": Postgres, "": Postgres, "oracle": Postgres,
		"mysql": MySQL, "MariaDB": MySQL, "sqlite": SQLite, "sqlite3": SQLite, " SQLite ": SQLite,
	}
	for name, want := range cases {
		if got := FlavorOf(name); got != want {
			t.Errorf("FlavorOf(%q) = %v, want %v", name, got, want)
		}
	}
	for _, f := range []Flavor{Postgres, MySQL, SQLite} {
		if got := FlavorOf(f.String()); got != f {
			t.Errorf("FlavorOf(%v.String()) = %v", f, got)
		}
	}
}

// asciiSpace is what SQL calls whitespace; other Unicode spaces are identifier characters.
const asciiSpace = " \t\n\r\f\v"
