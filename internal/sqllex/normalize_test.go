package sqllex

import "testing"

func TestNormalize(t *testing.T) {
	cases := []struct {
		name string
		f    Flavor
		src  string
		want string
	}{
		{"whitespace folded and trimmed", Postgres, "  SELECT\t1,\r\n\n   2  ", "SELECT 1, 2"},
		{"comments removed", Postgres, "-- head\nSELECT /* a /* nested */ b */ 1 -- tail\n", "SELECT 1"},
		{"comment between tokens becomes a space", Postgres, "SELECT a/*x*/b", "SELECT a b"},
		{"trailing delimiters dropped", Postgres, "SELECT 1 ; ; -- x\n", "SELECT 1"},
		{"inner delimiters kept", Postgres, "SELECT 1;\n\nSELECT 2;", "SELECT 1; SELECT 2"},
		{"delimiter in a string kept", Postgres, "SELECT ';'", "SELECT ';'"},
		{"string literals kept exactly", Postgres, "SELECT 'a  b\n -- c',  E'x\\'  y'", "SELECT 'a  b\n -- c', E'x\\'  y'"},
		{"quoted identifiers kept exactly", Postgres, `SELECT "a  b"  FROM   "t /* x */"`, `SELECT "a  b" FROM "t /* x */"`},
		{"dollar body normalized", Postgres, "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  -- say one\n  RETURN 1;   /* done */\nEND;\n$$ LANGUAGE plpgsql;",
			"CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql"},
		{"dollar body edges not trimmed", Postgres, "SELECT $a$x$a$, $b$  x  $b$", "SELECT $a$x$a$, $b$ x $b$"},
		{"nested dollar bodies", Postgres, "DO $o$ BEGIN EXECUTE $i$ SELECT   1 -- c\n $i$; END $o$", "DO $o$ BEGIN EXECUTE $i$ SELECT 1 $i$; END $o$"},
		{"strings inside dollar bodies kept", Postgres, "SELECT $$ 'a   b' $$", "SELECT $$ 'a   b' $$"},
		{"dollar body that does not lex is kept", Postgres, "CREATE FUNCTION f() AS $$\n# don't  touch\n$$ LANGUAGE plpython3u", "CREATE FUNCTION f() AS $$\n# don't  touch\n$$ LANGUAGE plpython3u"},
		{"MySQL hash comment", MySQL, "SELECT 1 # c\n, 2", "SELECT 1 , 2"},
		{"MySQL dash dash without space is code", MySQL, "SELECT 1--1 -- c\n", "SELECT 1- -1"},
		{"MySQL executable comment and hint kept", MySQL, "/*!40101  SET NAMES utf8 */ ;SELECT /*+  BKA(t) */ 1", "/*!40101 SET NAMES utf8 */ ;SELECT /*+  BKA(t) */ 1"},
		{"MySQL strings with backslashes", MySQL, `SELECT 'a\'  b',  "c  \"d"`, `SELECT 'a\'  b', "c  \"d"`},
		{"SQLite brackets", SQLite, "SELECT  [a  b]  FROM t -- c", "SELECT [a  b] FROM t"},
		{"unterminated string kept from there", Postgres, "SELECT  1, 'a  b", "SELECT 1, 'a  b"},
		{"only comments", Postgres, "-- a\n/* b */", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Normalize(tc.src, tc.f)
			if got != tc.want {
				t.Errorf("Normalize(%q) =\n%q\nwant\n%q", tc.src, got, tc.want)
			}
			if again := Normalize(got, tc.f); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

// Scripts that differ only in comments and layout normalize to the same string; scripts that
// differ in code or literals do not.
func TestNormalizeEquivalence(t *testing.T) {
	cases := []struct {
		name  string
		f     Flavor
		a, b  string
		equal bool
	}{
		{"layout", Postgres, "CREATE TABLE t (\n  a int,\n  b text\n);", "CREATE TABLE t ( a int, b text )", true},
		{"comments", Postgres, "-- v2\nCREATE TABLE t (a int /* key */);", "CREATE TABLE t (a int );\n-- the end", true},
		{"function body comments", Postgres, "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 -- one\n $$ LANGUAGE sql", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1  $$ LANGUAGE sql", true},
		{"crlf", MySQL, "SELECT 1,\r\n  2;\r\n", "SELECT 1,\n2", true},
		{"code differs", Postgres, "SELECT 1", "SELECT 2", false},
		{"string whitespace differs", Postgres, "SELECT 'a b'", "SELECT 'a  b'", false},
		{"spacing around punctuation is code", Postgres, "f(a)", "f( a )", false},
		{"comment marker in a string", Postgres, "SELECT '-- x'", "SELECT ''", false},
		{"MySQL executable comment is code", MySQL, "/*!40101 SET NAMES utf8 */ SELECT 1", "SELECT 1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			na, nb := Normalize(tc.a, tc.f), Normalize(tc.b, tc.f)
			if (na == nb) != tc.equal {
				t.Errorf("Normalize gives %q and %q; want equal=%v", na, nb, tc.equal)
			}
		})
	}
}

func TestNormalizeMySQLDashes(t *testing.T) {
	cases := map[string]string{
		"SELECT 1--#c":    "SELECT 1- -",
		"SELECT 1--/**/x": "SELECT 1- - x",
		"SELECT 1--x":     "SELECT 1- -x",
		"SELECT 1- -x":    "SELECT 1- -x",
		"SELECT 1-- x":    "SELECT 1",
	}
	for src, want := range cases {
		if got := Normalize(src, MySQL); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", src, got, want)
		}
	}
}
