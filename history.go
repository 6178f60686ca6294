package tandem

import "time"

// The names of tandem's history tables in the target database.
const (
	// ChangesTable holds one row per deployed change: what is in the database now.
	ChangesTable = "tandem_changes"
	// EventsTable is append-only: every apply, redeploy, drop, rollback and baseline, with the
	// definition or rollback SQL needed to undo it. Rollback reads it.
	EventsTable = "tandem_events"
	// RunsTable holds one row per command run against the database (deploy, rollback, ...).
	RunsTable = "tandem_runs"
)

// RecordStatus says how far a recorded change got.
type RecordStatus string

// Record statuses.
const (
	// Applied: the change ran completely.
	Applied RecordStatus = "applied"
	// Partial: some statements of a change ran on a database whose DDL commits implicitly, and a
	// later one failed. Record.Done says how many.
	Partial RecordStatus = "partial"
)

// RecordKind says what a recorded item is, and so how rollback restores it. It is stored in the
// kind column of ChangesTable and EventsTable; rows written before that column existed have ""
// there, and the history reader derives their kind once, as a legacy path.
type RecordKind string

// Record kinds.
const (
	// KindChange: a change of a stateful object (table, sequence, numbered migration); undone
	// by its rollback SQL.
	KindChange RecordKind = "change"
	// KindDefinition: the full definition of a stateless object (view, function, repeatable
	// script); restored by deploying the definition of then, or by dropping the object.
	KindDefinition RecordKind = "definition"
	// KindDataRows: static data rows (a CSV), kept as the JSON of a Data; restored by making the
	// table's rows equal to the rows of then.
	KindDataRows RecordKind = "rows"
	// KindDataScript: a static data script (Obevo's .sql form); restored by running the
	// script of then again.
	KindDataScript RecordKind = "script"
)

// KindOf is the kind of the items recorded for an object of the project.
func KindOf(o *Object) RecordKind {
	switch {
	case o.Key.Type == StaticData && o.Data != nil:
		return KindDataRows
	case o.Key.Type == StaticData:
		return KindDataScript
	case o.Key.Type.Stateful():
		return KindChange
	}
	return KindDefinition
}

// Record is one row of the changes table: a change that is deployed (or partly deployed).
//
// The columns of ChangesTable, in order: object_schema, object_type, object_name, change_name,
// hash, status, done, done_hash, rollback_sql, definition (the SQL that ran), run_id, applied_at, applied_by,
// tool_version, app_version, file, kind. The primary key is (object_schema, object_type, object_name,
// change_name).
type Record struct {
	Schema     string // logical schema, lower case
	Type       ObjectType
	Object     string // lower case
	Change     string
	Hash       string
	Status     RecordStatus
	Done       int    // statements applied, for a Partial record
	DoneHash   string // hash of those statements, to check they did not change before resuming
	Rollback   string
	Definition string // the SQL that ran, after token replacement (a stateless object's full definition)
	RunID      int64
	AppliedAt  time.Time
	AppliedBy  string
	Tool       string
	App        string
	File       string
	Kind       RecordKind // what Definition holds: a change, a definition, data rows or a data script
}

// Key returns the key of the record's object.
func (r *Record) Key() ObjectKey { return Key(r.Schema, r.Type, r.Object) }

// EventAction says what an event did.
type EventAction string

// Event actions.
const (
	EventApply      EventAction = "apply"      // a stateful change ran
	EventDeploy     EventAction = "deploy"     // a stateless object was created or replaced
	EventDrop       EventAction = "drop"       // a stateless object was dropped
	EventUndo       EventAction = "undo"       // a stateful change was rolled back
	EventBaseline   EventAction = "baseline"   // recorded without running
	EventRebaseline EventAction = "rebaseline" // earlier changes retired in favour of a new one
	EventData       EventAction = "data"       // static data rows were synchronised
)

// Event is one row of the events table.
//
// The columns of EventsTable: id (ascending), run_id, action, object_schema, object_type,
// object_name, change_name, hash, sql_text (the definition deployed, or the SQL that ran),
// rollback_sql, at, kind.
type Event struct {
	ID       int64
	RunID    int64
	Action   EventAction
	Schema   string
	Type     ObjectType
	Object   string
	Change   string
	Hash     string
	SQL      string
	Rollback string
	At       time.Time
	Kind     RecordKind // what SQL holds: a change, a definition, data rows or a data script
}

// Run is one row of the runs table.
//
// The columns of RunsTable: id (ascending), environment, command, tag, started_at, ended_at,
// status, user_name, host, tool_version, app_version, detail.
type Run struct {
	ID          int64
	Environment string
	Command     string
	Tag         string
	Started     time.Time
	Ended       time.Time
	Status      string // running, ok, failed, or interrupted (its process died; marked by the next run to take the lock)
	User        string
	Host        string
	Tool        string
	App         string
	Detail      string
}
