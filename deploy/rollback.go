package deploy

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// Rollback returns the database to where it was at the end of run `to` (a run id, or the tag of
// a run): the stateful changes applied since are undone with their rollback SQL in exact reverse
// order of application, changes deployed then and undone since (withdrawn) are applied again
// from p, stateless objects get back the definitions they had then (or are dropped when they
// did not exist), and static data gets back the rows it had then. Where the database has
// transactional DDL, all of it but the static data runs in one transaction.
//
// Before anything runs, every change to undo is checked for rollback SQL; when one has none the
// rollback refuses and names them all. p may be nil; when given, a rollback section written in
// the project after a change was deployed is used for changes whose history row has none.
func (e *Engine) Rollback(ctx context.Context, p *tandem.Project, to string) (res *Result, err error) {
	s, err := e.open(ctx, true, "rollback")
	if err != nil {
		return nil, err
	}
	defer s.close(ctx)
	if p != nil {
		s.adopt(p)
	}
	runs, err := s.hist.runs(ctx, s.conn)
	if err != nil {
		return nil, err
	}
	target, err := findRun(runs, to)
	if err != nil {
		return nil, err
	}
	records, err := s.hist.records(ctx, s.conn)
	if err != nil {
		return nil, err
	}
	events, err := s.hist.events(ctx, s.conn, target)
	if err != nil {
		return nil, err
	}
	then, err := s.hist.definitionsAt(ctx, s.conn, target)
	if err != nil {
		return nil, err
	}
	undo, kept, err := stepsToUndo(records, events, p)
	if err != nil {
		return nil, err
	}
	redo, err := stepsToRedo(records, events, p, plan.Options{Env: s.env, Dialect: e.Dialect.Name()})
	if err != nil {
		return nil, err
	}
	for _, k := range kept {
		e.log().Warn("change kept: it has no // ROLLBACK section (Obevo leaves such a change deployed and warns)", "change", k)
	}
	undo = s.correctRollbacks(p, records, undo)
	if err := s.begin(ctx, ""); err != nil {
		return nil, err
	}
	s.run.Detail = "to run " + strconv.FormatInt(target, 10)
	defer func() { s.finish(ctx, err) }()
	res = &Result{RunID: s.run.ID}

	// Stateless objects that differ from what they were then, and everything that depends on
	// them or on a table being rolled back, are dropped first and recreated last.
	now := currentProject(records)
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
	for _, u := range undo {
		changed[u.rec.Key()] = true
	}
	for _, st := range redo {
		changed[st.Key] = true
	}
	nowGraph, err := plan.Build(now, plan.Options{Env: s.env, Dialect: e.Dialect.Name()})
	if err != nil {
		return res, fmt.Errorf("rollback: order current objects: %w", err)
	}
	nowOrder, err := nowGraph.Order()
	if err != nil {
		return res, fmt.Errorf("rollback: order current objects: %w", err)
	}
	affected := dependents(nowGraph, changed)
	var ops []rollbackOp
	for i := len(nowOrder) - 1; i >= 0; i-- {
		n := nowOrder[i]
		k := n.Object.Key
		if k.Type.Stateful() || k.Type == tandem.StaticData || !affected[k] {
			continue
		}
		r, _ := recordOf(records, k)
		st := plan.Step{Action: plan.ActionDrop, Key: k, Record: &r, Reason: "rollback"}
		ops = append(ops, rollbackOp{step: st, alone: func() error { return s.dropObject(ctx, st) },
			in: func(q tandem.Querier) error { return s.dropIn(ctx, q, st) }})
	}
	for _, u := range undo {
		st := plan.Step{Action: plan.ActionUndo, Key: u.rec.Key(), Record: &u.rec, Reason: "undo",
			Node: &plan.Node{Object: syntheticObject(u.rec.Key(), u.rec.Object, u.rec.Change, ""), Change: &tandem.Change{Object: u.rec.Key(), Name: u.rec.Change, File: u.file}}}
		uu, stmts, tx, err := s.prepareUndo(u)
		if err != nil {
			return res, err // before anything ran: a rollback that does not split runs nothing
		}
		op := rollbackOp{step: st, alone: func() error { return s.undoChange(ctx, u) }}
		if tx {
			op.in = func(q tandem.Querier) error { return s.undoIn(ctx, q, uu, stmts) }
		}
		ops = append(ops, op)
	}
	// Changes deployed then and undone since are applied again.
	for _, st := range redo {
		op := rollbackOp{step: st, alone: func() error { return s.apply(ctx, st) }}
		stmts, err := s.split(st.Node, st.Node.SQL, st.Node.Change.SQLLine)
		if err != nil {
			return res, withStep(err, st)
		}
		if s.transactional(st.Node, stmts) {
			op.in = func(q tandem.Querier) error { return s.redoIn(ctx, q, st) }
		}
		ops = append(ops, op)
	}
	// Recreate what existed then, in an order valid then.
	thenProject := &tandem.Project{}
	for k, ev := range then {
		if k.Type == tandem.StaticData || !affected[k] && !changed[k] {
			continue
		}
		thenProject.Objects = append(thenProject.Objects, syntheticObject(k, ev.Object, ev.Change, ev.SQL))
	}
	thenGraph, err := plan.Build(thenProject, plan.Options{Env: s.env, Dialect: e.Dialect.Name()})
	if err != nil {
		return res, fmt.Errorf("rollback: order earlier definitions: %w", err)
	}
	thenOrder, err := thenGraph.Order()
	if err != nil {
		return res, fmt.Errorf("rollback: order earlier definitions: %w", err)
	}
	for _, n := range thenOrder {
		ev := then[n.Object.Key]
		n.Hash = ev.Hash
		st := plan.Step{Action: plan.ActionDeploy, Key: n.Object.Key, Node: n, Reason: "rollback"}
		ops = append(ops, rollbackOp{step: st, alone: func() error { return s.deployObject(ctx, st) },
			in: func(q tandem.Querier) error { return s.deployIn(ctx, q, st) }})
	}
	if err := s.runRollback(ctx, res, ops); err != nil {
		return res, err
	}
	// Static data gets back the rows it had then.
	var data []plan.Step
	for _, r := range records {
		if r.Type != tandem.StaticData {
			continue
		}
		ev, ok := then[r.Key()]
		if !ok {
			// The data did not exist then: its table goes with the table's own rollback; the
			// record goes now.
			st := plan.Step{Action: plan.ActionDrop, Key: r.Key(), Record: &r, Reason: "rollback"}
			err := s.timed(res, st, func() error {
				return s.inTx(ctx, func(tx *sql.Tx) error { return s.hist.delete(ctx, tx, r.Key(), r.Change) })
			})
			if err != nil {
				return res, err
			}
			continue
		}
		if ev.Hash == r.Hash {
			continue
		}
		var d tandem.Data
		if err := json.Unmarshal([]byte(ev.SQL), &d); err != nil {
			// A static data script: run the script of then again.
			obj := syntheticObject(r.Key(), r.Object, r.Change, ev.SQL)
			st := plan.Step{Action: plan.ActionData, Key: r.Key(), Reason: "rollback", Record: &r,
				Node: &plan.Node{Object: obj, Change: obj.Changes[0], SQL: ev.SQL, Hash: ev.Hash}}
			if err := s.timed(res, st, func() error { return s.dataScript(ctx, st) }); err != nil {
				return res, err
			}
			continue
		}
		obj := syntheticObject(r.Key(), r.Object, r.Change, "")
		obj.Data = &d
		data = append(data, plan.Step{Action: plan.ActionData, Key: r.Key(), Reason: "rollback",
			Node: &plan.Node{Object: obj, Change: obj.Changes[0], Hash: ev.Hash}})
	}
	if len(data) > 0 {
		started := time.Now()
		if err := s.fresh(ctx); err != nil {
			return res, err
		}
		if _, err := s.syncData(ctx, data); err != nil {
			return res, err
		}
		for _, st := range data {
			res.Steps = append(res.Steps, StepResult{Step: st, Duration: time.Since(started)})
		}
	}
	return res, nil
}

func (s *session) timed(res *Result, st plan.Step, fn func() error) error {
	started := time.Now()
	if err := s.fresh(context.Background()); err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	res.Steps = append(res.Steps, StepResult{Step: st, Duration: time.Since(started)})
	s.e.log().Info("step done", "action", st.Action, "step", stepName(st), "reason", st.Reason)
	return nil
}

// undoing is one recorded stateful change to roll back.
type undoing struct {
	rec      tandem.Record
	rollback string
	file     string // where the rollback is written, for messages
	line     int
	// format is the format of the file the change is written in: an Obevo rollback section is
	// Obevo SQL, its statements separated by GO lines like the change's own.
	format tandem.Format
}

// stepsToUndo lists the stateful changes applied after the target, newest first, and refuses
// when any of them cannot be undone. A change of an Obevo file that has no rollback section is
// not refused but kept, deployed and recorded, as Obevo keeps it: kept names them, for a warning.
func stepsToUndo(records []tandem.Record, events []tandem.Event, p *tandem.Project) (out []undoing, kept []string, err error) {
	var missing []string
	seen := map[string]bool{}
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		if !ev.Type.Stateful() {
			continue
		}
		k := tandem.Key(ev.Schema, ev.Type, ev.Object)
		id := k.String() + "/" + ev.Change
		if seen[id] {
			continue
		}
		seen[id] = true
		rec, ok := findRecord(records, k, ev.Change)
		if !ok {
			continue // already undone
		}
		switch ev.Action {
		case tandem.EventRebaseline:
			return nil, nil, fmt.Errorf("rollback: %s was rebaselined after the target run; roll back to a run after that rebaseline", id)
		case tandem.EventBaseline:
			out = append(out, undoing{rec: rec}) // recorded without running: forgetting it undoes it
			continue
		}
		rb, file, line, format := rec.Rollback, rec.File, 0, recordFormat(p, rec)
		if p != nil {
			if o, c := projectObjectChange(p, k, ev.Change, rec.File); c != nil {
				format = o.Format
				if strings.TrimSpace(rb) == "" {
					rb = c.Rollback
					if c.HasRollback && strings.TrimSpace(rb) == "" {
						rb = plan.NothingToUndo
					}
				}
				file, line = c.File, c.RollbackLine
				if c.RollbackFile != "" {
					file = c.RollbackFile
				}
			}
		}
		if strings.TrimSpace(rb) == "" && format == tandem.FormatObevo {
			kept = append(kept, fmt.Sprintf("%s (%s)", id, rec.File))
			continue
		}
		if strings.TrimSpace(rb) == "" {
			where := rec.File
			if where == "" {
				where = id
			}
			missing = append(missing, fmt.Sprintf("%s (%s)", id, where))
			continue
		}
		out = append(out, undoing{rec: rec, rollback: rb, file: file, line: line, format: format})
	}
	if len(missing) > 0 {
		return nil, nil, tandem.WithHint(fmt.Errorf("nothing was run: these changes have no rollback section:\n  %s", strings.Join(missing, "\n  ")),
			tandem.Hint{Code: tandem.HintRollbackAgain, Text: "add a rollback section (-- tandem:rollback) to each, then roll back again"})
	}
	return out, kept, nil
}

// recordFormat is the format of the file a recorded change was written in, as far as the
// project tells: that of the change's object, else of an object written in the same file. A
// rollback to an earlier release reads that release, which may lack the change but not its file.
func recordFormat(p *tandem.Project, rec tandem.Record) tandem.Format {
	if p == nil {
		return ""
	}
	if o := p.Object(rec.Key()); o != nil {
		return o.Format
	}
	for _, o := range p.Objects {
		if rec.File != "" && o.File == rec.File {
			return o.Format
		}
	}
	return ""
}

// undoNode is the node and step that run a change's rollback SQL.
func (s *session) undoNode(u undoing) (*plan.Node, plan.Step) {
	k := u.rec.Key()
	obj := syntheticObject(k, writtenName(&u.rec), u.rec.Change, u.rollback)
	if u.format != "" {
		obj.Format = u.format
	}
	obj.Changes[0].File = u.file
	if u.file == "" {
		obj.Changes[0].File = u.rec.File
	}
	n := &plan.Node{Object: obj, Change: obj.Changes[0], SQL: u.rollback}
	return n, plan.Step{Action: plan.ActionUndo, Key: k, Node: n, Record: &u.rec, Reason: "undo"}
}

// undoEvent is the history event of a change's rollback.
func (s *session) undoEvent(u undoing) *tandem.Event {
	k := u.rec.Key()
	return &tandem.Event{RunID: s.run.ID, Action: tandem.EventUndo, Schema: k.Schema, Type: k.Type, Object: u.rec.Object,
		Change: u.rec.Change, Hash: u.rec.Hash, SQL: u.rollback, At: time.Now()}
}

// undoChange runs a change's rollback SQL and forgets the change.
func (s *session) undoChange(ctx context.Context, u undoing) error {
	k := u.rec.Key()
	n, st := s.undoNode(u)
	stmts, err := s.split(n, u.rollback, max(1, u.line))
	if err != nil {
		return withStep(err, st)
	}
	if err := s.use(ctx, k.Schema); err != nil {
		return err
	}
	ev := s.undoEvent(u)
	forget := func(q tandem.Querier) error {
		if err := s.hist.delete(ctx, q, k, u.rec.Change); err != nil {
			return err
		}
		return s.hist.event(ctx, q, ev)
	}
	if s.transactional(n, stmts) {
		return s.guarded(ctx, stmts, func() error {
			return s.withRetry(ctx, st.Key.String(), func() error {
				return s.inTx(ctx, func(tx *sql.Tx) error {
					if err := s.execAll(ctx, tx, st, stmts, 0); err != nil {
						return err
					}
					if err := s.checkChange(ctx, tx, st); err != nil {
						return err
					}
					return forget(tx)
				})
			})
		})
	}
	// Statement by statement, each retried on its own, so that a retry never runs again a
	// statement that committed.
	for i := range stmts {
		var guard indexGuard
		if err := s.withRetry(ctx, st.Key.String(), func() error { return s.execAlone(ctx, st, stmts, i, &guard) }); err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return forget(tx) })
}

// currentProject rebuilds, from the history, a project of what is deployed now, so that the
// planner can order it.
func currentProject(records []tandem.Record) *tandem.Project {
	p := &tandem.Project{}
	byKey := map[tandem.ObjectKey]*tandem.Object{}
	for _, r := range records {
		k := r.Key()
		o := byKey[k]
		if o == nil {
			o = syntheticObject(k, r.Object, r.Change, r.Definition)
			byKey[k] = o
			p.Objects = append(p.Objects, o)
			continue
		}
		o.Changes = append(o.Changes, &tandem.Change{Object: k, Name: r.Change, SQL: r.Definition, File: r.File, Line: 1, SQLLine: 1, Seq: len(o.Changes)})
	}
	for _, o := range p.Objects {
		if o.Key.Type == tandem.StaticData {
			o.Data = &tandem.Data{}
		}
	}
	return p
}

func syntheticObject(k tandem.ObjectKey, name, change, sqlText string) *tandem.Object {
	if name == "" {
		name = k.Name
	}
	o := &tandem.Object{Key: k, Name: name, Schema: k.Schema, Format: tandem.FormatNative, File: k.String(), Version: k.Name}
	o.Changes = []*tandem.Change{{Object: k, Name: change, SQL: sqlText, File: k.String(), Line: 1, SQLLine: 1}}
	return o
}

// dependents returns the keys in changed plus every object that depends on one of them.
func dependents(g *plan.Graph, changed map[tandem.ObjectKey]bool) map[tandem.ObjectKey]bool {
	out := map[tandem.ObjectKey]bool{}
	for k := range changed {
		out[k] = true
	}
	for grew := true; grew; {
		grew = false
		for _, ed := range g.Edges {
			from, to := ed.From.Object.Key, ed.To.Object.Key
			if out[to] && !out[from] {
				out[from] = true
				grew = true
			}
		}
	}
	return out
}

func recordOf(records []tandem.Record, k tandem.ObjectKey) (tandem.Record, bool) {
	for _, r := range records {
		if r.Key() == k {
			return r, true
		}
	}
	return tandem.Record{}, false
}

func findRecord(records []tandem.Record, k tandem.ObjectKey, change string) (tandem.Record, bool) {
	for _, r := range records {
		if r.Key() == k && strings.EqualFold(r.Change, change) {
			return r, true
		}
	}
	return tandem.Record{}, false
}

// findRun resolves a run id or tag.
func findRun(runs []tandem.Run, to string) (int64, error) {
	if to == "" {
		return 0, fmt.Errorf("no run given to roll back to: name a run by its id or tag")
	}
	if id, err := strconv.ParseInt(to, 10, 64); err == nil {
		if id == 0 {
			return 0, nil // before the first run: roll everything back
		}
		for _, r := range runs {
			if r.ID == id {
				return id, nil
			}
		}
	}
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].Tag != "" && runs[i].Tag == to {
			return runs[i].ID, nil
		}
	}
	var known []string
	for _, r := range runs {
		if r.Command == "deploy" {
			label := strconv.FormatInt(r.ID, 10)
			if r.Tag != "" {
				label += " (" + r.Tag + ")"
			}
			known = append(known, label)
		}
	}
	sort.Strings(known)
	return 0, fmt.Errorf("rollback: no run with id or tag %q; deploy runs are: %s (0 rolls everything back)", to, strings.Join(known, ", "))
}

// projectObjectChange finds a change in the project, and the object it belongs to, preferring
// the one from file: a popx version is one object per database, all with the same key and
// change name, and the record names the file that was deployed, whose down file is the one to
// run.
func projectObjectChange(p *tandem.Project, k tandem.ObjectKey, change, file string) (*tandem.Object, *tandem.Change) {
	var firstO *tandem.Object
	var first *tandem.Change
	for _, o := range p.Objects {
		if o.Key != k {
			continue
		}
		for _, c := range o.Changes {
			if !strings.EqualFold(c.Name, change) {
				continue
			}
			if c.File == file {
				return o, c
			}
			if first == nil {
				firstO, first = o, c
			}
		}
	}
	return firstO, first
}
