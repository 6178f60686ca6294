// Package move is the data engine of an online table move (see shared/design/MOVES.md): given a
// definition (tandem.MoveDefinition, read from moves/<name>.yaml by project.Load), it checks a
// move before it starts, fixes the backfill's upper bound, copies the rows of the old table A
// into the new table B in checkpointed batches, verifies that B equals mapping(A), repairs the
// rows that differ, and copies rows back from B to A for a rollback from write-b. It also owns
// the move's tables in both databases (checkpoint, reverse log, outbox, write barrier, audit
// copy).
//
// The package takes a *sql.DB and a tandem.Dialect for each side; it imports no driver and no
// dialect, no YAML library and no net/http. Around it:
//
//   - move/coord drives the phases (gates, acknowledgements, restore, the handover under the
//     write barrier); this package is what it calls in the backfill, verified and rollback
//     phases.
//   - move/mirror is the application's write path, which client uses without the coordinator.
//   - move/metrics exports a backfill's progress for Prometheus.
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
//
// The guarantees of the handover (the write barrier) and of the audit copy are move/coord's
// and move/mirror's.
package move
