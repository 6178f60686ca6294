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
// A Dialect holds no connection and is safe for concurrent use.
type Dialect interface {
	// Name is "postgres", "mysql" or "sqlite". It is the name used by includeDialects attributes
	// and by the lexer to pick its rules.
	Name() string
	// Capabilities describes the database as data, so that engines need no name checks.
	Capabilities() Capabilities

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
	// SessionSetup renders statements to run once on a deploy's connection, such as a lock
	// timeout. A zero lockTimeout means the database's default.
	SessionSetup(lockTimeout time.Duration) []string
	// HistoryDDL renders the statements that create tandem's history tables in schema (""
	// means the default schema) if they do not exist. See HistoryTables for their columns.
	HistoryDDL(schema string) []string

	// NonTransactional reports whether a statement cannot run inside a transaction block
	// (CREATE INDEX CONCURRENTLY, VACUUM, ...). The statement is one statement as split by the
	// lexer.
	NonTransactional(stmt string) bool
	// Retryable reports whether err is a lock wait that timed out (or a deadlock), after which
	// the same change may be retried from the start.
	Retryable(err error) bool

	// Lock takes the database-wide deploy lock named key on conn, waiting up to wait. It polls
	// without blocking the connection where the database needs that (PostgreSQL's
	// pg_try_advisory_lock). When the lock stays held it returns a *LockError that names the
	// holder where the database can tell. The returned function releases the lock.
	Lock(ctx context.Context, conn *sql.Conn, key string, wait time.Duration) (unlock func(context.Context) error, err error)

	// DropObject drops a stateless object (every overload of a function or procedure) or a
	// table or sequence, in the given physical schema. An object that does not exist is not an
	// error; any other failure is.
	DropObject(ctx context.Context, q Querier, schema string, typ ObjectType, name string) error
	// Columns describes a table's columns in ordinal order, or returns an error wrapping
	// ErrNotFound when the table does not exist.
	Columns(ctx context.Context, q Querier, schema, table string) ([]Column, error)
	// Cast renders expr (a bind parameter or a column) converted to the column's type, as the
	// database accepts it in an INSERT, UPDATE or comparison.
	Cast(expr string, col Column) string
	// CastText renders expr converted to its canonical text form, so that values read back can
	// be compared with CSV text.
	CastText(expr string, col Column) string

	// Inspect describes every object in the given physical schemas, for drift checks and for
	// tests that compare two databases.
	Inspect(ctx context.Context, q Querier, schemas []string) (*Snapshot, error)
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
	// tandem never uses to copy rows.
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

// Pipeliner is implemented by dialects whose driver sends a text of several statements,
// separated by semicolons, in one round trip (PostgreSQL's simple query protocol), so that an
// engine can send a change, its history rows and the COMMIT together. Literal renders one
// value (string, integer, time.Time) as SQL text that reads back as the same value, whatever
// the session's settings.
type Pipeliner interface {
	Literal(v any) (string, error)
}

// LockMode is how a SELECT locks the rows it reads.
type LockMode int

const (
	// LockShare blocks every write of the rows by others until the transaction ends (FOR
	// SHARE, LOCK IN SHARE MODE).
	LockShare LockMode = iota + 1
	// LockKeyShare blocks deletes and key changes only (PostgreSQL's FOR KEY SHARE), so that
	// updates of other columns need not wait; the share lock where nothing weaker exists.
	LockKeyShare
	// LockUpdate locks the rows as an update would (FOR UPDATE).
	LockUpdate
)

// RowLocker is implemented by dialects whose SELECT can lock the rows it reads. Without it, a
// write transaction already excludes every other writer (SQLite).
type RowLocker interface {
	// LockClause renders the clause appended to a SELECT to lock its rows in mode, with a
	// leading space.
	LockClause(mode LockMode) string
}

// ColumnKind names a kind of column that tandem's own tables (checkpoints, logs, the SQL
// switch store) use.
type ColumnKind int

const (
	// TextColumn holds text of any length.
	TextColumn ColumnKind = iota + 1
	// KeyColumn holds text of up to 255 characters that can be part of a primary key and
	// compares case-sensitively.
	KeyColumn
	// TimeColumn holds an instant (with its time zone, or as UTC text).
	TimeColumn
	// SerialKeyColumn is a whole column definition: an auto-incrementing 64-bit primary key.
	SerialKeyColumn
)

// ColumnTyper is implemented by dialects that can hold tandem's own tables.
type ColumnTyper interface {
	// ColumnType renders the type of a column of kind k (for SerialKeyColumn, the type and
	// its PRIMARY KEY clause).
	ColumnType(k ColumnKind) string
}

// Index is an index of a table: its name and its columns in order.
type Index struct {
	Name    string
	Columns []string
}

// IndexReader is implemented by dialects that can list a table's unique indexes.
type IndexReader interface {
	// UniqueIndexes lists the unique indexes of schema.table other than its primary key, on
	// plain columns only (not expressions, not partial), in name order.
	UniqueIndexes(ctx context.Context, q Querier, schema, table string) ([]Index, error)
}

// RowHasher is implemented by dialects that can sum 64-bit hashes of rows in a query, so that
// two tables are compared without reading their rows out.
type RowHasher interface {
	// RowHashSum renders an aggregate expression over the rows of a query: the sum of a 64-bit
	// hash of the values of exprs (of the given columns' types), as text. NULL and the empty
	// string, and values that only concatenate alike, hash apart.
	RowHashSum(exprs []string, cols []Column) string
}

// LoadProbe is implemented by dialects that can say how loaded a database is, for throttling.
type LoadProbe interface {
	// ReplicaLagQuery returns a query giving the largest replication lag in seconds (a float),
	// or "" where the primary cannot tell.
	ReplicaLagQuery() string
	// ActiveSessionsQuery returns a query counting the other sessions of the current database
	// that are running a statement, or "" where there are none to count.
	ActiveSessionsQuery() string
}

// ScanIndexes runs stmt, which returns (index name, column name) rows ordered by index and
// column position, and groups them into indexes. An index with a part whose column name is
// empty (an expression) is left out. Dialects share it to implement IndexReader.
func ScanIndexes(ctx context.Context, q Querier, stmt string, args ...any) ([]Index, error) {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		out  []Index
		skip = map[string]bool{}
	)
	for rows.Next() {
		var name, col string
		if err := rows.Scan(&name, &col); err != nil {
			return nil, err
		}
		if col == "" {
			skip[name] = true
		}
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, Index{Name: name})
		}
		out[len(out)-1].Columns = append(out[len(out)-1].Columns, col)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, ix := range out {
		if !skip[ix.Name] {
			kept = append(kept, ix)
		}
	}
	return kept, nil
}

// SequenceAligner is implemented by dialects whose tables generate keys (sequences, identity,
// AUTO_INCREMENT), so that a table about to receive new rows never hands out a key at or
// below one already used elsewhere.
type SequenceAligner interface {
	// AlignSequence moves the generator behind schema.table's column past past, never
	// backwards. A column without a generator is left alone, without an error.
	AlignSequence(ctx context.Context, q Querier, schema, table, column string, past int64) error
}

// Fingerprinter is implemented by dialects that can describe a few named objects of a schema
// cheaply, without inspecting all of it: the deploy engine fingerprints what a statement that
// commits on its own names, before running it, so that a rerun after a crash can tell whether
// it ran.
type Fingerprinter interface {
	// Fingerprint returns a text that changes whenever a table, view, routine, trigger or
	// schema named in names (case-insensitively) is created, dropped or altered (its
	// columns, indexes, constraints, definition). Names that match nothing are allowed.
	Fingerprint(ctx context.Context, q Querier, schema string, names []string) (string, error)
}

// BulkLoader is implemented by dialects that load many rows faster than INSERT does
// (PostgreSQL's COPY).
type BulkLoader interface {
	// LoadRows inserts rows (the values of cols, in order) into schema.table on conn, inside
	// the transaction open on it. Any conflict fails it; a failure leaves that transaction to
	// be rolled back. It returns ErrNotSupported when conn's driver cannot (the caller then
	// inserts).
	LoadRows(ctx context.Context, conn *sql.Conn, schema, table string, cols []string, rows [][]any) error
}

// Placeholders renders n bind parameters of d from the first-th on, comma-separated: "$3, $4"
// or "?, ?".
func Placeholders(d Dialect, first, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = d.Placeholder(first + i)
	}
	return strings.Join(parts, ", ")
}
