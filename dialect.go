package tandem

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Querier is what tandem needs from a database handle. *sql.DB, *sql.Tx and *sql.Conn all
// satisfy it, so the same code runs inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Dialect says what is different about one database. It renders statements and answers
// questions; the engines execute. Implementations live in dialect/postgres, dialect/mysql and
// dialect/sqlite, and all pass the conformance suite in dialect/dialecttest.
//
// The contract is composed of small required interfaces, each of which every dialect
// implements, so that renaming a method breaks the build of every dialect instead of silently
// switching an engine to a fallback. A few optional interfaces remain, each a genuine fast path
// or the remedy for one database's hazard, with a correct generic behaviour where it is missing:
// BulkLoader, Pipeliner, Fingerprinter and RowHasher (fast paths); IndexBuilder, ChangeGuard,
// CopyRunner and ValueTester (what one database needs or offers). dialecttest.Provides states,
// for each dialect, which of them it must provide.
//
// A Dialect holds no connection and is safe for concurrent use.
type Dialect interface {
	Renderer
	Caster
	SessionKeeper
	Locker
	ErrorClassifier
	Catalog
	Mover
}

// Renderer renders the statements and names whose text differs between databases, without I/O.
type Renderer interface {
	// Name is "postgres", "mysql" or "sqlite". It is the name used by includeDialects attributes
	// and by the lexer to pick its rules.
	Name() string
	// Capabilities describes the database as data, so that engines need no name checks.
	Capabilities() Capabilities
	// Syntax holds the database's fixed SQL forms (upserts), so that engines compose
	// statements from them instead of choosing a form from a capability.
	Syntax() Syntax

	// QuoteIdent quotes one identifier.
	QuoteIdent(name string) string
	// Qualify renders schema.name, quoted; an empty schema (or a database without schemas) gives
	// the quoted name alone.
	Qualify(schema, name string) string
	// Placeholder renders the n-th (1-based) bind parameter: $1 or ?.
	Placeholder(n int) string

	// CreateSchema renders the statement that creates a schema if it does not exist, or "" where
	// the database has no schemas.
	CreateSchema(schema string) string
	// UseSchema renders the statements that make unqualified names resolve to schema for the
	// rest of the session (SET search_path, USE).
	UseSchema(schema string) []string
	// HistoryDDL renders the statements that create tandem's history tables in schema (""
	// means the default schema) if they do not exist. See HistoryTables for their columns.
	HistoryDDL(schema string) []string

	// NonTransactional reports whether a statement cannot run inside a transaction block
	// (CREATE INDEX CONCURRENTLY, VACUUM, ...). The statement is one statement as split by the
	// lexer.
	NonTransactional(stmt string) bool
}

// Caster converts values to and from a column's type in SQL, and says which texts are no value
// of a type where the database's own casts do not.
type Caster interface {
	// Cast renders expr (a bind parameter or a column) converted to the column's type, as the
	// database accepts it in an INSERT, UPDATE or comparison.
	Cast(expr string, col Column) string
	// CastText renders expr converted to its canonical text form, so that values read back can
	// be compared with CSV text.
	CastText(expr string, col Column) string
	ValueChecker
}

// ValueChecker refuses the text of a static data value that is no value of its column's type
// before any row is written. Where the database's cast accepts such text (SQLite's
// CAST('eighty' AS INTEGER) is 0; MySQL's is 0 with a warning), CheckValue refuses it and its
// error says how to write the value; where the cast itself refuses it (PostgreSQL), CheckValue
// accepts every text and the cast finds the bad value.
type ValueChecker interface {
	CheckValue(col Column, v string) error
}

// SessionKeeper sets up a deploy's connection, brings it back between changes, and sees what
// other sessions run.
type SessionKeeper interface {
	// SessionSetup renders statements to run once on a deploy's connection, such as a lock
	// timeout. A zero lockTimeout means the database's default.
	SessionSetup(lockTimeout time.Duration) []string
	ClientChecker
	SessionResetter
	StatementWatcher
}

// ClientChecker renders what makes the server end a statement whose client went away
// (PostgreSQL 14's client_connection_check_interval), so that a killed deploy does not leave a
// long statement, such as an index build, running on without it.
type ClientChecker interface {
	// ClientCheck renders the statements to run once on a deploy's connection; none where the
	// database offers no such check.
	ClientCheck() []string
}

// Locker takes the database-wide deploy lock.
type Locker interface {
	// Lock takes the database-wide deploy lock named key on conn, waiting up to wait. It polls
	// without blocking the connection where the database needs that (PostgreSQL's
	// pg_try_advisory_lock). When the lock stays held it returns a *LockError that names the
	// holder where the database can tell. The returned function releases the lock.
	Lock(ctx context.Context, conn *sql.Conn, key string, wait time.Duration) (unlock func(context.Context) error, err error)
}

// ErrorClassifier reads the database's errors.
type ErrorClassifier interface {
	// Retryable reports whether err is a lock wait that timed out (or a deadlock), after which
	// the same change may be retried from the start.
	Retryable(err error) bool
}

// Capabilities describes a database as data.
type Capabilities struct {
	// TransactionalDDL: DDL runs inside a transaction and rolls back with it, so a change and its
	// history row commit together (PostgreSQL, SQLite). Without it (MySQL), DDL commits
	// implicitly and progress is recorded statement by statement.
	TransactionalDDL bool
	// Schemas: the database has named schemas (or MySQL databases) that a project maps to.
	Schemas bool
	// LockTimeout: statements can be bounded by a lock wait timeout and retried.
	LockTimeout bool
	// SchemaIsDatabase: a schema is a whole database (MySQL), shared by everything on the
	// server, rather than a namespace inside the database the URL names.
	SchemaIsDatabase bool
	// DataModifyingCTE: a WITH clause may hold an INSERT (PostgreSQL), so that two history rows
	// are written in one round trip.
	DataModifyingCTE bool
	// ConflictTarget: INSERT ... ON CONFLICT (columns) DO NOTHING | DO UPDATE acts on a conflict
	// on those columns alone, any other unique violation still failing the statement
	// (PostgreSQL, SQLite). Without it (MySQL), the only upsert acts on every unique key, which
	// tandem never uses to copy rows. The forms themselves are Syntax's SkipOnKey and
	// UpdateOnKey, which are "" exactly where ConflictTarget is false.
	ConflictTarget bool
	// RepeatableReadGaps: transactions default to REPEATABLE READ with gap locks (InnoDB), so
	// short copying transactions ask for READ COMMITTED instead.
	RepeatableReadGaps bool
}

// Column describes one column of a table.
type Column struct {
	Name       string
	Type       string // the type as the catalog writes it, e.g. "integer", "varchar(30)"
	Nullable   bool
	PrimaryKey int // 1-based position in the primary key; 0 when not part of it
}

// Dialects maps a database name to its Dialect. The dialect packages do not register
// themselves; a program (cmd/tandem, or a test) builds the map it needs.
type Dialects map[string]Dialect

// Standard lock and timing defaults shared by the engines.
const (
	DefaultLockWait    = 60 * time.Second
	DefaultLockTimeout = 5 * time.Second
)

// Placeholders renders n bind parameters of d from the first-th on, comma-separated: "$3, $4"
// or "?, ?".
func Placeholders(d Dialect, first, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = d.Placeholder(first + i)
	}
	return strings.Join(parts, ", ")
}
