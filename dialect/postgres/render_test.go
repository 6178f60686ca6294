package postgres

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
		{"Qualify", d.Qualify("Sales", "order"), `"Sales"."order"`},
		{"Qualify no schema", d.Qualify("", "t"), `"t"`},
		{"Placeholder", d.Placeholder(12), "$12"},
		{"CreateSchema", d.CreateSchema("s"), `CREATE SCHEMA IF NOT EXISTS "s"`},
		{"CreateSchema empty", d.CreateSchema(""), ""},
		{"UseSchema", d.UseSchema("s"), []string{`SET search_path TO "s"`}},
		{"UseSchema empty", d.UseSchema(""), []string(nil)},
		{"SessionSetup", d.SessionSetup(5 * time.Second), []string{"SET lock_timeout = '5000ms'"}},
		{"SessionSetup tiny", d.SessionSetup(time.Microsecond), []string{"SET lock_timeout = '1ms'"}},
		{"SessionSetup zero", d.SessionSetup(0), []string(nil)},
		{"Capabilities", d.Capabilities(), tandem.Capabilities{TransactionalDDL: true, Schemas: true, LockTimeout: true, DataModifyingCTE: true, ConflictTarget: true}},
		{"Cast int", d.Cast("$1", tandem.Column{Type: "integer"}), "CAST($1 AS integer)"},
		{"Cast varchar", d.Cast("$1", tandem.Column{Type: "character varying(3)"}), "CAST($1 AS text)"},
		{"Cast char", d.Cast("$1", tandem.Column{Type: "character(3)"}), "CAST($1 AS text)"},
		{"Cast tstz", d.Cast("x", tandem.Column{Type: "timestamp with time zone"}), "CAST(x AS timestamp with time zone)"},
		{"Cast user type", d.Cast("$2", tandem.Column{Type: `"S".mood`}), `CAST($2 AS "S".mood)`},
		{"Cast unknown", d.Cast("$2", tandem.Column{}), "$2"},
		{"CastText", d.CastText("c", tandem.Column{Type: "boolean"}), "CAST(c AS text)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNonTransactional(t *testing.T) {
	tests := []struct {
		stmt string
		want bool
	}{
		{"CREATE INDEX CONCURRENTLY i ON t (a)", true},
		{"create unique index concurrently if not exists i on t (a)", true},
		{"-- build it online\nCREATE INDEX /* no lock */ CONCURRENTLY i ON t (a)", true},
		{"CREATE INDEX i ON t (a)", false},
		{"CREATE INDEX concurrently_named ON t (a)", false},
		{`CREATE INDEX "concurrently" ON t (a)`, false},
		{"DROP INDEX CONCURRENTLY i", true},
		{"DROP INDEX i", false},
		{"REINDEX TABLE CONCURRENTLY t", true},
		{"REINDEX (VERBOSE, CONCURRENTLY) INDEX i", true},
		{"REINDEX TABLE t", false},
		{"REINDEX TABLE system", false},
		{"REINDEX SCHEMA s", true},
		{"REINDEX DATABASE d", true},
		{"VACUUM", true},
		{"vacuum (analyze) t", true},
		{"CREATE DATABASE d", true},
		{"DROP DATABASE IF EXISTS d", true},
		{"ALTER DATABASE d SET TABLESPACE x", true},
		{"ALTER DATABASE d SET work_mem = '1MB'", false},
		{"ALTER SYSTEM SET work_mem = '1MB'", true},
		{"CREATE TABLESPACE x LOCATION '/tmp'", true},
		{"DROP TABLESPACE x", true},
		{"ALTER TYPE mood ADD VALUE 'happy'", true},
		{"ALTER TYPE s.mood ADD VALUE IF NOT EXISTS 'happy' BEFORE 'sad'", true},
		{`ALTER TYPE "Mood" ADD VALUE 'x'`, true},
		{"ALTER TYPE pair ADD ATTRIBUTE value int", false},
		{"ALTER TYPE mood RENAME VALUE 'a' TO 'b'", false},
		{"REFRESH MATERIALIZED VIEW CONCURRENTLY mv", false},
		{"ALTER TABLE p DETACH PARTITION c CONCURRENTLY", true},
		{"ALTER TABLE p DETACH PARTITION c FINALIZE", true},
		{"ALTER TABLE p DETACH PARTITION c", false},
		{"CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p", true},
		{"CLUSTER", true},
		{"CLUSTER t USING i", false},
		{"DISCARD ALL", true},
		{"DISCARD PLANS", false},
		{"SELECT 'VACUUM'", false},
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

func FuzzNonTransactional(f *testing.F) {
	for _, s := range []string{"CREATE INDEX CONCURRENTLY i ON t (a)", "ALTER TYPE m ADD VALUE 'x'", "REINDEX (", "$$ VACUUM $$", "/* unterminated"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stmt string) {
		New().NonTransactional(stmt) // must not panic
	})
}

type sqlStateErr string

func (e sqlStateErr) Error() string    { return "pg error " + string(e) }
func (e sqlStateErr) SQLState() string { return string(e) }

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{sqlStateErr("55P03"), true},
		{sqlStateErr("40P01"), true},
		{fmt.Errorf("apply x: %w", sqlStateErr("55P03")), true},
		{sqlStateErr("42601"), false},
		{sqlStateErr("40001"), false},
		{errors.New("55P03"), false},
		{nil, false},
	}
	for _, tc := range tests {
		if got := New().Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestLockID(t *testing.T) {
	// The id must never change between releases: two versions of tandem deploying at once
	// must contend for the same lock.
	if got, want := lockID("deploy"), int64(-4008168303460666348); got != want {
		t.Errorf("lockID(deploy) = %d, want %d", got, want)
	}
	if lockID("deploy") == lockID("move") {
		t.Errorf("different keys share a lock id")
	}
}

func TestLiteral(t *testing.T) {
	d := New()
	at := time.Date(2026, 11, 21, 13, 5, 7, 123456000, time.FixedZone("x", 3600))
	cases := []struct {
		in   any
		want string
	}{
		{"plain", `E'plain'`},
		{`it's a \ back`, `E'it''s a \\ back'`},
		{"", `E''`},
		{42, "42"},
		{int64(-7), "-7"},
		{true, "true"},
		{nil, "NULL"},
		{at, `'2026-11-21 13:05:07.123456+01:00'::timestamptz`},
	}
	for _, c := range cases {
		got, err := d.Literal(c.in)
		if err != nil || got != c.want {
			t.Errorf("Literal(%#v) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []any{"nul\x00byte", 1.5} {
		if _, err := d.Literal(bad); err == nil {
			t.Errorf("Literal(%#v): want an error", bad)
		}
	}
}
