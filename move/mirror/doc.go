// Package mirror is the write path of an online table move inside the application: the dual
// write of a row to B in the application's own transaction (or its key to A's outbox across
// databases), the reverse log of the keys written to B alone, and the checks of whether the
// application's writes must wait (a handover under the write barrier; a switch store that lost
// the move's state). client.Mirror applies it under the switches in force.
//
// It imports the root package and the engine (package move) only: no YAML library, no
// net/http and not the coordinator (move/coord), so that every application that links client
// stays small; client's tests hold that.
//
// # Guarantees kept here
//
//   - A dual write in one database is made inside the application's transaction that wrote A,
//     with A's row read under a share lock, so a concurrent backfill batch cannot copy an older
//     version after it.
//   - Across databases the key goes to A's outbox in the same transaction, so a write is never
//     lost between A's commit and B: the coordinator's reconciler copies it.
//   - While B alone is written, every key written is logged in B's transaction, so a rollback
//     from write-b copies exactly those rows back to A.
//   - The application's writes wait while the coordinator's write barrier is up, and while the
//     switch store reads a move at epoch 0 that the audit copy in B's database says is further
//     (the store lost its state), until a coordinator restores it.
package mirror
