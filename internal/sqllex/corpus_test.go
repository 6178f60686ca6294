package sqllex

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpora holds real-world schemas kept beside the repository, not in it; a user's clone has
// none, so the tests that read it skip there.
const corpora = "../../../shared/corpora"

func readCorpus(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpora, rel))
	if os.IsNotExist(err) {
		t.Skipf("corpus %s not found (it lives outside the repository): %v", rel, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func splitCorpus(t *testing.T, src string, f Flavor) []Statement {
	t.Helper()
	stmts, err := Split(src, Options{Flavor: f})
	if err != nil {
		t.Fatalf("Split: %v", err)
	}
	checkStatements(t, src, stmts)
	return stmts
}

var routineHead = regexp.MustCompile(`(?i)^CREATE\s+(?:DEFINER\s*=\s*\S+\s+)?(TRIGGER|PROCEDURE|FUNCTION)\b`)

// checkRoutines checks that every CREATE TRIGGER, PROCEDURE and FUNCTION in src came out as one
// whole statement (its body ends with END), and that no statement begins inside a body.
func checkRoutines(t *testing.T, src string, stmts []Statement, wantRoutines int) {
	t.Helper()
	if got := len(regexp.MustCompile(`(?i)\bCREATE\s+(?:DEFINER\s*=\s*\S+\s+)?(TRIGGER|PROCEDURE|FUNCTION)\b`).FindAllString(src, -1)); got != wantRoutines {
		t.Fatalf("the corpus holds %d routines, the test expects %d", got, wantRoutines)
	}
	n := 0
	for _, s := range stmts {
		upper := strings.ToUpper(s.Text)
		for _, w := range []string{"END", "BEGIN", "IF", "ELSE", "DECLARE", "RETURN", "UPDATE FILM_TEXT"} {
			if strings.HasPrefix(upper, w+" ") || upper == w {
				t.Errorf("line %d: a statement starts inside a body: %.60q", s.Line, s.Text)
			}
		}
		if routineHead.MatchString(s.Text) {
			n++
			if !strings.HasSuffix(upper, "END") {
				t.Errorf("line %d: routine does not end with END: ...%q", s.Line, s.Text[max(0, len(s.Text)-40):])
			}
		}
	}
	if n != wantRoutines {
		t.Errorf("%d routine statements, want %d", n, wantRoutines)
	}
}

func TestCorpusAutheliaProcedure(t *testing.T) {
	src := readCorpus(t, "authelia/mysql/V0007.ConsistencyFixes.up.sql")
	stmts := splitCorpus(t, src, MySQL)
	var procs []st
	for _, s := range stmts {
		if strings.HasPrefix(s.Text, "CREATE PROCEDURE") {
			procs = append(procs, st{s.Text[:strings.IndexByte(s.Text, '(')], s.Line})
			if !strings.HasSuffix(s.Text, "END IF;\nEND") || strings.Count(s.Text, ";") != 6 {
				t.Errorf("line %d: the procedure is not whole:\n%s", s.Line, s.Text)
			}
		} else if strings.Contains(s.Text, "BEGIN") || strings.Contains(s.Text, "END") {
			t.Errorf("line %d: a piece of a procedure: %q", s.Line, s.Text)
		}
	}
	want := []st{{"CREATE PROCEDURE PROC_DROP_FOREIGN_KEY", 4}, {"CREATE PROCEDURE PROC_DROP_INDEX", 21}}
	if diff := cmp.Diff(want, procs); diff != "" {
		t.Errorf("procedures (-want +got):\n%s", diff)
	}
	if len(stmts) != 75 {
		t.Errorf("%d statements, want 75", len(stmts))
	}
}

func TestCorpusSakilaMySQL(t *testing.T) {
	src := readCorpus(t, "sakila/mysql-sakila-db/mysql-sakila-schema.sql")
	stmts := splitCorpus(t, src, MySQL)
	// 3 SET, DROP SCHEMA, CREATE SCHEMA, USE, 16 tables, 3 triggers, 7 views, 3 procedures,
	// 3 functions, 3 SET.
	if len(stmts) != 41 {
		t.Errorf("%d statements, want 41", len(stmts))
	}
	checkRoutines(t, src, stmts, 9)
	for _, s := range stmts {
		if strings.Contains(strings.ToUpper(s.Text), "DELIMITER") {
			t.Errorf("line %d: a DELIMITER line in a statement: %.60q", s.Line, s.Text)
		}
	}

	// Without its DELIMITER lines, and with ";" for every custom delimiter, the script must split
	// the same way: BEGIN ... END tracking does what DELIMITER did.
	var plain strings.Builder
	for _, line := range strings.SplitAfter(src, "\n") {
		if strings.HasPrefix(line, "DELIMITER") {
			plain.WriteString("\n")
			continue
		}
		line = strings.Replace(line, "END;;", "END;", 1)
		line = strings.Replace(line, "END //", "END;", 1)
		line = strings.Replace(line, "END $$", "END;", 1)
		plain.WriteString(line)
	}
	again := splitCorpus(t, plain.String(), MySQL)
	if diff := cmp.Diff(checkStatements(t, src, stmts), checkStatements(t, plain.String(), again)); diff != "" {
		t.Errorf("without DELIMITER (-with +without):\n%s", diff)
	}
}

func TestCorpusSakilaSQLite(t *testing.T) {
	src := readCorpus(t, "sakila/sqlite-sakila-db/sqlite-sakila-schema.sql")
	stmts := splitCorpus(t, src, SQLite)
	if len(stmts) != 75 {
		t.Errorf("%d statements, want 75", len(stmts))
	}
	checkRoutines(t, src, stmts, 30)
}

func TestCorpusSakilaPostgres(t *testing.T) {
	src := readCorpus(t, "sakila/postgres-sakila-db/postgres-sakila-schema.sql")
	stmts := splitCorpus(t, src, Postgres)
	if len(stmts) != 225 {
		t.Errorf("%d statements, want 225", len(stmts))
	}
	functions := 0
	for _, s := range stmts {
		if strings.HasPrefix(s.Text, "CREATE FUNCTION") {
			functions++
			if !strings.Contains(s.Text, "LANGUAGE") {
				t.Errorf("line %d: function cut short: %.80q", s.Line, s.Text)
			}
		}
	}
	if functions != 9 {
		t.Errorf("%d functions, want 9", functions)
	}
	// The functions' bodies are scanned for the tables they use.
	found := map[string]bool{}
	Identifiers(src, Postgres, func(id Ident) { found[strings.Join(id.Parts, ".")] = true })
	for _, name := range []string{"rental", "inventory", "payment", "public.film_in_stock", "tmpCustomer", "last_month_start"} {
		if !found[name] {
			t.Errorf("identifier %s not found", name)
		}
	}
}

func TestCorpusDropScripts(t *testing.T) {
	for _, c := range []struct {
		file string
		f    Flavor
	}{
		{"sakila/mysql-sakila-db/mysql-sakila-drop-objects.sql", MySQL},
		{"sakila/postgres-sakila-db/postgres-sakila-drop-objects.sql", Postgres},
		{"sakila/sqlite-sakila-db/sqlite-sakila-drop-objects.sql", SQLite},
	} {
		t.Run(c.f.String(), func(t *testing.T) {
			src := readCorpus(t, c.file)
			for _, s := range splitCorpus(t, src, c.f) {
				if kw := Keywords(s.Text, c.f, 1); len(kw) != 1 || (kw[0] != "DROP" && kw[0] != "SET" && kw[0] != "ALTER") {
					t.Errorf("line %d: unexpected statement %.60q", s.Line, s.Text)
				}
			}
		})
	}
}
