package sqllex

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func collect(src string, f Flavor) []Ident {
	var out []Ident
	Identifiers(src, f, func(id Ident) { out = append(out, id) })
	return out
}

func id(line int, parts ...string) Ident { return Ident{Parts: parts, Line: line} }
func qid(line int, parts ...string) Ident {
	return Ident{Parts: parts, Line: line, Quoted: true}
}

func TestIdentifiers(t *testing.T) {
	cases := []struct {
		name string
		f    Flavor
		src  string
		want []Ident
	}{
		{"qualified and quoted", Postgres, `SELECT a.b, "public"."Users", c FROM s.t.u`,
			[]Ident{id(1, "SELECT"), id(1, "a", "b"), qid(1, "public", "Users"), id(1, "c"), id(1, "FROM"), id(1, "s", "t", "u")}},
		{"mixed quoting", Postgres, `x."Y".z "a""b"`, []Ident{qid(1, "x", "Y", "z"), qid(1, `a"b`)}},
		{"star and trailing dot", Postgres, "SELECT t.* FROM t.", []Ident{id(1, "SELECT"), id(1, "t"), id(1, "FROM"), id(1, "t")}},
		{"blank around dot breaks the name", Postgres, "a . b", []Ident{id(1, "a"), id(1, "b")}},
		{"not in strings or comments", Postgres, "SELECT 'x.y', E'z' -- w\n /* v /* u */ */ FROM\n\nt",
			[]Ident{id(1, "SELECT"), id(2, "FROM"), id(4, "t")}},
		{"dollar bodies are scanned", Postgres, "CREATE FUNCTION f() RETURNS int AS $$\nSELECT count(*)\n  FROM app.orders; -- c\n$$ LANGUAGE sql",
			[]Ident{id(1, "CREATE"), id(1, "FUNCTION"), id(1, "f"), id(1, "RETURNS"), id(1, "int"), id(1, "AS"),
				id(2, "SELECT"), id(2, "count"), id(3, "FROM"), id(3, "app", "orders"), id(4, "LANGUAGE"), id(4, "sql")}},
		{"nested dollar bodies", Postgres, "DO $o$ EXECUTE $i$ SELECT inner_t $i$ $o$",
			[]Ident{id(1, "DO"), id(1, "EXECUTE"), id(1, "SELECT"), id(1, "inner_t")}},
		{"strings in dollar bodies", Postgres, "$$ RAISE 'no x here' $$", []Ident{id(1, "RAISE")}},
		{"not identifiers", Postgres, "SELECT $1, ?, :name, :'v', ${schema}.t, 1.5, 2e3, .5, x::int, U&'a', B'01', X'ff', N'n'",
			[]Ident{id(1, "SELECT"), id(1, "t"), id(1, "x"), id(1, "int")}},
		{"dollar in names", Postgres, "SELECT a$b, $c$ d $c$", []Ident{id(1, "SELECT"), id(1, "a$b"), id(1, "d")}},
		{"unicode names", Postgres, `SELECT café, "naïve"`, []Ident{id(1, "SELECT"), id(1, "café"), qid(1, "naïve")}},
		{"unicode quoted identifier", Postgres, `SELECT U&"d\0061t"`, []Ident{id(1, "SELECT"), qid(1, `d\0061t`)}},
		{"unterminated string stops", Postgres, "SELECT a, 'b c", []Ident{id(1, "SELECT"), id(1, "a")}},
		{"MySQL", MySQL, "SELECT `a`.`b`, \"str\", @var, @@session.x, _utf8mb4'y' FROM db.t # c\n",
			[]Ident{id(1, "SELECT"), qid(1, "a", "b"), id(1, "FROM"), id(1, "db", "t")}},
		{"MySQL DELIMITER lines", MySQL, "DELIMITER $$\nSELECT a FROM film$$\nEND$$\ndelimiter ;\nSELECT b$$",
			[]Ident{id(2, "SELECT"), id(2, "a"), id(2, "FROM"), id(2, "film"), id(3, "END"), id(5, "SELECT"), id(5, "b$$")}},
		{"MySQL executable comment is code", MySQL, "/*!50003 CREATE*/ /*!50003 TRIGGER t */", []Ident{id(1, "CREATE"), id(1, "TRIGGER"), id(1, "t")}},
		{"MySQL hint is not scanned", MySQL, "SELECT /*+ BKA(t1) */ 1", []Ident{id(1, "SELECT")}},
		{"MySQL dollar is no quote", MySQL, "SELECT $$ a $$", []Ident{id(1, "SELECT"), id(1, "a")}},
		{"SQLite", SQLite, "SELECT [a b].c, `d``e`, \"f\" FROM main.t WHERE x = :p AND y = @q AND z = $r",
			[]Ident{id(1, "SELECT"), qid(1, "a b", "c"), qid(1, "d`e"), qid(1, "f"), id(1, "FROM"), id(1, "main", "t"),
				id(1, "WHERE"), id(1, "x"), id(1, "AND"), id(1, "y"), id(1, "AND"), id(1, "z")}},
		{"crlf lines", SQLite, "a\r\nb\r\n\r\nc", []Ident{id(1, "a"), id(2, "b"), id(4, "c")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, collect(tc.src, tc.f)); diff != "" {
				t.Errorf("identifiers (-want +got):\n%s", diff)
			}
		})
	}
}

// A caller may keep and append to the Parts it is given without disturbing later names.
func TestIdentifiersPartsAreOwned(t *testing.T) {
	var got [][]string
	Identifiers("a.b c.d e", Postgres, func(id Ident) {
		id.Parts = append(id.Parts, "x")
		got = append(got, id.Parts)
	})
	want := [][]string{{"a", "b", "x"}, {"c", "d", "x"}, {"e", "x"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
}

func TestKeywords(t *testing.T) {
	cases := []struct {
		name string
		f    Flavor
		stmt string
		n    int
		want []string
	}{
		{"comments skipped", Postgres, "/* c */ -- x\n create unique index concurrently ix ON t(a)", 3, []string{"CREATE", "UNIQUE", "INDEX"}},
		{"fewer words than asked", Postgres, "VACUUM", 3, []string{"VACUUM"}},
		{"zero", Postgres, "SELECT 1", 0, nil},
		{"empty", Postgres, "  -- only\n", 2, nil},
		{"non-words skipped", Postgres, `ALTER TYPE "mood" ADD VALUE 'x'`, 4, []string{"ALTER", "TYPE", "ADD", "VALUE"}},
		{"dollar body not entered", Postgres, "DO $$ BEGIN END $$", 3, []string{"DO"}},
		{"MySQL executable comments entered", MySQL, "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t", 3, []string{"CREATE", "DEFINER", "TRIGGER"}},
		{"MySQL hash comment", MySQL, "# c\nset names utf8", 2, []string{"SET", "NAMES"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Keywords(tc.stmt, tc.f, tc.n)); diff != "" {
				t.Errorf("Keywords (-want +got):\n%s", diff)
			}
		})
	}
}
