package testdb

import (
	"context"
	"strings"
	"testing"
)

func TestServers(t *testing.T) {
	tests := []struct {
		name   string
		url    func(testing.TB) string
		prefix string
		query  string
	}{
		{"postgres", Postgres, "postgres://", "SELECT current_database()"},
		{"mysql", MySQL, "mysql://", "SELECT DATABASE()"},
		{"sqlite", SQLite, "sqlite://", "SELECT 'main'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.url(t)
			if !strings.HasPrefix(u, tc.prefix) {
				t.Fatalf("URL %q does not start with %q", u, tc.prefix)
			}
			db := Open(t, u)
			var got string
			if err := db.QueryRowContext(context.Background(), tc.query).Scan(&got); err != nil {
				t.Fatal(err)
			}
			want := "main"
			if tc.name != "sqlite" {
				want = dbName(t)[:len(got)-8] // same test name, different random suffix
				got = got[:len(got)-8]
			}
			if got != want {
				t.Errorf("connected to %q, want %q", got, want)
			}
		})
	}
}

func TestDBName(t *testing.T) {
	n := dbName(t)
	if !strings.HasPrefix(n, "tandem_testdbname_") || len(n) != len("tandem_testdbname_")+8 {
		t.Errorf("dbName = %q, want tandem_testdbname_ and 8 hex digits", n)
	}
}
