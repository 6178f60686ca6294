// Package storetest is the conformance suite that every tandem.SwitchStore passes against a
// real server. Each store's tests call Run with a function that opens a fresh, isolated store
// (its own key prefix or its own database).
//
// The suite holds a store to the contract written on tandem.SwitchStore and in
// shared/design/MOVES.md: the state of a move nobody wrote, every legal step and rollback, the
// refusal of every illegal one, compare-and-set on the version (also under a race), the Version
// and Epoch rules, the audit log, notification of subscribers, heartbeats that expire, leases,
// concurrent use, and a "raw writer" check: an illegal switch pattern written through the
// store's lowest writing layer is refused by the store itself, not only by the code above it.
//
// Times the suite checks (UpdatedAt, audit At, heartbeat At) must lie within a few seconds of
// the test's own clock, so a store may take them from its server's clock.
//
// It is test support: import it from _test.go files only.
package storetest
