// Package move is the data side of an online table move (see shared/design/MOVES.md): it reads
// move definitions (moves/<name>.yaml), checks a move before it starts, fixes the backfill's
// upper bound, copies the rows of the old table A into the new table B in checkpointed batches,
// verifies that B equals mapping(A), repairs the rows that differ, and copies rows back from B
// to A for a rollback from write-b.
//
// The package takes a *sql.DB and a tandem.Dialect for each side; it imports no driver and no
// dialect. The phase machine, the switch store and the fleet are the coordinator's business;
// this package is what the coordinator calls in the backfill, verified and rollback phases.
//
// # Guarantees kept here
//
//   - The backfill inserts only rows that B lacks, with the primary key as the only conflict
//     that is skipped: NOT EXISTS, and on PostgreSQL ON CONFLICT (pk) DO NOTHING when a batch is
//     retried after a primary key race (not on the first attempt: it doubles the cost of a row,
//     and under the share lock NOT EXISTS suffices). A collision on any other unique key of B
//     fails the batch with a *UniqueConflictError naming the A keys: never REPLACE, INSERT
//     IGNORE or ON DUPLICATE KEY UPDATE, which lose data silently.
//   - When A and B share a database, a batch reads its slice of A under a share lock in the
//     same transaction in which it writes B, so an application write to a row of the slice
//     waits for the batch (and the application's own full-row upsert into B comes after it).
//   - Each batch's checkpoint (in the table tandem_move_checkpoint, in B's database) commits in
//     the batch's transaction, so a crash at any point neither loses nor repeats a row.
//   - Verification compares chunks of about 10,000 keys by row count and a sum of 64-bit row
//     hashes, computed inside PostgreSQL and MySQL; SQLite has no md5(), and databases of two
//     engines render values differently, so there the rows are streamed and hashed in Go from
//     normalized values. Chunks that differ are re-checked until stable, then compared row by
//     row.
//   - When the authoritative table changes hands while instances switch one by one (the
//     rollback from write-b; the step to write-b across databases), a write barrier
//     (tandem_move_barrier, in B's database) holds the application's writes in client.Mirror
//     from the switch until every instance acknowledged it and the other table caught up (the
//     rows written to B alone copied back; A's outbox copied to B).
//   - Every transition is copied to tandem_move_transitions in B's database. A switch store
//     that lost a move's state (a Redis restarted without persistence) is restored from that
//     copy by the coordinator before anything else (Coordinator.Restore), and instances that
//     read the empty store hold their writes until then.
package move
