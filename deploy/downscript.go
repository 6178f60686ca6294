package deploy

import (
	"context"
	"database/sql"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// rollbackCorrections lists the deployed changes whose rollback the project has corrected
// since they were deployed (see plan.RollbackCorrections), for the session's environment.
func (s *session) rollbackCorrections(p *tandem.Project, records []tandem.Record) ([]plan.RollbackCorrection, error) {
	g, err := plan.Build(p, plan.Options{Env: s.env, Dialect: s.e.Dialect.Name()})
	if err != nil {
		return nil, err
	}
	return plan.RollbackCorrections(g, records), nil
}

// correctRollbacks makes the changes to undo run the project's rollback where the project has
// corrected it since the deploy and the change itself is unchanged; the rollback recorded at
// deploy time stays in use for changes the project no longer has. When the project cannot be
// read into a graph, every change keeps its recorded rollback, and a warning says why.
func (s *session) correctRollbacks(p *tandem.Project, records []tandem.Record, undo []undoing) []undoing {
	if p == nil {
		return undo
	}
	fixes, err := s.rollbackCorrections(p, records)
	if err != nil {
		s.e.log().Warn("the project's rollbacks cannot be read; the rollbacks recorded at deploy run", "err", err)
		return undo
	}
	for i, u := range undo {
		if u.rollback == "" {
			continue // recorded without running (baseline): forgetting it undoes it
		}
		for _, c := range fixes {
			if c.Record.Key() != u.rec.Key() || !strings.EqualFold(c.Record.Change, u.rec.Change) {
				continue
			}
			file := c.Node.Change.File
			if c.Node.Change.RollbackFile != "" {
				file = c.Node.Change.RollbackFile
			}
			undo[i].rollback, undo[i].file, undo[i].line = c.Node.Rollback, file, c.Node.Change.RollbackLine
			s.e.log().Info("running the project's rollback, which differs from the one recorded at deploy", "change", c.Node.Change.ID(), "file", file, "diff", c.Diff)
		}
	}
	return undo
}

// recordRollbacks writes the project's corrected rollbacks into the history rows of their
// changes, in tx, and says so in res: rebaseline is how a fixed down script is recorded.
func (s *session) recordRollbacks(ctx context.Context, tx *sql.Tx, fixes []plan.RollbackCorrection, res *Result) error {
	for _, c := range fixes {
		r := *c.Record
		r.Rollback = c.Node.Rollback
		if err := s.hist.put(ctx, tx, &r); err != nil {
			return err
		}
		res.Steps = append(res.Steps, StepResult{Step: plan.Step{Action: plan.ActionRebaseline, Key: r.Key(), Node: c.Node, Record: c.Record,
			Reason: "corrected rollback recorded"}, Detail: "the project's rollback replaces the one recorded at deploy"})
	}
	return nil
}
