package deploy

import (
	"context"
	"database/sql"

	"github.com/tandem-db/tandem/plan"
)

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
