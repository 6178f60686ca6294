// Package tandem keeps a database and the code that uses it consistent while both are upgraded on
// their own schedules.
//
// This root package holds the domain types and the few contracts shared by several packages. It
// imports the standard library only. The work is done by subpackages:
//
//   - project reads a project from an fs.FS: tandem.yaml, one file per database object (native
//     "-- tandem:change" syntax or Obevo's "//// CHANGE"), numbered migration folders (goose,
//     golang-migrate, Flyway) and static data (CSV). It does no other I/O.
//   - plan is pure: it finds dependencies between objects by lexing their SQL, orders changes
//     deterministically, reports cycles, and compares the project with the recorded history to say
//     what a deploy would do.
//   - deploy is the engine: it locks the database, runs each step together with its history row,
//     records runs, resumes after a crash and rolls back.
//   - dialect/postgres, dialect/mysql and dialect/sqlite say what differs between databases:
//     quoting, locks, the history tables, which statements cannot run in a transaction, how to drop
//     and inspect objects. They render; the engine executes.
//   - cmd/tandem is the command line that puts them together.
//
// # Concepts
//
// An Object is one database object kept in one file, identified by its ObjectKey (logical schema,
// type and name, compared case-insensitively). A stateful object (a table, a sequence, a migration)
// is a sequence of immutable Changes that each run once; a stateless object (a view, a function, a
// procedure, a trigger, a type) is one full definition that is dropped and recreated when it is
// edited. Static data is a CSV whose rows are kept equal to a table's.
//
// Every change that a deploy applies is recorded in the history table of the target database as a
// Record, inside the same transaction as the change wherever the database allows it.
package tandem
