package deploy

import (
	"context"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// redoIn applies again, on q, a change withdrawn after the target of a rollback, and records it.
func (s *session) redoIn(ctx context.Context, q tandem.Querier, st plan.Step) error {
	return s.runIn(ctx, q, st, tandem.EventApply, true)
}
