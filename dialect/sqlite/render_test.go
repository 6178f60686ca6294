package sqlite

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func TestRender(t *testing.T) {
	d := New()
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"QuoteIdent", d.QuoteIdent(`a "b"`), `"a ""b"""`},
		{"Qualify ignores schema", d.Qualify("main", "t"), `"t"`},
		{"Placeholder", d.Placeholder(2), "?"},
		{"CreateSchema", d.CreateSchema("s"), ""},
		{"UseSchema", d.UseSchema("s"), []string(nil)},
		{"SessionSetup", d.SessionSetup(5 * time.Second), []string(nil)},
		{"Capabilities", d.Capabilities(), tandem.Capabilities{TransactionalDDL: true, Schemas: false, LockTimeout: false, ConflictTarget: true}},
		{"lockPath deploy", lockPath("/d/app.db", "deploy"), "/d/app.db.tandem-lock"},
		{"lockPath other", lockPath("/d/app.db", "move-1"), "/d/app.db.move-1.tandem-lock"},
		{"lockPath unsafe", lockPath("/d/app.db", "../x"), "/d/app.db.d6b96a97d147daaa.tandem-lock"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCast(t *testing.T) {
	tests := []struct {
		typ, cast, text string
	}{
		{"INTEGER", "CAST(? AS INTEGER)", "CAST(? AS TEXT)"},
		{"bigint", "CAST(? AS INTEGER)", "CAST(? AS TEXT)"},
		{"VARCHAR(10)", "?", "CAST(? AS TEXT)"},
		{"REAL", "CAST(? AS REAL)", "CAST(? AS TEXT)"},
		{"NUMERIC(10,2)", "CAST(? AS NUMERIC)", "CAST(? AS TEXT)"},
		{"DATE", "?", "CAST(? AS TEXT)"},
		{"TIMESTAMP", "?", "CAST(? AS TEXT)"},
		{"JSON", "?", "CAST(? AS TEXT)"},
		{"", "?", "CAST(? AS TEXT)"},
		{"BOOLEAN", "CASE lower(?) WHEN '1' THEN 1 WHEN 't' THEN 1 WHEN 'true' THEN 1 WHEN 'y' THEN 1 WHEN 'yes' THEN 1 WHEN 'on' THEN 1" +
			" WHEN '0' THEN 0 WHEN 'f' THEN 0 WHEN 'false' THEN 0 WHEN 'n' THEN 0 WHEN 'no' THEN 0 WHEN 'off' THEN 0 END",
			"CASE (?) <> 0 WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			col := tandem.Column{Type: tc.typ}
			if got := New().Cast("?", col); got != tc.cast {
				t.Errorf("Cast = %q, want %q", got, tc.cast)
			}
			if got := New().CastText("?", col); got != tc.text {
				t.Errorf("CastText = %q, want %q", got, tc.text)
			}
		})
	}
}

func TestNonTransactional(t *testing.T) {
	tests := []struct {
		stmt string
		want bool
	}{
		{"VACUUM", true},
		{"vacuum main INTO 'x.db'", true},
		{"ATTACH DATABASE 'x.db' AS x", true},
		{"DETACH x", true},
		{"PRAGMA foreign_keys = OFF", true},
		{"PRAGMA main.journal_mode = WAL", true},
		{"PRAGMA user_version = 3", false},
		{"CREATE TABLE vacuum (a)", false},
		{"-- VACUUM\nSELECT 1", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.stmt, func(t *testing.T) {
			if got := New().NonTransactional(tc.stmt); got != tc.want {
				t.Errorf("NonTransactional(%q) = %v, want %v", tc.stmt, got, tc.want)
			}
		})
	}
}

type codeErr int

func (e codeErr) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e codeErr) Code() int     { return int(e) }

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{codeErr(5), true},
		{codeErr(6), true},
		{codeErr(517), true}, // SQLITE_BUSY_SNAPSHOT
		{codeErr(262), true}, // SQLITE_LOCKED_SHAREDCACHE
		{fmt.Errorf("apply: %w", codeErr(5)), true},
		{codeErr(1), false},
		{codeErr(19), false}, // constraint
		{errors.New("database is locked"), false},
		{nil, false},
	}
	for _, tc := range tests {
		if got := New().Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
