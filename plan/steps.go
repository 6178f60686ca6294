package plan

import "github.com/tandem-db/tandem"

// Action says what a step does.
type Action string

// The actions of a deploy.
const (
	// ActionApply runs a pending change of a stateful object (or resumes a partial one).
	ActionApply Action = "apply"
	// ActionDeploy creates or replaces a stateless object.
	ActionDeploy Action = "deploy"
	// ActionDrop drops a stateless object: deleted from the project, or about to be recreated.
	ActionDrop Action = "drop"
	// ActionData makes a table's rows equal to its static data.
	ActionData Action = "data"
	// ActionRebaseline records a change without running it and retires the earlier changes it
	// names (Attrs.Rebaseline).
	ActionRebaseline Action = "rebaseline"
	// ActionUndo runs a deployed change's rollback and forgets the change: Obevo's
	// ROLLBACK-IF-ALREADY-DEPLOYED, which withdraws a change from where it was deployed.
	ActionUndo Action = "undo"
)

// Step is one step of a deploy.
type Step struct {
	Action Action
	// Node is the change to run; nil for the drop of an object that the project no longer has
	// (Record then holds its recorded definition).
	Node *Node
	Key  tandem.ObjectKey
	// Record is the object's or change's existing history row, if any.
	Record *tandem.Record
	// Reason says why, for people: "new change", "definition changed", "depends on view app.v2
	// which is redeployed", "file deleted", "csv changed".
	Reason string
	// OutOfOrder, when set, is the highest version deployed, which this step's numbered
	// migration is below: the environment allows out-of-order migrations
	// (tandem.Environment.OutOfOrder), and the engine warns when it applies one.
	OutOfOrder string
	// Changeset, on a deferred step (Plan.Deferred), names the changeset it waits for: its own
	// change's, or that of a deferred change it depends on.
	Changeset string
}

// ProblemKind names a kind of Problem.
type ProblemKind string

// The kinds of problems.
const (
	// ProblemEdited: a deployed change of a stateful object was edited.
	ProblemEdited ProblemKind = "edited"
	// ProblemDeleted: a deployed change of a stateful object is no longer in the project, and no
	// rebaseline retires it.
	ProblemDeleted ProblemKind = "deleted"
	// ProblemPartial: a change stopped part way on a database without transactional DDL, and was
	// edited since, so it cannot be resumed.
	ProblemPartial ProblemKind = "partial"
	// ProblemOutOfOrder: a numbered migration not deployed has a version below the highest
	// version deployed, and the environment does not allow out-of-order migrations.
	ProblemOutOfOrder ProblemKind = "out-of-order"
	// ProblemCannotRun: a pending change's file holds something tandem refuses to run (a psql
	// meta-command it does not accept, a COPY data block that never ends or that the database
	// cannot stream, a ROLLBACK); Reason says what, at File:Line.
	ProblemCannotRun ProblemKind = "cannot-run"
)

// Problem is a difference between the project and the history that a deploy cannot resolve by
// itself. The engine refuses to deploy while there are problems, unless told to force.
type Problem struct {
	Kind   ProblemKind
	Key    tandem.ObjectKey
	Change string
	// File and Line say where the change is written (for a deleted change, the file recorded).
	File string
	Line int
	// Diff is the unified diff from the recorded SQL to the SQL in the project; empty for a
	// deleted change.
	Diff string
	// Hint is the way out, in neutral words (no flag, no command line).
	Hint string
	// HintCode names the kind of way out where a front end has words of its own for it (the
	// flag or command that does it); empty otherwise.
	HintCode tandem.HintCode
	// Reason says what is wrong where the kind alone does not (ProblemCannotRun).
	Reason string
}

// Plan is what a deploy would do.
type Plan struct {
	// Steps are in execution order: every drop first (dependents before what they depend on),
	// then everything else in graph order.
	Steps    []Step
	Problems []Problem
	// Deferred are the steps left out because their change is in a changeset not selected
	// (Options.Changesets), or depends on such a change; each Reason says how to deploy it.
	Deferred []Step
}
