// Package mysql is tandem's MySQL and MariaDB dialect: quoting, the history tables, GET_LOCK
// locks, lock wait timeouts, and reading information_schema to drop and inspect objects.
//
// A MySQL "schema" is a database. DDL commits implicitly, so Capabilities().TransactionalDDL
// is false and the deploy engine records progress statement by statement.
//
// The package imports github.com/go-sql-driver/mysql for its error type only (to read error
// numbers in Retryable); it opens no connection itself.
package mysql

import (
	"fmt"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
)

// Dialect is the MySQL/MariaDB dialect. The zero value is ready to use; it holds no state and
// is safe for concurrent use.
type Dialect struct{}

// New returns the MySQL/MariaDB dialect.
func New() Dialect { return Dialect{} }

// The required parts of tandem.Dialect, and the optional interfaces this dialect provides (its
// conformance test states the same with dialecttest.Provides).
var (
	_ tandem.Dialect         = Dialect{}
	_ tandem.Renderer        = Dialect{}
	_ tandem.Caster          = Dialect{}
	_ tandem.SessionKeeper   = Dialect{}
	_ tandem.Locker          = Dialect{}
	_ tandem.ErrorClassifier = Dialect{}
	_ tandem.Catalog         = Dialect{}
	_ tandem.Mover           = Dialect{}

	_ tandem.Fingerprinter = Dialect{}
	_ tandem.RowHasher     = Dialect{}
)

// Name returns "mysql".
func (Dialect) Name() string { return "mysql" }

// Capabilities: DDL commits implicitly, databases act as schemas, and lock_wait_timeout bounds
// lock waits.
func (Dialect) Capabilities() tandem.Capabilities {
	return tandem.Capabilities{TransactionalDDL: false, Schemas: true, LockTimeout: true, SchemaIsDatabase: true, RepeatableReadGaps: true}
}

// Syntax: INSERT ... ON DUPLICATE KEY UPDATE, which acts on a conflict on any unique key, so
// there is no form that skips or updates on one key alone (SkipOnKey and UpdateOnKey are "").
func (Dialect) Syntax() tandem.Syntax {
	return tandem.Syntax{
		Skip:     " ON DUPLICATE KEY UPDATE {key} = {key}",
		Update:   " ON DUPLICATE KEY UPDATE ",
		Inserted: "VALUES({col})",
	}
}

// QuoteIdent quotes name with backticks, doubling any inside it.
func (Dialect) QuoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// Qualify renders `schema`.`name`, or `name` when schema is empty (the current database).
func (d Dialect) Qualify(schema, name string) string {
	if schema == "" {
		return d.QuoteIdent(name)
	}
	return d.QuoteIdent(schema) + "." + d.QuoteIdent(name)
}

// Placeholder renders ?.
func (Dialect) Placeholder(int) string { return "?" }

// CreateSchema renders CREATE DATABASE IF NOT EXISTS with the utf8mb4 character set, so that
// every Unicode character fits whatever the server's default.
func (d Dialect) CreateSchema(schema string) string {
	if schema == "" {
		return ""
	}
	return "CREATE DATABASE IF NOT EXISTS " + d.QuoteIdent(schema) + " CHARACTER SET utf8mb4"
}

// UseSchema renders USE.
func (d Dialect) UseSchema(schema string) []string {
	if schema == "" {
		return nil
	}
	return []string{"USE " + d.QuoteIdent(schema)}
}

// SessionSetup bounds both metadata lock waits (lock_wait_timeout, which DDL waits on) and row
// lock waits (innodb_lock_wait_timeout), in whole seconds rounded up, at least 1.
func (Dialect) SessionSetup(lockTimeout time.Duration) []string {
	if lockTimeout <= 0 {
		return nil
	}
	s := int64((lockTimeout + time.Second - 1) / time.Second)
	return []string{
		fmt.Sprintf("SET SESSION lock_wait_timeout = %d", s),
		fmt.Sprintf("SET SESSION innodb_lock_wait_timeout = %d", s),
	}
}

// NonTransactional always reports false: MySQL commits DDL implicitly, so the deploy engine
// never relies on a transaction around it, and no statement needs to leave one.
func (Dialect) NonTransactional(string) bool { return false }

// quoteLiteral renders s as a string literal that is safe whatever sql_mode says about
// backslashes.
func quoteLiteral(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
