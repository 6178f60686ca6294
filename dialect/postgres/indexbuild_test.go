package postgres

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOnlineBuild(t *testing.T) {
	tests := []struct {
		stmt string
		want *onlineBuild
	}{
		{"create index concurrently users_email on users (email)", &onlineBuild{scope: scopeTable, target: `"users"`, index: "users_email"}},
		{"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS Users_Email ON ONLY app.Users USING btree (email)",
			&onlineBuild{scope: scopeTable, target: `"app"."users"`, index: "users_email"}},
		{`create index concurrently "Mixed" on "App"."Users" (email)`, &onlineBuild{scope: scopeTable, target: `"App"."Users"`, index: "Mixed"}},
		{"create index concurrently on users (lower(email))", &onlineBuild{scope: scopeTable, target: `"users"`}},
		{"-- a comment\ncreate index /* x */ concurrently ix on t (a)", &onlineBuild{scope: scopeTable, target: `"t"`, index: "ix"}},
		{"reindex index concurrently app.users_email", &onlineBuild{scope: scopeIndex, target: `"app"."users_email"`, rebuild: true}},
		{"REINDEX (VERBOSE, CONCURRENTLY) TABLE users", &onlineBuild{scope: scopeTable, target: `"users"`, rebuild: true}},
		{"reindex schema concurrently App", &onlineBuild{scope: scopeSchema, target: "app", rebuild: true}},
		{"reindex database concurrently shop", &onlineBuild{scope: scopeDatabase, rebuild: true}},
		{"create index users_email on users (email)", nil},
		{"reindex index users_email", nil},
		{"drop index concurrently users_email", nil},
		{"select 'create index concurrently x on y (z)'", nil},
	}
	for _, tc := range tests {
		got := parseOnlineBuild(tc.stmt)
		if d := cmp.Diff(tc.want, got, cmp.AllowUnexported(onlineBuild{})); d != "" {
			t.Errorf("parseOnlineBuild(%q) (-want +got):\n%s", tc.stmt, d)
		}
	}
}

func TestRebuildCopy(t *testing.T) {
	for name, want := range map[string]bool{
		"app.users_email_ccnew": true, "app.users_email_ccnew1": true, `app."Users_ccold"`: true,
		"app.users_email": false, "app.ccnew_index": false,
	} {
		if got := rebuildCopy.MatchString(name); got != want {
			t.Errorf("rebuildCopy(%q) = %v, want %v", name, got, want)
		}
	}
}
