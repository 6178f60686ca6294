package sqlite

import "testing"

func TestGuards(t *testing.T) {
	cases := []struct {
		stmt string
		want bool
	}{
		{"DROP TABLE identities", true},
		{"drop table if exists \"identities\"", true},
		{"/* rebuild */ drop\n table identities", true},
		{"DROP VIEW v", false},
		{"DROP INDEX i", false},
		{"ALTER TABLE new_identities RENAME TO identities", false},
		{"INSERT INTO t SELECT * FROM u", false},
		{"CREATE TABLE t (id integer)", false},
	}
	for _, tc := range cases {
		if got := (Dialect{}).Guards(tc.stmt); got != tc.want {
			t.Errorf("Guards(%q) = %v, want %v", tc.stmt, got, tc.want)
		}
	}
}
