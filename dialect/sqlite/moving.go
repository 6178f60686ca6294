package sqlite

import (
	"context"

	"github.com/tandem-db/tandem"
)

// LockClause returns "" whatever the mode: SQLite locks the whole database for a writer, so a
// write transaction already excludes every other writer.
func (Dialect) LockClause(tandem.LockMode) string { return "" }

// ReplicaLagQuery returns "": SQLite has no replicas.
func (Dialect) ReplicaLagQuery() string { return "" }

// ActiveSessionsQuery returns "": SQLite has no other sessions to count.
func (Dialect) ActiveSessionsQuery() string { return "" }

// ColumnType names text (times as text too) and an AUTOINCREMENT key.
func (Dialect) ColumnType(k tandem.ColumnKind) string {
	if k == tandem.SerialKeyColumn {
		return "integer PRIMARY KEY AUTOINCREMENT"
	}
	return "text"
}

// UniqueIndexes reads pragma_index_list and pragma_index_info (an expression part has no
// name and leaves its index out). SQLite has one schema per file; schema is ignored.
func (Dialect) UniqueIndexes(ctx context.Context, q tandem.Querier, _ string, table string) ([]tandem.Index, error) {
	const stmt = `SELECT il.name, coalesce(ii.name, '') FROM pragma_index_list(?) il JOIN pragma_index_info(il.name) ii
WHERE il."unique" = 1 AND il.origin <> 'pk' AND il.partial = 0 ORDER BY il.name, ii.seqno`
	return tandem.ScanIndexes(ctx, q, stmt, table)
}

// AlignSequence raises the table's AUTOINCREMENT counter in sqlite_sequence. A table without
// AUTOINCREMENT takes max(rowid)+1, which is past every key it holds: nothing to do.
func (Dialect) AlignSequence(ctx context.Context, q tandem.Querier, _, table, _ string, past int64) error {
	// An error means there is no sqlite_sequence: no AUTOINCREMENT table in the database.
	_, _ = q.ExecContext(ctx, "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", past, table)
	return nil
}
