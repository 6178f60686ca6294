package sqllex

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGroups(t *testing.T) {
	cases := []struct {
		name, src string
		f         Flavor
		want      []string
	}{
		{"column and table checks", "CREATE TABLE t (a int CHECK (a > 0), b text, CONSTRAINT c CHECK (length(b) < 9))", SQLite,
			[]string{"a > 0", "length(b) < 9"}},
		{"nested, quoted and commented", "CREATE TABLE t (a text check /* ) */ ( a IN ('(', ')') AND \"check\" (x) ))", SQLite,
			[]string{"a IN ('(', ')') AND \"check\" (x)"}},
		{"a quoted word is not the keyword", `CREATE TABLE t ("check" (x), [check] (y))`, SQLite, nil},
		{"not directly followed", "CREATE TABLE t (a int CHECK x (1))", SQLite, nil},
		{"unterminated", "CREATE TABLE t (a int CHECK (a > 0", SQLite, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, Groups(tc.src, tc.f, "check")); d != "" {
				t.Fatalf("Groups (-want +got):\n%s", d)
			}
		})
	}
}
