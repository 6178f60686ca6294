package tandem

import "context"

// IndexBuild is what an online index build statement works on, as the catalog shows it at one
// moment.
type IndexBuild struct {
	// Index is the index the statement creates, schema-qualified and quoted; "" when the
	// database picks the name, or when the statement rebuilds indexes that exist.
	Index string
	// Invalid lists the invalid indexes, schema-qualified and quoted, on the tables the
	// statement builds on (the index it names included), leaving out those that another
	// session is building at this moment.
	Invalid []string
	// Leftovers lists those of Invalid that an interrupted run of the statement would have
	// left: the index it names, or, for an unnamed build, every invalid index of its table,
	// or, for a rebuild, the invalid copies the rebuild makes.
	Leftovers []string
}

// IndexBuilder is implemented by dialects whose online index builds can fail part way and
// leave an invalid index behind. It is optional: a database whose index builds cannot leave
// such an index (MySQL, SQLite) needs nothing done around them. PostgreSQL's CREATE INDEX CONCURRENTLY and REINDEX
// CONCURRENTLY, cancelled by a lock timeout or a lost connection, keep the index they were
// building, unused by queries yet maintained on every write.
//
// The deploy engine reads the build before and after such a statement. It drops the invalid
// indexes a failed build left before retrying it, drops an invalid index of the name a build
// is about to create (an interrupted earlier build), and fails a build that reports success
// while its index is invalid, so an invalid index is never recorded as deployed.
type IndexBuilder interface {
	// IndexBuild describes the build stmt (one statement, as the lexer splits it) makes, or
	// returns nil when stmt builds no index online. Unqualified names resolve as they would
	// on q's session.
	IndexBuild(ctx context.Context, q Querier, stmt string) (*IndexBuild, error)
	// DropIndex renders the statement that drops index (as IndexBuild names it) without
	// blocking writes to its table; it runs outside any transaction and succeeds when the
	// index is already gone.
	DropIndex(index string) string
}

// StatementWatcher sees what other sessions are running. The server side of a killed deploy
// may run its last statement on to the end without its client; a rerun waits for it before it
// decides, from the schema, whether that statement ran.
type StatementWatcher interface {
	// Running describes the other sessions of the database that are running stmt (one
	// statement, as sent) at this moment, a line each; none where a statement always ends with
	// the process that sent it (SQLite, which runs in that process).
	Running(ctx context.Context, q Querier, stmt string) ([]string, error)
}
