// Package postgres is tandem's PostgreSQL dialect: quoting, the history tables, advisory
// locks, which statements cannot run in a transaction, and reading the catalog to drop and
// inspect objects.
//
// It imports pgx for COPY only (LoadRows, on a pgx connection). Error codes are read through the SQLState() method that pgx's
// *pgconn.PgError (and lib/pq's *pq.Error) provide.
package postgres

import (
	"fmt"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
)

// Dialect is the PostgreSQL dialect. The zero value is ready to use; it holds no state and is
// safe for concurrent use.
type Dialect struct{}

// New returns the PostgreSQL dialect.
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

	_ tandem.BulkLoader   = Dialect{}
	_ tandem.Pipeliner    = Dialect{}
	_ tandem.RowHasher    = Dialect{}
	_ tandem.IndexBuilder = Dialect{}
	_ tandem.CopyRunner   = Dialect{}
)

// Name returns "postgres".
func (Dialect) Name() string { return "postgres" }

// Capabilities: DDL is transactional, there are schemas, and lock_timeout bounds lock waits.
func (Dialect) Capabilities() tandem.Capabilities {
	return tandem.Capabilities{TransactionalDDL: true, Schemas: true, LockTimeout: true, DataModifyingCTE: true, ConflictTarget: true}
}

// Syntax: INSERT ... ON CONFLICT, which acts on a conflict on the columns it names alone.
func (Dialect) Syntax() tandem.Syntax {
	return tandem.Syntax{
		SkipOnKey:   " ON CONFLICT ({key}) DO NOTHING",
		UpdateOnKey: " ON CONFLICT ({key}) DO UPDATE SET ",
		Skip:        " ON CONFLICT ({key}) DO NOTHING",
		Update:      " ON CONFLICT ({key}) DO UPDATE SET ",
		Inserted:    "excluded.{col}",
	}
}

// QuoteIdent quotes name with double quotes, doubling any inside it. The name keeps its case.
func (Dialect) QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Qualify renders "schema"."name", or "name" when schema is empty.
func (d Dialect) Qualify(schema, name string) string {
	if schema == "" {
		return d.QuoteIdent(name)
	}
	return d.QuoteIdent(schema) + "." + d.QuoteIdent(name)
}

// Placeholder renders $n.
func (Dialect) Placeholder(n int) string { return fmt.Sprintf("$%d", n) }

// CreateSchema renders CREATE SCHEMA IF NOT EXISTS.
func (d Dialect) CreateSchema(schema string) string {
	if schema == "" {
		return ""
	}
	return "CREATE SCHEMA IF NOT EXISTS " + d.QuoteIdent(schema)
}

// UseSchema sets search_path to schema alone, so that unqualified objects are created there
// and nothing resolves by accident to another schema. pg_catalog is always searched.
func (d Dialect) UseSchema(schema string) []string {
	if schema == "" {
		return nil
	}
	return []string{"SET search_path TO " + d.QuoteIdent(schema)}
}

// SessionSetup sets lock_timeout, so that a DDL statement queued behind a long transaction
// fails (and is retried) instead of blocking every other query on the table.
func (Dialect) SessionSetup(lockTimeout time.Duration) []string {
	if lockTimeout <= 0 {
		return nil
	}
	ms := lockTimeout.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	return []string{fmt.Sprintf("SET lock_timeout = '%dms'", ms)}
}

// ClientCheck makes the server check every second, while a statement runs, that the client is
// still connected, and cancel the statement when it is not (client_connection_check_interval,
// PostgreSQL 14 and later; older servers are left as they are).
func (Dialect) ClientCheck() []string {
	return []string{"SELECT set_config('client_connection_check_interval', '1s', false) WHERE current_setting('server_version_num')::int >= 140000"}
}

// quoteLiteral renders s as a standard string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
