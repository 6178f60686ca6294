// Package client is the library an application links to follow online table moves safely.
//
// An application instance creates one Client at start-up with the moves it takes part in. The
// Client registers the instance in the switch store (instance id, code version), heartbeats, and
// keeps the switches of every move in memory: reading them (Switches) costs no network round trip
// and no allocation. The cache is refreshed by the store's notifications, and by polling as a
// fallback; when the store cannot be reached, the last known switches stay in force, so an
// instance never falls back to a state that stops writing the authoritative table.
//
// Each heartbeat carries the epoch of every move as this instance runs it. The coordinator waits
// until every live instance has acknowledged a new epoch before it declares a phase effective.
//
// Writes follow the switches through Mirror (see mirror.go): while B is written, a write to A is
// mirrored to B inside the same transaction; while B is authoritative, the key of every write is
// logged so that a rollback can copy it back to A. While the authoritative table changes hands
// (a rollback from write-b; the step to write-b across databases), Mirror holds writes for a
// moment until the other table has caught up (move.BarrierTable), and fails with ErrWritesHeld
// if that takes longer than HoldFor. An instance that finds the store empty while the move's
// audit copy records transitions (the store lost its state) holds its writes until a
// coordinator has restored it.
//
// Shadow (see shadow.go) compares A and B through the mapping on a sampled fraction of reads,
// in the background, and counts matches, mismatches and missing rows.
package client
