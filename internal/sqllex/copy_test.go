package sqllex

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dataStmt is a Statement without its offset, with its data.
type dataStmt struct {
	Text     string
	Line     int
	HasData  bool
	Data     string
	DataLine int
}

func splitCopy(t *testing.T, src string, f Flavor) []dataStmt {
	t.Helper()
	got, err := Split(src, Options{Flavor: f})
	if err != nil {
		t.Fatalf("Split: %v", err)
	}
	checkStatements(t, src, got)
	var out []dataStmt
	for _, s := range got {
		d := dataStmt{Text: s.Text, Line: s.Line}
		if s.Data != nil {
			d.HasData, d.Data, d.DataLine = true, s.Data.Rows, s.Data.Line
		}
		out = append(out, d)
	}
	return out
}

// A plain pg_dump: \restrict lines, COPY blocks whose rows hold tabs, \N, backslash escapes,
// semicolons, quotes and non-ASCII text, and the "\." lines that end them.
func TestSplitCopyBlocks(t *testing.T) {
	src := "\\restrict 3kQx9\n" +
		"SET client_encoding = 'UTF8';\n" +
		"COPY public.t (id, name, note) FROM stdin;\n" +
		"1\tcafé; 'x'\t\\N\n" +
		"2\ta\\tb\\\\c\t-- not a comment\n" +
		"\\.\n" +
		"\n" +
		"copy t2 from STDIN with (format csv);\n" +
		"\"multi\n;line\",1\n" +
		"\\.\n" +
		"COPY t3 FROM stdin;\n" +
		"\\.\n" +
		"\\unrestrict 3kQx9\n" +
		"SELECT 1;\n"
	want := []dataStmt{
		{"SET client_encoding = 'UTF8'", 2, false, "", 0},
		{"COPY public.t (id, name, note) FROM stdin", 3, true, "1\tcafé; 'x'\t\\N\n2\ta\\tb\\\\c\t-- not a comment\n", 4},
		{"copy t2 from STDIN with (format csv)", 8, true, "\"multi\n;line\",1\n", 9},
		{"COPY t3 FROM stdin", 12, true, "", 13},
		{"SELECT 1", 15, false, "", 0},
	}
	if diff := cmp.Diff(want, splitCopy(t, src, Postgres)); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
}

func TestSplitCopyNotData(t *testing.T) {
	cases := []struct {
		name string
		src  string
		f    Flavor
		want []dataStmt
	}{
		{"COPY TO STDOUT", "COPY t TO STDOUT;\nSELECT 1;", Postgres, []dataStmt{{"COPY t TO STDOUT", 1, false, "", 0}, {"SELECT 1", 2, false, "", 0}}},
		{"COPY from a file", "COPY t FROM '/tmp/x';\nSELECT 1;", Postgres, []dataStmt{{"COPY t FROM '/tmp/x'", 1, false, "", 0}, {"SELECT 1", 2, false, "", 0}}},
		{"query naming stdin", "COPY (SELECT a FROM stdin_log) TO STDOUT;\nSELECT 1;", Postgres,
			[]dataStmt{{"COPY (SELECT a FROM stdin_log) TO STDOUT", 1, false, "", 0}, {"SELECT 1", 2, false, "", 0}}},
		{"COPY word later in a statement", "SELECT copy FROM stdin;\nSELECT 1;", Postgres,
			[]dataStmt{{"SELECT copy FROM stdin", 1, false, "", 0}, {"SELECT 1", 2, false, "", 0}}},
		{"dollar body", "CREATE FUNCTION f() RETURNS void AS $$\nCOPY t FROM stdin;\n$$ LANGUAGE sql;\nSELECT 1;", Postgres,
			[]dataStmt{{"CREATE FUNCTION f() RETURNS void AS $$\nCOPY t FROM stdin;\n$$ LANGUAGE sql", 1, false, "", 0}, {"SELECT 1", 4, false, "", 0}}},
		{"mysql", "COPY t FROM stdin;\n1\n\\.\n", MySQL, []dataStmt{{"COPY t FROM stdin", 1, false, "", 0}, {"1\n\\.", 2, false, "", 0}}},
		{"backslash inside a statement", "SELECT\n\\x;", Postgres, []dataStmt{{"SELECT\n\\x", 1, false, "", 0}}},
		{"accepted meta-commands", "\\set ON_ERROR_STOP on\n  \\set ON_ERROR_STOP 1\nSELECT 1; /* c */ \\set ON_ERROR_STOP true\nSELECT 2;", Postgres,
			[]dataStmt{{"SELECT 1", 3, false, "", 0}, {"SELECT 2", 4, false, "", 0}}},
		{"meta-command in a goose block", "-- +goose StatementBegin\n\\set ON_ERROR_STOP on\nSELECT 1;\n-- +goose StatementEnd\n", Postgres, []dataStmt{{"SELECT 1", 3, false, "", 0}}},
		{"comment after the COPY", "COPY t FROM stdin; -- rows\n1\n\\.\n", Postgres, []dataStmt{{"COPY t FROM stdin", 1, true, "1\n", 2}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, splitCopy(t, tc.src, tc.f)); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitCopyErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"no end", "SELECT 1;\nCOPY t FROM stdin;\n1\n2\n", 2, "COPY data block never ends"},
		{"no end, no newline", "COPY t FROM stdin;", 1, "COPY data block never ends"},
		{"end not alone", "COPY t FROM stdin;\n1\n\\. \n", 1, "COPY data block never ends"},
		{"text after the semicolon", "COPY t FROM stdin; SELECT 1;\n\\.\n", 1, "on the same line"},
		{"connect", "SELECT 1;\n\\connect other\nSELECT 2;", 2, `\connect is not SQL`},
		{"include", "\\i other.sql\n", 1, `\i is not SQL`},
		{"copy meta-command", "\n\n\\copy t from 'x.csv'\n", 3, `\copy is not SQL`},
		{"other variable", "\\set x 1\n", 1, `\set is not SQL`},
		{"copy in a goose block", "-- +goose StatementBegin\nCOPY t FROM stdin;\n1\n\\.\n-- +goose StatementEnd\n", 2, "goose StatementBegin block"},
		{"on error stop off", "\\set ON_ERROR_STOP off\n", 1, "always stops at the first error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Split(tc.src, Options{Flavor: Postgres})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Split: %v, want a *SyntaxError", err)
			}
			if se.Line != tc.line || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("got line %d %q, want line %d containing %q", se.Line, se.Msg, tc.line, tc.msg)
			}
		})
	}
}

func TestNormalizeCopy(t *testing.T) {
	src := "\\restrict k1\n-- data\nCOPY t   (a) FROM stdin;  \n 1\t  x \n\\N\n\\.\nSELECT   1;\n\\unrestrict k1\n"
	want := "COPY t (a) FROM stdin;\n 1\t  x \n\\N\n\\.\nSELECT 1"
	if got := Normalize(src, Postgres); got != want {
		t.Fatalf("Normalize = %q, want %q", got, want)
	}
	if again := Normalize(want, Postgres); again != want {
		t.Fatalf("not idempotent: %q", again)
	}
	if other := Normalize(strings.ReplaceAll(src, "k1", "k2"), Postgres); other != want {
		t.Errorf("a new \\restrict key changes the normalized text: %q", other)
	}
}

func TestIdentifiersSkipCopyData(t *testing.T) {
	var got []string
	Identifiers("COPY t FROM stdin;\norders\tx.y\n\\.\nSELECT b;", Postgres, func(id Ident) {
		got = append(got, strings.Join(id.Parts, "."))
	})
	if diff := cmp.Diff([]string{"COPY", "t", "FROM", "stdin", "SELECT", "b"}, got); diff != "" {
		t.Errorf("identifiers (-want +got):\n%s", diff)
	}
}
