package move

import (
	"database/sql"

	"github.com/tandem-db/tandem"
)

// flavor gathers what the move engine asks of a database beyond rendering names, read once
// from its dialect: the lock clauses (tandem.RowLocker) and the transactions' isolation.
type flavor struct {
	// shareLock and updateLock are appended to a SELECT to lock the rows it reads; empty where
	// a write transaction already excludes every other writer (SQLite).
	shareLock, updateLock string
	// batchLock is appended to the SELECT of a backfill batch: tandem.LockKeyShare, which on
	// PostgreSQL (FOR KEY SHARE) blocks the application's deletes (and key changes) of the
	// slice until the batch commits, which is what stops a deleted row from being copied back,
	// but not its updates of other columns, which are safe because the application's write to
	// B is a full-row upsert (see copyKeyIn). Elsewhere it is the share lock.
	batchLock string
	// tx is how batch transactions begin: READ COMMITTED where the default would take gap
	// locks (MySQL), so that each statement sees rows committed since the last one.
	tx *sql.TxOptions
}

func flavorOf(d tandem.Dialect) flavor {
	f := flavor{shareLock: d.LockClause(tandem.LockShare), updateLock: d.LockClause(tandem.LockUpdate), batchLock: d.LockClause(tandem.LockKeyShare)}
	if d.Capabilities().RepeatableReadGaps {
		f.tx = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return f
}

// columnType names a column type for the move's own tables (tandem.ColumnTyper).
func columnType(d tandem.Dialect, k tandem.ColumnKind) string { return d.ColumnType(k) }

// skipOnKey renders the tail of an INSERT into B that skips the rows whose primary key B
// already has, any other unique violation still failing it (tandem.Syntax.SkipOnKey); "" where
// B's database has no form that acts on one key alone.
func (r *route) skipOnKey() string {
	tail, _ := r.dst.Dialect.Syntax().UpsertOnKey(joinNames(r.dst.Dialect, "", r.dstKey))
	return tail
}
