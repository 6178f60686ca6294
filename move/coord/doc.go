// Package coord drives an online table move through its phases (see shared/design/MOVES.md):
// Driver advances and rolls back a move once each phase's gate is met, waits for every live
// instance of the application to acknowledge a phase, restores a switch store that lost the
// move's state, and hands the authoritative table over under the write barrier. The data work
// of each phase (pre-flight check, bound, backfill, verification, repair, copy back) is the
// engine's, package move.
//
// Only the tandem command (and programs that coordinate moves) import it; the application's
// side is client and move/mirror, which never link this package.
//
// # Guarantees kept here
//
//   - Every phase change is a compare-and-set in the switch store, and becomes effective only
//     when every live instance that follows the move has acknowledged it (or a
//     *StragglersError names those that did not), followed by a grace period for requests
//     started under the old switches.
//   - When the authoritative table changes hands while instances switch one by one (the
//     rollback from write-b; the step to write-b across databases), a write barrier
//     (move.BarrierTable, in B's database) holds the application's writes in client.Mirror
//     from the switch until every instance acknowledged it and the other table caught up (the
//     rows written to B alone copied back; A's outbox copied to B). A handover that stopped
//     half way is finished, or its barrier lifted, by the next Advance or Rollback.
//   - Every transition is copied to tandem_move_transitions in B's database. A switch store
//     that lost a move's state (a Redis restarted without persistence) is restored from that
//     copy by the coordinator before anything else (Driver.Restore), and instances that read
//     the empty store hold their writes until then (move/mirror's RecordedEpoch).
package coord
