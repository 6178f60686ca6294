package deploy

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// Rollback returns the database to where it was at the end of run `to` (a run id, or the tag of
// a run), as plan.Rollback plans it and RollbackPlan shows it: the stateful changes applied
// since are undone with their rollback SQL in exact reverse order of application, changes
// deployed then and undone since (withdrawn) are applied again from p, stateless objects get
// back the definitions they had then (or are dropped when they did not exist), and static data
// gets back the rows it had then. The steps run as a deploy's do (execute), with its retries,
// errors and progress; where the database has transactional DDL, all of them but the static
// data run in one transaction.
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
	rp, records, err := s.planRollback(ctx, p, to)
	if err != nil {
		return nil, err
	}
	s.logRollbackPlan(rp)
	if err := s.begin(ctx, ""); err != nil {
		return nil, err
	}
	s.run.Detail = "to run " + strconv.FormatInt(rp.Target, 10)
	defer func() { s.finish(ctx, err) }()
	res = &Result{RunID: s.run.ID}
	schema, data := rp.SchemaSteps(), rp.DataSteps()
	ops, err := s.prepareRollback(ctx, schema)
	if err != nil {
		return res, err // before anything ran: a rollback that does not split runs nothing
	}
	progress := stepCount{total: len(rp.Steps)}
	if err := s.runRollback(ctx, res, records, ops, progress); err != nil {
		return res, err
	}
	progress.done = len(schema)
	return res, s.runSteps(ctx, res, data, records, nil, progress)
}

// RollbackPlan computes what Rollback would do to return to run `to`, without changing the
// database: it takes no lock and writes nothing (tandem plan --rollback-to). Its steps are
// those Rollback then runs and reports, in the same order; it refuses as Rollback would.
func (e *Engine) RollbackPlan(ctx context.Context, p *tandem.Project, to string) (*plan.RollbackPlan, error) {
	s, err := e.open(ctx, false, "plan")
	if err != nil {
		return nil, err
	}
	defer s.close(ctx)
	rp, _, err := s.planRollback(ctx, p, to)
	return rp, err
}

// planRollback reads what plan.Rollback needs from the history and plans the rollback to `to`
// with it; records are the history rows it read. A database without history tables has no
// runs: only "0" resolves, and to nothing to do.
func (s *session) planRollback(ctx context.Context, p *tandem.Project, to string) (*plan.RollbackPlan, []tandem.Record, error) {
	if p != nil {
		s.adopt(p)
	}
	in := plan.RollbackInput{Project: p, Options: plan.Options{Env: s.env, Dialect: s.e.Dialect.Name()}}
	ok, err := s.hist.exists(ctx, s.conn)
	if err != nil {
		return nil, nil, err
	}
	var runs []tandem.Run
	if ok {
		if runs, err = s.hist.runs(ctx, s.conn); err != nil {
			return nil, nil, err
		}
	}
	if in.Target, err = plan.FindRun(runs, to); err != nil {
		return nil, nil, err
	}
	if ok {
		if in.Records, err = s.hist.records(ctx, s.conn); err != nil {
			return nil, nil, err
		}
		if in.After, err = s.hist.events(ctx, s.conn, in.Target); err != nil {
			return nil, nil, err
		}
		if in.UpTo, err = s.hist.eventsUpTo(ctx, s.conn, in.Target); err != nil {
			return nil, nil, err
		}
	}
	rp, err := plan.Rollback(in)
	return rp, in.Records, err
}

// logRollbackPlan says what a rollback leaves as it is, and which rollbacks it takes from the
// project rather than from the history.
func (s *session) logRollbackPlan(rp *plan.RollbackPlan) {
	for _, k := range rp.Kept {
		s.e.log().Warn("change kept: it has no // ROLLBACK section (Obevo leaves such a change deployed and warns)", "change", k)
	}
	if rp.CorrectionsErr != nil {
		s.e.log().Warn("the project's rollbacks cannot be read; the rollbacks recorded at deploy run", "err", rp.CorrectionsErr)
	}
	for _, c := range rp.Corrected {
		file := c.Node.Change.File
		if c.Node.Change.RollbackFile != "" {
			file = c.Node.Change.RollbackFile
		}
		s.e.log().Info("running the project's rollback, which differs from the one recorded at deploy", "change", c.Node.Change.ID(), "file", file, "diff", c.Diff)
	}
}

// undoing is one recorded stateful change to roll back, as an undo step (plan.ActionUndo)
// describes it.
type undoing struct {
	rec      tandem.Record
	rollback string
	file     string // where the rollback is written, for messages
	line     int
	// format is the format of the file the change is written in: an Obevo rollback section is
	// Obevo SQL, its statements separated by GO lines like the change's own.
	format tandem.Format
}

// undoingOf reads an undo step.
func undoingOf(st plan.Step) undoing {
	return undoing{rec: *st.Record, rollback: st.Node.Rollback, file: st.Node.Change.File, line: st.Node.Change.RollbackLine, format: st.Node.Object.Format}
}

// undoNode is the node and step that run a change's rollback SQL.
func (s *session) undoNode(u undoing) (*plan.Node, plan.Step) {
	k := u.rec.Key()
	obj := plan.HistoryObject(k, writtenName(&u.rec), u.rec.Change, u.rollback, u.rec.File)
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
		Change: u.rec.Change, Hash: u.rec.Hash, SQL: u.rollback, At: time.Now(), Kind: tandem.KindChange}
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

// forgetData forgets the record of static data that did not exist at the target of a
// rollback: its table goes with the table's own rollback.
func (s *session) forgetData(ctx context.Context, st plan.Step) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.hist.delete(ctx, tx, st.Key, st.Record.Change) })
}
