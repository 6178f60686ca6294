package mysql

import (
	"errors"
	"fmt"
	"testing"
	"time"

	driver "github.com/go-sql-driver/mysql"
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
		{"QuoteIdent", d.QuoteIdent("a `b`"), "`a ``b```"},
		{"Qualify", d.Qualify("Sales", "order"), "`Sales`.`order`"},
		{"Qualify no schema", d.Qualify("", "t"), "`t`"},
		{"Placeholder", d.Placeholder(3), "?"},
		{"CreateSchema", d.CreateSchema("s"), "CREATE DATABASE IF NOT EXISTS `s` CHARACTER SET utf8mb4"},
		{"UseSchema", d.UseSchema("s"), []string{"USE `s`"}},
		{"SessionSetup", d.SessionSetup(5 * time.Second), []string{"SET SESSION lock_wait_timeout = 5", "SET SESSION innodb_lock_wait_timeout = 5"}},
		{"SessionSetup rounds up", d.SessionSetup(200 * time.Millisecond), []string{"SET SESSION lock_wait_timeout = 1", "SET SESSION innodb_lock_wait_timeout = 1"}},
		{"SessionSetup zero", d.SessionSetup(0), []string(nil)},
		{"Capabilities", d.Capabilities(), tandem.Capabilities{TransactionalDDL: false, Schemas: true, LockTimeout: true, SchemaIsDatabase: true, RepeatableReadGaps: true}},
		{"NonTransactional", d.NonTransactional("CREATE INDEX i ON t (a)"), false},
		{"lockName", lockName("shop", "deploy"), "tandem/shop/deploy"},
		{"lockName long", len(lockName("shop", string(make([]byte, 100)))) <= 64, true},
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
		{"int(11)", "CAST(? AS SIGNED)", "CAST(? AS CHAR)"},
		{"int", "CAST(? AS SIGNED)", "CAST(? AS CHAR)"},
		{"bigint(20) unsigned", "CAST(? AS UNSIGNED)", "CAST(? AS CHAR)"},
		{"tinyint(4)", "CAST(? AS SIGNED)", "CAST(? AS CHAR)"},
		{"tinyint(1)", "ELT(FIELD(LOWER(?), " + boolWords + "), " + boolValues + ")", "ELT((? <> 0) + 1, 'false', 'true')"},
		{"decimal(10,2)", "CAST(? AS DECIMAL(10,2))", "CAST(? AS CHAR)"},
		{"date", "CAST(? AS DATE)", "CAST(? AS CHAR)"},
		{"datetime(6)", "CAST(? AS DATETIME(6))", "CAST(? AS CHAR)"},
		{"timestamp", "CAST(? AS DATETIME)", "CAST(? AS CHAR)"},
		{"time(3)", "CAST(? AS TIME(3))", "CAST(? AS CHAR)"},
		{"json", "CAST(? AS JSON)", "CAST(? AS CHAR)"},
		{"longtext", "?", "CAST(? AS CHAR)"},
		{"varchar(30)", "?", "CAST(? AS CHAR)"},
		{"enum('a','b')", "?", "CAST(? AS CHAR)"},
		{"double", "?", "CAST(? AS CHAR)"},
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

func FuzzParseType(f *testing.F) {
	for _, s := range []string{"int(11)", "bigint(20) unsigned zerofill", "enum('a','b)')", "decimal(", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typ string) {
		New().Cast("?", tandem.Column{Type: typ}) // must not panic
		New().CastText("?", tandem.Column{Type: typ})
	})
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&driver.MySQLError{Number: 1205}, true},
		{&driver.MySQLError{Number: 1213}, true},
		{fmt.Errorf("apply: %w", &driver.MySQLError{Number: 1205}), true},
		{&driver.MySQLError{Number: 1064}, false},
		{errors.New("Error 1205"), false},
		{nil, false},
	}
	for _, tc := range tests {
		if got := New().Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
