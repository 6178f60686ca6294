package move

import (
	"database/sql"

	"github.com/tandem-db/tandem"
)

// flavor gathers what the move engine asks of a database beyond tandem.Dialect, read once from
// the dialect's optional interfaces (tandem.RowLocker) and capabilities.
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
	// onConflictPK: INSERT ... ON CONFLICT (pk) DO NOTHING skips a conflict on the primary key
	// only, every other unique violation still raising an error (tandem.Capabilities
	// ConflictTarget).
	onConflictPK bool
	// tx is how batch transactions begin: READ COMMITTED where the default would take gap
	// locks (MySQL), so that each statement sees rows committed since the last one.
	tx *sql.TxOptions
}

func flavorOf(d tandem.Dialect) flavor {
	caps := d.Capabilities()
	f := flavor{onConflictPK: caps.ConflictTarget}
	if rl, ok := d.(tandem.RowLocker); ok {
		f.shareLock, f.updateLock, f.batchLock = rl.LockClause(tandem.LockShare), rl.LockClause(tandem.LockUpdate), rl.LockClause(tandem.LockKeyShare)
	}
	if caps.RepeatableReadGaps {
		f.tx = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return f
}

// columnType names a column type for the move's own tables, with generic SQL where the
// dialect does not say (tandem.ColumnTyper).
func columnType(d tandem.Dialect, k tandem.ColumnKind) string {
	if ct, ok := d.(tandem.ColumnTyper); ok {
		return ct.ColumnType(k)
	}
	switch k {
	case tandem.KeyColumn:
		return "varchar(255)"
	case tandem.TimeColumn:
		return "timestamp"
	case tandem.SerialKeyColumn:
		return "bigint PRIMARY KEY"
	}
	return "text"
}
