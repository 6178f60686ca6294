package deploy

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// rollbackOp is one schema step of a rollback (a view dropped, a change undone, a withdrawn
// change applied again, a view recreated) and, when the step can share a transaction, in: the
// step run on a transaction that the caller commits.
type rollbackOp struct {
	step plan.Step
	in   func(q tandem.Querier) error
}

// prepareRollback splits the SQL of each schema step of a rollback, before anything runs (a
// rollback whose SQL does not split runs nothing), and says which steps can share a transaction.
func (s *session) prepareRollback(ctx context.Context, steps []plan.Step) ([]rollbackOp, error) {
	ops := make([]rollbackOp, 0, len(steps))
	for _, st := range steps {
		op := rollbackOp{step: st}
		switch st.Action {
		case plan.ActionDrop:
			op.in = func(q tandem.Querier) error { return s.dropIn(ctx, q, st) }
		case plan.ActionUndo:
			u, stmts, tx, err := s.prepareUndo(undoingOf(st))
			if err != nil {
				return nil, err
			}
			if tx {
				op.in = func(q tandem.Querier) error { return s.undoIn(ctx, q, u, stmts) }
			}
		case plan.ActionApply:
			stmts, err := s.split(st.Node, st.Node.SQL, st.Node.Change.SQLLine)
			if err != nil {
				return nil, withStep(err, st)
			}
			if s.transactional(st.Node, stmts) {
				op.in = func(q tandem.Querier) error { return s.redoIn(ctx, q, st) }
			}
		case plan.ActionDeploy:
			op.in = func(q tandem.Querier) error { return s.deployIn(ctx, q, st) }
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// runRollback runs the schema steps of a rollback. Where the database has transactional DDL
// and every step can share a transaction, they all run in one: a rollback that fails part way
// (a rollback section that does not run) leaves nothing done, not the views it dropped before
// the failure. Elsewhere each step commits on its own, run by the deploy's runner (runSteps).
func (s *session) runRollback(ctx context.Context, res *Result, records []tandem.Record, ops []rollbackOp, count stepCount) error {
	atomic := s.e.Dialect.Capabilities().TransactionalDDL
	steps := make([]plan.Step, len(ops))
	for i, op := range ops {
		steps[i] = op.step
		if op.in == nil {
			atomic = false
		}
	}
	if !atomic {
		return s.runSteps(ctx, res, steps, records, nil, count)
	}
	if len(ops) == 0 {
		return nil
	}
	if err := s.fresh(ctx); err != nil {
		return err
	}
	done := len(res.Steps)
	current, created := s.current, maps.Clone(s.created)
	return s.withRetry(ctx, "rollback", func() error {
		res.Steps = res.Steps[:done]
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			for i, op := range ops {
				started := time.Now()
				s.e.report(Progress{Done: count.done + i, Total: count.total, Step: op.step})
				err := op.in(tx)
				s.e.report(Progress{Done: count.done + i + 1, Total: count.total, Step: op.step, Finished: true, Err: err})
				if err != nil {
					s.e.log().Error("step failed", "action", op.step.Action, "step", failedStep(steps[i:i+1], err), "err", err)
					return err
				}
				res.Steps = append(res.Steps, StepResult{Step: op.step, Duration: time.Since(started)})
			}
			return nil
		})
		if err != nil {
			// The schema switches and creations ran in the transaction and went with it.
			res.Steps = res.Steps[:done]
			s.current, s.created = current, maps.Clone(created)
			if s.created == nil {
				s.created = map[string]bool{}
			}
			return err
		}
		for _, op := range ops {
			s.e.log().Info("step done", "action", op.step.Action, "step", stepName(op.step), "reason", op.step.Reason)
		}
		return nil
	})
}

// dropIn drops a stateless object and forgets it, on q.
func (s *session) dropIn(ctx context.Context, q tandem.Querier, st plan.Step) error {
	name, file := st.Key.Name, ""
	ev := &tandem.Event{RunID: s.run.ID, Action: tandem.EventDrop, Schema: st.Key.Schema, Type: st.Key.Type, Object: st.Key.Name, At: time.Now(), Kind: tandem.KindDefinition}
	if st.Record != nil {
		name, file = writtenName(st.Record), st.Record.File
		ev.SQL, ev.Change, ev.Hash, ev.Kind = st.Record.Definition, st.Record.Change, st.Record.Hash, st.Record.Kind
	}
	if st.Key.Type != tandem.Repeatable {
		if err := s.e.Dialect.DropObject(ctx, q, s.physical(st.Key.Schema), st.Key.Type, name); err != nil {
			return &StepError{Step: st, File: file, Err: fmt.Errorf("drop %s %s: %w", st.Key.Type, name, err)}
		}
	}
	if st.Record != nil {
		if err := s.hist.delete(ctx, q, st.Key, st.Record.Change); err != nil {
			return err
		}
	}
	return s.hist.event(ctx, q, ev)
}

// prepareUndo splits a change's rollback SQL, and says whether it can share a transaction.
func (s *session) prepareUndo(u undoing) (undoing, []statement, bool, error) {
	n, st := s.undoNode(u)
	stmts, err := s.split(n, u.rollback, max(1, u.line))
	if err != nil {
		return u, nil, false, withStep(err, st)
	}
	return u, stmts, s.transactional(n, stmts), nil
}

// undoIn runs a change's rollback statements and forgets the change, on q.
func (s *session) undoIn(ctx context.Context, q tandem.Querier, u undoing, stmts []statement) error {
	_, st := s.undoNode(u)
	k := u.rec.Key()
	if err := s.use(ctx, k.Schema); err != nil {
		return err
	}
	if err := s.execAll(ctx, q, st, stmts, 0); err != nil {
		return err
	}
	if err := s.hist.delete(ctx, q, k, u.rec.Change); err != nil {
		return err
	}
	return s.hist.event(ctx, q, s.undoEvent(u))
}

// deployIn creates a stateless object and records it, on q.
func (s *session) deployIn(ctx context.Context, q tandem.Querier, st plan.Step) error {
	return s.runIn(ctx, q, st, tandem.EventDeploy, st.Record == nil)
}

// runIn runs a step's statements on q and records it with an event of action; first says
// that no record of the step exists yet.
func (s *session) runIn(ctx context.Context, q tandem.Querier, st plan.Step, action tandem.EventAction, first bool) error {
	stmts, err := s.prepare(ctx, st)
	if err != nil {
		return err
	}
	if err := s.execAll(ctx, q, st, stmts, 0); err != nil {
		return err
	}
	return s.recordStep(ctx, q, s.record(st.Node, tandem.Applied), s.eventFor(st.Node, action), first)
}
