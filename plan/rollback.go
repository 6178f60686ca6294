package plan

import (
	"encoding/json"
	"fmt"

	"github.com/tandem-db/tandem"
)

// RollbackInput is what Rollback plans from: the history as read from the database, and the
// project the rollback is given. Every field is a plain value; Rollback reads nothing else.
type RollbackInput struct {
	// Target is the run to return to (0: before the first run), as FindRun resolves it.
	Target int64
	// Records are the rows of the changes table: what is deployed now.
	Records []tandem.Record
	// After are the events of the runs after Target, oldest first.
	After []tandem.Event
	// UpTo are the events of the runs up to Target (inclusive), oldest first: they say which
	// stateless definitions and static data were in force at the end of Target (DefinitionsAt).
	UpTo []tandem.Event
	// Project may be nil. When given, its rollback sections are used for changes whose history
	// row has none (or whose rollback it has corrected since), and the changes withdrawn after
	// Target are applied again from it.
	Project *tandem.Project
	// Options are those the project is built with (environment, dialect).
	Options Options
}

// RollbackPlan is what a rollback to a run does, in the order it does it.
type RollbackPlan struct {
	Target int64
	// Steps are the schema steps (stateless objects dropped, changes undone, withdrawn changes
	// applied again, stateless objects recreated as they were) followed by the static data
	// steps (a record forgotten, a script run again, rows restored). Where the database has
	// transactional DDL the schema steps run in one transaction.
	Steps []Step
	// Kept names the changes left deployed because their Obevo file has no rollback section
	// (Obevo keeps such a change and warns).
	Kept []string
	// Corrected are the deployed changes whose rollback the project has corrected since they
	// were deployed: their undo step runs the project's.
	Corrected []RollbackCorrection
	// CorrectionsErr says why the project's corrected rollbacks could not be read (the project
	// does not build); every change then keeps its recorded rollback.
	CorrectionsErr error
}

// SchemaSteps are the steps before the static data ones.
func (rp *RollbackPlan) SchemaSteps() []Step {
	for i, st := range rp.Steps {
		if st.Key.Type == tandem.StaticData {
			return rp.Steps[:i]
		}
	}
	return rp.Steps
}

// DataSteps are the static data steps, which come last.
func (rp *RollbackPlan) DataSteps() []Step { return rp.Steps[len(rp.SchemaSteps()):] }

// Rollback plans the return of the database to where it was at the end of run in.Target: the
// stateful changes applied since are undone with their rollback SQL in exact reverse order of
// application, changes deployed then and undone since (withdrawn) are applied again from the
// project, stateless objects get back the definitions they had then (or are dropped when they
// did not exist), and static data gets back the rows (or the script) it had then.
//
// Stateless objects that differ from what they were then, and every stateless object that
// depends on one of them or on a stateful object being rolled back, are dropped first (in
// reverse order of the current objects) and recreated last (in an order valid then).
//
// It refuses, naming them all, when changes to undo have no rollback SQL, and when withdrawn
// changes are not in the project.
func Rollback(in RollbackInput) (*RollbackPlan, error) {
	rp := &RollbackPlan{Target: in.Target}
	undo, kept, err := changesToUndo(in.Records, in.After, in.Project)
	if err != nil {
		return nil, err
	}
	rp.Kept = kept
	if in.Project != nil {
		rp.Corrected, rp.CorrectionsErr = correctRollbacks(in.Project, in.Options, in.Records, undo)
	}
	redo, err := changesToRedo(in.Records, in.After, in.Project, in.Options)
	if err != nil {
		return nil, err
	}
	then := DefinitionsAt(in.UpTo)
	changed := changedSince(in.Records, then)
	for _, u := range undo {
		changed[u.rec.Key()] = true
	}
	for _, st := range redo {
		changed[st.Key] = true
	}
	drops, affected, err := rollbackDrops(in.Records, changed, in.Options)
	if err != nil {
		return nil, err
	}
	rp.Steps = append(rp.Steps, drops...)
	for _, u := range undo {
		rp.Steps = append(rp.Steps, u.step())
	}
	rp.Steps = append(rp.Steps, redo...)
	recreate, err := rollbackRecreations(in.Records, then, changed, affected, in.Options)
	if err != nil {
		return nil, err
	}
	rp.Steps = append(rp.Steps, recreate...)
	data, err := rollbackData(in.Records, then)
	if err != nil {
		return nil, err
	}
	rp.Steps = append(rp.Steps, data...)
	return rp, nil
}

// changedSince lists the stateless objects (static data aside) whose definition differs from
// the one in force then: recorded with another hash, recorded but absent then, or present then
// and not recorded now.
func changedSince(records []tandem.Record, then map[tandem.ObjectKey]tandem.Event) map[tandem.ObjectKey]bool {
	changed := map[tandem.ObjectKey]bool{}
	for _, r := range records {
		k := r.Key()
		if r.Type.Stateful() || r.Type == tandem.StaticData {
			continue
		}
		if ev, ok := then[k]; !ok || ev.Hash != r.Hash {
			changed[k] = true
		}
	}
	for k, ev := range then {
		if k.Type == tandem.StaticData {
			continue
		}
		if _, ok := recordOf(records, k); !ok && ev.Action != tandem.EventDrop {
			changed[k] = true
		}
	}
	return changed
}

// rollbackDrops drops, dependents first, every current stateless object that changed or
// depends on something changed; affected is that set (with the changed keys themselves).
func rollbackDrops(records []tandem.Record, changed map[tandem.ObjectKey]bool, opts Options) ([]Step, map[tandem.ObjectKey]bool, error) {
	nowGraph, err := Build(currentProject(records), opts)
	if err != nil {
		return nil, nil, fmt.Errorf("order current objects: %w", err)
	}
	nowOrder, err := nowGraph.Order()
	if err != nil {
		return nil, nil, fmt.Errorf("order current objects: %w", err)
	}
	affected := dependentsOf(nowGraph, changed)
	var steps []Step
	for i := len(nowOrder) - 1; i >= 0; i-- {
		k := nowOrder[i].Object.Key
		if k.Type.Stateful() || k.Type == tandem.StaticData || !affected[k] {
			continue
		}
		r, _ := recordOf(records, k)
		steps = append(steps, Step{Action: ActionDrop, Key: k, Record: &r, Reason: "rollback"})
	}
	return steps, affected, nil
}

// rollbackRecreations deploys again, in an order valid then, the stateless objects that
// existed then and were dropped by the rollback or changed since.
func rollbackRecreations(records []tandem.Record, then map[tandem.ObjectKey]tandem.Event, changed, affected map[tandem.ObjectKey]bool, opts Options) ([]Step, error) {
	thenProject := &tandem.Project{}
	for _, k := range sortedKeys(then) {
		ev := then[k]
		if k.Type == tandem.StaticData || !affected[k] && !changed[k] {
			continue
		}
		thenProject.Objects = append(thenProject.Objects, HistoryObject(k, ev.Object, ev.Change, ev.SQL, fileOf(records, k)))
	}
	thenGraph, err := Build(thenProject, opts)
	if err != nil {
		return nil, fmt.Errorf("order earlier definitions: %w", err)
	}
	thenOrder, err := thenGraph.Order()
	if err != nil {
		return nil, fmt.Errorf("order earlier definitions: %w", err)
	}
	steps := make([]Step, 0, len(thenOrder))
	for _, n := range thenOrder {
		n.Hash = then[n.Object.Key].Hash
		steps = append(steps, Step{Action: ActionDeploy, Key: n.Object.Key, Node: n, Reason: "rollback"})
	}
	return steps, nil
}

// rollbackData gives static data back what it had then, by the kind of the item of then: a
// record of data that did not exist then is forgotten (its table goes with the table's own
// rollback), a data script of then runs again, and rows of then are restored. The row
// restorations come last, so that they run together (deletes child-first).
func rollbackData(records []tandem.Record, then map[tandem.ObjectKey]tandem.Event) ([]Step, error) {
	var steps, rows []Step
	for _, r := range records {
		if r.Type != tandem.StaticData {
			continue
		}
		ev, ok := then[r.Key()]
		if !ok {
			steps = append(steps, Step{Action: ActionDrop, Key: r.Key(), Record: &r, Reason: "rollback"})
			continue
		}
		if ev.Hash == r.Hash {
			continue
		}
		switch ev.Kind {
		case tandem.KindDataScript:
			obj := HistoryObject(r.Key(), r.Object, r.Change, ev.SQL, r.File)
			steps = append(steps, Step{Action: ActionData, Key: r.Key(), Reason: "rollback", Record: &r,
				Node: &Node{Object: obj, Change: obj.Changes[0], SQL: ev.SQL, Hash: ev.Hash}})
		case tandem.KindDataRows:
			var d tandem.Data
			if err := json.Unmarshal([]byte(ev.SQL), &d); err != nil {
				return nil, fmt.Errorf("nothing was run: the rows of %s recorded by run %d cannot be read: %w", r.Key(), ev.RunID, err)
			}
			obj := HistoryObject(r.Key(), r.Object, r.Change, "", r.File)
			obj.Data = &d
			rows = append(rows, Step{Action: ActionData, Key: r.Key(), Reason: "rollback",
				Node: &Node{Object: obj, Change: obj.Changes[0], Hash: ev.Hash}})
		default:
			return nil, fmt.Errorf("nothing was run: the static data %s recorded by run %d is of kind %q, which rollback cannot restore", r.Key(), ev.RunID, ev.Kind)
		}
	}
	return append(steps, rows...), nil
}

// fileOf is the file the current record of k names, or "" when there is none.
func fileOf(records []tandem.Record, k tandem.ObjectKey) string {
	r, _ := recordOf(records, k)
	return r.File
}
