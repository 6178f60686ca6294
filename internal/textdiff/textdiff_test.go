package textdiff

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnified(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{name: "equal", a: "x\ny\n", b: "x\ny\n", want: ""},
		{
			name: "one line changed in the middle",
			a:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			b:    "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
			want: "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
		},
		{
			name: "two changes far apart give two hunks",
			a:    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
			b:    "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			want: "--- old\n+++ new\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n",
		},
		{
			name: "changes six lines apart share a hunk",
			a:    "1\n2\n3\n4\n5\n6\n7\n8\n",
			b:    "x\n2\n3\n4\n5\n6\n7\ny\n",
			want: "--- old\n+++ new\n@@ -1,8 +1,8 @@\n-1\n+x\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+y\n",
		},
		{
			name: "from empty",
			a:    "",
			b:    "create view v as\nselect 1;\n",
			want: "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+create view v as\n+select 1;\n",
		},
		{
			name: "to empty",
			a:    "a\nb\n",
			b:    "",
			want: "--- old\n+++ new\n@@ -1,2 +0,0 @@\n-a\n-b\n",
		},
		{
			name: "insertion after the first line",
			a:    "a\nb\n",
			b:    "a\nnew\nb\n",
			want: "--- old\n+++ new\n@@ -1,2 +1,3 @@\n a\n+new\n b\n",
		},
		{
			name: "missing final newline is shown",
			a:    "select 1;\n",
			b:    "select 1;",
			want: "--- old\n+++ new\n@@ -1 +1 @@\n-select 1;\n+select 1;\n\\ No newline at end of file\n",
		},
		{
			name: "pure insertion inside context keeps line numbers of the line before",
			a:    "1\n2\n3\n4\n5\n6\n7\n8\n",
			b:    "1\n2\n3\n4\nx\n5\n6\n7\n8\n",
			want: "--- old\n+++ new\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+x\n 5\n 6\n 7\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Unified(tc.a, tc.b, "old", "new")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Unified mismatch (-want +got):\n%s\ngot:\n%s", diff, got)
			}
			if tc.want != "" {
				if back, err := apply(tc.a, got); err != nil || back != tc.b {
					t.Errorf("applying the diff gives %q (%v), want %q", back, err, tc.b)
				}
			}
		})
	}
}

func TestUnifiedIsMinimal(t *testing.T) {
	// A shortest edit script for these is known: delete 2 lines and insert 2.
	a := "a\nb\nc\na\nb\nb\na\n"
	b := "c\nb\na\nb\na\nc\n"
	got := Unified(a, b, "a", "b")
	adds, dels := 0, 0
	for _, l := range strings.Split(got, "\n")[2:] {
		switch {
		case strings.HasPrefix(l, "+"):
			adds++
		case strings.HasPrefix(l, "-"):
			dels++
		}
	}
	if adds+dels != 5 {
		t.Errorf("edit script has %d insertions and %d deletions, want 5 edits in all (Myers' example):\n%s", adds, dels, got)
	}
}

func TestLongTextsAreLinear(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	got := Unified(a.String(), b.String(), "a", "b")
	if !strings.HasPrefix(got, "--- a\n+++ b\n@@ -1,20000 +1,20000 @@\n-a0\n") {
		t.Errorf("unexpected start: %.60q", got)
	}
}

func FuzzUnified(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd\n")
	f.Add("", "x")
	f.Add("x", "")
	f.Add("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\nx\n4\n5\n6\n7\n8\ny")
	f.Add("same\n", "same\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		got := Unified(a, b, "a", "b")
		if a == b {
			if got != "" {
				t.Fatalf("equal texts give a diff: %q", got)
			}
			return
		}
		back, err := apply(a, got)
		if err != nil {
			t.Fatalf("diff does not apply: %v\n%s", err, got)
		}
		if back != b {
			t.Fatalf("applying the diff gives %q, want %q\n%s", back, b, got)
		}
	})
}

// apply applies a unified diff made by Unified to a, checking every context and deleted line, so
// that the tests hold the hunk headers and line numbers to what patch would accept.
func apply(a, diff string) (string, error) {
	src := splitLines(a)
	lines := splitLines(diff)
	if len(lines) < 2 {
		return "", fmt.Errorf("no header")
	}
	lines = lines[2:]
	var out []string
	pos := 0
	for i := 0; i < len(lines); {
		h := strings.TrimSuffix(lines[i], "\n")
		var aStart, aLen, bStart, bLen int
		if err := parseHeader(h, &aStart, &aLen, &bStart, &bLen); err != nil {
			return "", err
		}
		i++
		// An empty range names the line before it.
		from := aStart - 1
		if aLen == 0 {
			from = aStart
		}
		if from < pos {
			return "", fmt.Errorf("hunk %q goes backwards", h)
		}
		out = append(out, src[pos:from]...)
		pos = from
		gotA, gotB := 0, 0
		for i < len(lines) && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			i++
			text := l[1:]
			if i < len(lines) && lines[i] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(src) || src[pos] != text {
					return "", fmt.Errorf("line %d: have %q, diff says %q", pos+1, at(src, pos), text)
				}
				pos++
				gotA++
				if l[0] == ' ' {
					out = append(out, text)
					gotB++
				}
			case '+':
				out = append(out, text)
				gotB++
			default:
				return "", fmt.Errorf("bad line %q", l)
			}
		}
		if gotA != aLen || gotB != bLen {
			return "", fmt.Errorf("hunk %q holds %d,%d lines", h, gotA, gotB)
		}
	}
	out = append(out, src[pos:]...)
	return strings.Join(out, ""), nil
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "<end>"
}

func parseHeader(h string, aStart, aLen, bStart, bLen *int) error {
	f := strings.Fields(h)
	if len(f) != 4 || f[0] != "@@" || f[3] != "@@" || f[1][0] != '-' || f[2][0] != '+' {
		return fmt.Errorf("bad hunk header %q", h)
	}
	parse := func(s string, start, n *int) error {
		a, b, ok := strings.Cut(s, ",")
		var err error
		if *start, err = strconv.Atoi(a); err != nil {
			return err
		}
		*n = 1
		if ok {
			*n, err = strconv.Atoi(b)
		}
		return err
	}
	if err := parse(f[1][1:], aStart, aLen); err != nil {
		return err
	}
	return parse(f[2][1:], bStart, bLen)
}
