// Package plan turns a project into the steps of a deploy. It is pure: it reads the values it is
// given (a loaded *tandem.Project, an Environment, the recorded history) and does no other I/O,
// so that its hardest logic is tested with plain tables.
//
// Build selects the changes that apply to one environment and dialect, replaces tokens, hashes
// each change and discovers the dependencies between them: references found by lexing the SQL
// (internal/sqllex) and matched against an index of object names, the depends attributes written
// on changes, the sequence of a stateful object's changes and of numbered migrations, and the
// load order of static data. Every edge keeps its reason and the file:line it came from, so that
// Explain and cycle reports can say why.
//
// Graph.Order sorts the changes topologically with a deterministic tie-break (object type rank,
// schema, object name, change position), so that the same project gives the same order on every
// machine. A cycle is reported as a *CycleError listing each strongly connected component once,
// with the attribute that would break it.
//
// Diff compares the ordered graph with the recorded history and returns a Plan: the steps of a
// deploy (apply, deploy, drop, data, rebaseline) each with a human reason, and the Problems (an
// edited or deleted change, an unfinished one, a migration below the highest version deployed)
// that stop a deploy until they are resolved.
//
// Rollback plans the return to an earlier run from the history alone (records, events, and
// the kind of each recorded item) and the project given: the stateless objects dropped, the
// changes undone newest first, the withdrawn changes applied again, the definitions of then
// recreated and the static data of then restored. The engine runs that RollbackPlan with the
// deploy's step runner, and tandem plan --rollback-to prints it.
//
// Graphs and Plans are values: safe for concurrent reads, not for concurrent modification.
package plan
