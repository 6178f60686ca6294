package sqllex

import (
	"errors"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"SELECT 1; SELECT 2",
	"SELECT 'a;b', \"c;d\", `e;f`, [g;h]; -- x\n# y\n/* z */",
	"CREATE FUNCTION f() RETURNS int AS $fn$ SELECT $$;$$; $fn$ LANGUAGE sql; SELECT $1",
	"SELECT E'\\'', 'a\\'; SELECT U&'x', :v, :'w', ${tok}.t",
	"/* a /* b */ c */ SELECT 1",
	"DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\nSELECT 2;",
	"CREATE PROCEDURE p() BEGIN IF a THEN SELECT 1; END IF; WHILE x DO SET x = 1; END WHILE; END;",
	"CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = CASE WHEN 1 THEN 2 END; END;",
	"CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END;",
	"-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n",
	"SELECT 1\nGO\nSELECT 2\r\n go \r\n",
	"/*!40101 SET NAMES utf8 */; SELECT /*+ BKA(t) */ 1",
	"BEGIN NOT ATOMIC SELECT 1; END;",
	"CREATE DEFINER=`root`@`localhost` TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN END;",
	"SELECT 'unterminated",
	"$a$ $b$ $a$ $b$",
	"DELIMITER ;;\nSELECT 1;;\nDELIMITER ;",
	"a.b.\"c\".`d`.[e]",
	"\\restrict k\nCOPY t (a) FROM stdin;\n1\t\\N\tx;y\n\\.\n\\unrestrict k\nSELECT 1;",
	"\\set ON_ERROR_STOP on\ncopy t from STDIN csv; -- c\n\"a\n\\.\",1\n\\.\r\n\\connect x",
}

func flavorOf(b uint8) Flavor { return Flavor(b % 3) }

func FuzzSplit(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint8(i), i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, src string, fl uint8, goBatches bool) {
		stmts, err := Split(src, Options{Flavor: flavorOf(fl), GoBatches: goBatches})
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Line < 1 || se.Line > 1+strings.Count(src, "\n") {
				t.Fatalf("error line %d out of range", se.Line)
			}
			if stmts != nil {
				t.Fatalf("statements returned with an error")
			}
			return
		}
		checkStatements(t, src, stmts)
	})
}

// lexOK reports whether src lexes without an unterminated construct.
func lexOK(src string, f Flavor) bool {
	l := newLexer(src, f, 1)
	for l.next().kind != kEOF {
	}
	return l.err == nil
}

func FuzzNormalize(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, src string, fl uint8) {
		fv := flavorOf(fl)
		n := Normalize(src, fv)
		if !lexOK(src, fv) {
			return
		}
		if !lexOK(n, fv) {
			t.Fatalf("Normalize(%q) = %q, which does not lex", src, n)
		}
		if again := Normalize(n, fv); again != n {
			t.Fatalf("not idempotent:\n src   %q\n once  %q\n twice %q", src, n, again)
		}
		if strings.Trim(n, asciiSpace) != n {
			t.Fatalf("Normalize(%q) = %q is not trimmed", src, n)
		}
	})
}

func FuzzIdentifiers(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, src string, fl uint8) {
		lines := 1 + strings.Count(src, "\n")
		prev := 1
		Identifiers(src, flavorOf(fl), func(id Ident) {
			if len(id.Parts) == 0 {
				t.Fatalf("identifier without parts")
			}
			if id.Line < prev || id.Line > lines {
				t.Fatalf("line %d out of order or range (previous %d, %d lines)", id.Line, prev, lines)
			}
			prev = id.Line
			if !id.Quoted {
				for _, p := range id.Parts {
					if p == "" || !strings.Contains(src, p) {
						t.Fatalf("unquoted part %q not in the source", p)
					}
				}
			}
		})
		Keywords(src, flavorOf(fl), 4)
	})
}

// soupParts are the fragments that make lexing hard, for TestSoup to mix.
var soupParts = []string{"$a$", "$$", "$1", "$", "a", "E", "'", "\"", "`", "[", "]", "--", "-", "#", "/*", "*/", "/*!", "/*+", "*", "/",
	"\n", " ", "\r\n", ";", "\\", "\\.", "COPY t FROM stdin", "\\set ON_ERROR_STOP on", "BEGIN", "END", "CREATE", "TRIGGER", "IF", "CASE", ".", ":", "@", "?", "${t}", "GO", "DELIMITER $$\n", "-- +goose StatementBegin\n", "-- +goose StatementEnd\n"}

// TestSoup checks the fuzz properties on many random mixes of hard fragments, so that every run
// of the ordinary tests covers them, not only fuzzing sessions.
func TestSoup(t *testing.T) {
	rng := uint64(1)
	rand := func(n int) int {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int(rng % uint64(n))
	}
	for i := 0; i < 100000; i++ {
		var b strings.Builder
		for n := rand(12); n >= 0; n-- {
			b.WriteString(soupParts[rand(len(soupParts))])
		}
		src := b.String()
		f := Flavor(rand(3))
		if stmts, err := Split(src, Options{Flavor: f, GoBatches: rand(2) == 0}); err == nil {
			checkStatements(t, src, stmts)
		}
		if n := Normalize(src, f); lexOK(src, f) && Normalize(n, f) != n {
			t.Fatalf("%v: Normalize not idempotent on %q: %q then %q", f, src, n, Normalize(n, f))
		}
		Identifiers(src, f, func(Ident) {})
	}
}
