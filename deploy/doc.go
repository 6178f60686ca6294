// Package deploy is tandem's engine: it brings a database up to date with a project, and back.
//
// An Engine holds a *sql.DB, the Dialect of that database and the Environment being deployed.
// Every command that writes (Deploy, Rollback, Baseline, Rebaseline, Clean) first takes the
// database's deploy lock, so that two deploys never interleave, then records a run in the
// history tables. Plan and Status take no lock and write nothing.
//
// How a change runs depends on what the database can do (tandem.Capabilities):
//
//   - With transactional DDL (PostgreSQL, SQLite), a change's statements and its history row
//     commit in one transaction: a change is either applied and recorded, or neither.
//   - Without it (MySQL, MariaDB), or for statements that cannot run in a transaction (CREATE
//     INDEX CONCURRENTLY), statements run one by one and progress is recorded after each; a
//     failed change is recorded as partly applied, and the next deploy resumes at the failed
//     statement once it has checked that the statements already run are unchanged.
//
// A statement that times out waiting for a lock is retried with backoff, so a deploy never queues
// production traffic behind it. Static data is compared with the table through the database's
// own casts and synchronised in one transaction: deletes child tables first, inserts and updates
// parent tables first. Rollback replays the events table backwards, as plan.Rollback plans it
// from the history (RollbackPlan shows that plan without writing): stateful changes are undone
// with their recorded rollback SQL in exact reverse order, stateless objects get back the
// definitions they had, static data the rows it had; its steps run with the deploy's step
// runner (runSteps).
//
// Errors: *ProblemsError when deployed changes were edited or deleted, a migration is out of
// order, or a change file holds what tandem cannot run (nothing ran),
// *StepError for a step that failed (where, which statement, and what was left recorded),
// *tandem.LockError when another deploy holds the lock.
package deploy
