package tandem

import (
	"context"
	"database/sql"
)

// The optional fast paths. Each is a faster way to do what the engines otherwise do with the
// required interfaces alone, and correctly: a dialect implements one only where its database
// offers the faster way, states it with a compile-time check, and its conformance test states
// it with dialecttest.Provides.

// Pipeliner is implemented by dialects whose driver sends a text of several statements,
// separated by semicolons, in one round trip (PostgreSQL's simple query protocol), so that an
// engine can send a change, its history rows and the COMMIT together. Literal renders one
// value (string, integer, time.Time) as SQL text that reads back as the same value, whatever
// the session's settings.
type Pipeliner interface {
	Literal(v any) (string, error)
}

// RowHasher is implemented by dialects that can sum 64-bit hashes of rows in a query, so that
// two tables are compared without reading their rows out (without it, a move's verification
// reads both sides' rows and hashes them itself).
type RowHasher interface {
	// RowHashSum renders an aggregate expression over the rows of a query: the sum of a 64-bit
	// hash of the values of exprs (of the given columns' types), as text. NULL and the empty
	// string, and values that only concatenate alike, hash apart.
	RowHashSum(exprs []string, cols []Column) string
}

// Fingerprinter is implemented by dialects that can describe a few named objects of a schema
// cheaply, without inspecting all of it: the deploy engine fingerprints what a statement that
// commits on its own names, before running it, so that a rerun after a crash can tell whether
// it ran (without it, the engine fingerprints the whole schema with Inspect).
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
