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

// AsksGuard recognises the ways a script turns foreign keys off, and only those.
func TestAsksGuard(t *testing.T) {
	d := Dialect{}
	for stmt, want := range map[string]bool{
		"PRAGMA foreign_keys=OFF":          true,
		"pragma foreign_keys = 0":          true,
		"PRAGMA foreign_keys = false;":     true,
		"PRAGMA foreign_keys(no)":          true,
		"PRAGMA foreign_keys='off'":        true,
		"PRAGMA foreign_keys=ON":           false,
		"PRAGMA foreign_keys":              false,
		"PRAGMA journal_mode=OFF":          false,
		"PRAGMA foreign_key_check":         false,
		"SELECT 'PRAGMA foreign_keys=OFF'": false,
	} {
		if got := d.AsksGuard(stmt); got != want {
			t.Errorf("AsksGuard(%q) = %v, want %v", stmt, got, want)
		}
	}
}
