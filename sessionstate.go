package tandem

import "context"

// SessionResetter brings a deploy's connection back to the state it had before any change
// ran, so that what one change sets for the rest of its session (a pg_dump preamble emptying
// search_path with set_config, MySQL's SET sql_mode or USE, SQLite's PRAGMA
// recursive_triggers) never reaches the next change.
type SessionResetter interface {
	// SessionRestore reads, on a deploy's connection right after its setup (SessionSetup and
	// the like), the session state a change may alter, and renders the statements that bring
	// it back: role, settings, modes, character sets. The engine runs them, outside any
	// transaction, before every change but the first, then points the session at the change's
	// schema again (UseSchema).
	SessionRestore(ctx context.Context, q Querier) ([]string, error)
}

// ChangeGuard is implemented by dialects that run each transactional change on a connection
// set up for it: SQLite turns foreign keys off around the change's transaction, as its
// documentation prescribes for a table rebuild (create the new table, copy, drop the old one,
// rename), since a DROP TABLE with foreign keys on deletes every child row through ON DELETE
// CASCADE; the foreign keys are checked before the change commits instead. It is optional:
// where DROP TABLE deletes no other table's rows, a change runs as the connection is.
type ChangeGuard interface {
	// GuardChange reads the connection's state and renders the statements to run before a
	// change's transaction begins; none means the change runs as the connection is. The
	// engine restores the connection afterwards with SessionRestore's statements.
	GuardChange(ctx context.Context, q Querier) ([]string, error)
	// Guards reports whether a statement makes its change need the guard (SQLite: DROP TABLE,
	// which deletes the table's rows through the foreign keys); a change without one runs as
	// the connection is, unchecked.
	Guards(stmt string) bool
	// CheckChange runs in a guarded change's transaction just before it commits. An error
	// fails the change: it is rolled back and nothing is recorded.
	CheckChange(ctx context.Context, q Querier) error
	// AsksGuard reports whether a statement asks for what the guard does (SQLite: PRAGMA
	// foreign_keys=OFF, which the sqlite3 shell's .dump writes before its BEGIN TRANSACTION).
	// Before a change file's wrapping BEGIN, the engine does not send such a statement but
	// runs the change guarded in its own transaction, so that the change stays atomic.
	AsksGuard(stmt string) bool
}
