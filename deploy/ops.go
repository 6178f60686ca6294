package deploy

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// Baseline onboards an existing database: every change a deploy would apply or deploy is
// recorded as deployed without running, so that later deploys only run what comes after.
// Static data is recorded as in sync. Drops are not recorded.
func (e *Engine) Baseline(ctx context.Context, p *tandem.Project) (res *Result, err error) {
	s, err := e.open(ctx, true, "baseline")
	if err != nil {
		return nil, err
	}
	defer s.close(ctx)
	_, pl, err := s.planClean(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := s.begin(ctx, ""); err != nil {
		return nil, err
	}
	defer func() { s.finish(ctx, err) }()
	res = &Result{RunID: s.run.ID}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for _, st := range pl.Steps {
			if st.Node == nil || st.Action == plan.ActionDrop {
				continue
			}
			if err := s.hist.put(ctx, tx, s.record(st.Node, tandem.Applied)); err != nil {
				return err
			}
			if err := s.hist.event(ctx, tx, s.eventFor(st.Node, tandem.EventBaseline)); err != nil {
				return err
			}
			res.Steps = append(res.Steps, StepResult{Step: st})
		}
		return nil
	})
	return res, err
}

// Rebaseline accepts edits to deployed changes: the history of every edited change is updated to
// the project's current text without running anything, and changes deleted from the project are
// forgotten. Use it when an edit only reformats a change, or after fixing the database by hand.
func (e *Engine) Rebaseline(ctx context.Context, p *tandem.Project) (res *Result, err error) {
	s, err := e.open(ctx, true, "rebaseline")
	if err != nil {
		return nil, err
	}
	defer s.close(ctx)
	records, g, pl, err := s.planFor(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := s.begin(ctx, ""); err != nil {
		return nil, err
	}
	defer func() { s.finish(ctx, err) }()
	res = &Result{RunID: s.run.ID}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for _, pr := range pl.Problems {
			switch pr.Kind {
			case plan.ProblemEdited:
				n := findNode(g, pr.Key, pr.Change)
				if n == nil {
					continue
				}
				if err := s.hist.put(ctx, tx, s.record(n, tandem.Applied)); err != nil {
					return err
				}
				if err := s.hist.event(ctx, tx, s.eventFor(n, tandem.EventRebaseline)); err != nil {
					return err
				}
				res.Steps = append(res.Steps, StepResult{Step: plan.Step{Action: plan.ActionRebaseline, Key: pr.Key, Node: n, Reason: "edited change accepted"}})
			case plan.ProblemDeleted:
				if err := s.hist.delete(ctx, tx, pr.Key, pr.Change); err != nil {
					return err
				}
				ev := &tandem.Event{RunID: s.run.ID, Action: tandem.EventRebaseline, Schema: pr.Key.Schema, Type: pr.Key.Type, Object: pr.Key.Name, Change: pr.Change, At: time.Now(), Kind: tandem.KindChange}
				if err := s.hist.event(ctx, tx, ev); err != nil {
					return err
				}
				res.Steps = append(res.Steps, StepResult{Step: plan.Step{Action: plan.ActionRebaseline, Key: pr.Key, Reason: "deleted change forgotten"}})
			}
		}
		return s.recordRollbacks(ctx, tx, plan.RollbackCorrections(g, records), res)
	})
	return res, err
}

func findNode(g *plan.Graph, k tandem.ObjectKey, change string) *plan.Node {
	for _, n := range g.Nodes {
		if n.Object.Key == k && strings.EqualFold(n.Change.Name, change) {
			return n
		}
	}
	return nil
}

// ErrCleanNotAllowed is returned by Clean for an environment that does not allow it.
var ErrCleanNotAllowed = fmt.Errorf("clean is not allowed in this environment; set allow_clean: true on it in tandem.yaml if it is a throw-away database")

// Clean drops every object in the project's schemas and tandem's history tables, leaving an
// empty database. It refuses unless the environment allows it.
func (e *Engine) Clean(ctx context.Context, p *tandem.Project) (res *Result, err error) {
	if !e.Env.AllowClean {
		return nil, ErrCleanNotAllowed
	}
	s, err := e.open(ctx, true, "clean")
	if err != nil {
		return nil, err
	}
	defer s.close(ctx)
	res = &Result{}
	schemas := s.physicalSchemas(p)
	snap, err := e.Dialect.Inspect(ctx, s.conn, schemas)
	if err != nil {
		return nil, fmt.Errorf("clean: list objects: %w", err)
	}
	// Drop in passes: what fails because something still depends on it is retried after the
	// dependents are gone. A pass that drops nothing ends with the errors it met.
	pending := snap.Objects()
	for len(pending) > 0 {
		var left []tandem.SnapshotObject
		var errs []string
		for _, o := range pending {
			if o.Type == tandem.Trigger || isHistoryTable(o.Name) {
				continue // triggers go with their tables; history goes last
			}
			if err := e.Dialect.DropObject(ctx, s.conn, o.Schema, o.Type, o.Name); err != nil {
				left = append(left, o)
				errs = append(errs, fmt.Sprintf("%s %s.%s: %v", o.Type, o.Schema, o.Name, err))
				continue
			}
			res.Steps = append(res.Steps, StepResult{Step: plan.Step{Action: plan.ActionDrop, Key: tandem.Key(o.Schema, o.Type, o.Name), Reason: "clean"}})
		}
		if len(left) == len(pending) {
			return res, fmt.Errorf("clean: could not drop:\n  %s", strings.Join(errs, "\n  "))
		}
		pending = left
	}
	for _, t := range []string{tandem.EventsTable, tandem.ChangesTable, tandem.RunsTable} {
		if err := e.Dialect.DropObject(ctx, s.conn, s.hist.schema, tandem.Table, t); err != nil {
			return res, fmt.Errorf("clean: drop %s: %w", t, err)
		}
	}
	return res, nil
}

func isHistoryTable(name string) bool {
	switch strings.ToLower(name) {
	case tandem.ChangesTable, tandem.EventsTable, tandem.RunsTable:
		return true
	}
	return false
}

// physicalSchemas lists the physical schemas a project deploys to, the default one included.
func (s *session) physicalSchemas(p *tandem.Project) []string {
	seen := map[string]bool{}
	var out []string
	add := func(x string) {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	if !s.e.Dialect.Capabilities().Schemas {
		return []string{""}
	}
	add(s.defaultSchema)
	for _, sc := range p.Config.Schemas {
		add(s.physical(strings.ToLower(sc)))
	}
	for _, o := range p.Objects {
		add(s.physical(o.Key.Schema))
	}
	return out
}

// Status describes the database against the project.
type Status struct {
	Preview *Preview
	Records []tandem.Record
	Runs    []tandem.Run
}

// UpToDate reports whether a deploy would do nothing and nothing is wrong.
func (st *Status) UpToDate() bool {
	return len(st.Preview.Plan.Steps) == 0 && len(st.Preview.Plan.Problems) == 0
}

// Status reads the history and compares it with the project. It takes no lock and writes
// nothing.
func (e *Engine) Status(ctx context.Context, p *tandem.Project) (*Status, error) {
	pv, err := e.Plan(ctx, p)
	if err != nil {
		return nil, err
	}
	s, err := e.open(ctx, false, "status")
	if err != nil {
		return nil, err
	}
	defer s.close(ctx)
	st := &Status{Preview: pv}
	if st.Records, err = s.records(ctx); err != nil {
		return nil, err
	}
	if ok, _ := s.hist.exists(ctx, s.conn); ok {
		if st.Runs, err = s.hist.runs(ctx, s.conn); err != nil {
			return nil, err
		}
	}
	return st, nil
}
