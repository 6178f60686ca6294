package main

import (
	"testing"

	"github.com/tandem-db/tandem/internal/dburl"
)

func TestWithApplicationName(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"postgres without a query", "postgres://u@h/db", "postgres://u@h/db?application_name=tandem%20deploy"},
		{"postgres with a query", "postgres://u@h/db?sslmode=disable", "postgres://u@h/db?sslmode=disable&application_name=tandem%20deploy"},
		{"the user's own name is kept", "postgres://u@h/db?application_name=mine", "postgres://u@h/db?application_name=mine"},
		{"whatever its case", "postgres://u@h/db?Application_Name=mine", "postgres://u@h/db?Application_Name=mine"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := dburl.Parse(tc.raw, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := withApplicationName(u, "deploy").DSN; got != tc.want {
				t.Errorf("DSN %q, want %q", got, tc.want)
			}
		})
	}
	u, err := dburl.Parse("mysql://root@127.0.0.1/db", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := withApplicationName(u, "deploy"); got.DSN != u.DSN {
		t.Errorf("MySQL DSN changed to %q", got.DSN)
	}
}
