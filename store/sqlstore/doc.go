// Package sqlstore keeps the switches of online table moves, and the state of the fleet that
// reads them, in tables of a SQL database: the embedded default tandem.SwitchStore, which
// needs nothing but the database the application already uses (SQLite, PostgreSQL,
// MySQL/MariaDB).
//
// # Tables
//
// New creates them if they are missing, in Options.Schema (or the connection's default):
//
//	tandem_moves       move (key), phase, switches CHAR(4), version, epoch, paused (0/1),
//	                   updated_at. A CHECK constraint allows only switches 1100, 1101, 0111 and
//	                   0011 (and only known phases), so every writer of the table, not only
//	                   tandem, is refused an illegal pattern. New verifies that the database
//	                   enforces it (MySQL before 8.0.16 parses CHECK and ignores it).
//	tandem_move_audit  id, move, from_phase, to_phase, version, epoch, by_user, reason, forced,
//	                   at: one row per transition, written in the transition's transaction
//	tandem_instances   instance (key), code_version, epochs (JSON text), seen_at, expires_at
//	tandem_leases      resource (key), holder, expires_at
//
// A program in any language reads a move's switches with
// SELECT switches FROM tandem_moves WHERE move = ?; no row means 1100.
//
// # Time
//
// Every time is taken from the Go clock (UTC) of the process that writes, and stored as
// BIGINT microseconds since the Unix epoch. That keeps comparisons (expiry of heartbeats and
// leases) plain integer comparisons that behave the same on every engine and through every
// driver, whatever its time zone settings. Processes that share a store need clocks that agree
// to well within the times to live they use (NTP does this).
//
// # Concurrency
//
// Transition reads the row and then writes it with UPDATE ... WHERE version = ?, checking the
// number of rows affected, in one transaction that also inserts the audit row; the first
// transition of a move inserts its row with an insert that does nothing on a duplicate key.
// SQLite connections need immediate write transactions (_txlock=immediate in the DSN, as
// internal/dburl sets), or concurrent writers fail with SQLITE_BUSY instead of waiting.
//
// Subscribe polls the moves table every Options.PollInterval and calls back for every move
// whose version changed.
//
// A Store is safe for concurrent use.
package sqlstore
