package move

import (
	"database/sql"

	"github.com/tandem-db/tandem"
)

// flavor holds what the move engine needs to know about a database beyond tandem.Dialect:
// lock clauses, the conflict clause, the row hash, load statistics. It is the one place that
// looks at the dialect's name; these facts could move into the dialects as an optional
// interface once a second engine needs them.
type flavor struct {
	name string
	// shareLock and updateLock are appended to a SELECT to lock the rows it reads; empty where
	// a write transaction already excludes every other writer (SQLite).
	shareLock, updateLock string
	// batchLock is appended to the SELECT of a backfill batch. On PostgreSQL it is FOR KEY
	// SHARE: it blocks the application's deletes (and key changes) of the slice until the batch
	// commits, which is what stops a deleted row from being copied back, but not its updates of
	// other columns, which are safe because the application's write to B is a full-row upsert
	// (see copyKeyIn). Elsewhere it is the share lock.
	batchLock string
	// onConflictPK: INSERT ... ON CONFLICT (pk) DO NOTHING skips a conflict on the primary key
	// only, every other unique violation still raising an error (PostgreSQL).
	onConflictPK bool
	// tx is how batch transactions begin: READ COMMITTED on MySQL, so that each statement sees
	// rows committed since the last one and takes no gap locks on A.
	tx *sql.TxOptions
}

func flavorOf(d tandem.Dialect) flavor {
	switch d.Name() {
	case "postgres":
		return flavor{name: "postgres", shareLock: " FOR SHARE", updateLock: " FOR UPDATE", batchLock: " FOR KEY SHARE", onConflictPK: true}
	case "mysql":
		return flavor{name: "mysql", shareLock: " LOCK IN SHARE MODE", updateLock: " FOR UPDATE", batchLock: " LOCK IN SHARE MODE", tx: &sql.TxOptions{Isolation: sql.LevelReadCommitted}}
	}
	return flavor{name: d.Name()}
}
