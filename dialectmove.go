package tandem

import "context"

// Mover is what online table moves, and tandem's own tables (the SQL switch store, a move's
// checkpoints and logs), need from a database: row locks, the column types of tandem's own
// tables, load probes for throttling and the alignment of key generators.
type Mover interface {
	RowLocker
	ColumnTyper
	LoadProbe
	SequenceAligner
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

// RowLocker renders how a SELECT locks the rows it reads.
type RowLocker interface {
	// LockClause renders the clause appended to a SELECT to lock its rows in mode, with a
	// leading space, or "" where a write transaction already excludes every other writer
	// (SQLite).
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

// ColumnTyper names the column types of tandem's own tables.
type ColumnTyper interface {
	// ColumnType renders the type of a column of kind k (for SerialKeyColumn, the type and
	// its PRIMARY KEY clause).
	ColumnType(k ColumnKind) string
}

// LoadProbe says how loaded a database is, for throttling.
type LoadProbe interface {
	// ReplicaLagQuery returns a query giving the largest replication lag in seconds (a float),
	// or "" where the primary cannot tell.
	ReplicaLagQuery() string
	// ActiveSessionsQuery returns a query counting the other sessions of the current database
	// that are running a statement, or "" where there are none to count.
	ActiveSessionsQuery() string
}

// SequenceAligner moves the key generators of tables (sequences, identity, AUTO_INCREMENT,
// SQLite's rowid), so that a table about to receive new rows never hands out a key at or below
// one already used elsewhere.
type SequenceAligner interface {
	// AlignSequence moves the generator behind schema.table's column past past, never
	// backwards. A column without a generator is left alone, without an error.
	AlignSequence(ctx context.Context, q Querier, schema, table, column string, past int64) error
}
