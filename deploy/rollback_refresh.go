package deploy

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// refreshRollbacks records, for each deployed change of an Obevo file whose SQL is unchanged
// but whose "// ROLLBACK" section was edited since it was deployed, the rollback as now
// written: Obevo keeps the rollback of the latest deploy in its audit table (a rollback written
// badly can be corrected by a later release), and a rollback to an earlier release, whose files
// no longer have the change, runs the recorded one.
// g is the graph the deploy ran from.
func (s *session) refreshRollbacks(ctx context.Context, g *plan.Graph) error {
	records, err := s.hist.records(ctx, s.conn)
	if err != nil {
		return err
	}
	for _, n := range g.Nodes {
		if n.Object.Format != tandem.FormatObevo || !n.Object.Key.Type.Stateful() || !n.Change.HasRollback {
			continue
		}
		rec, ok := findRecord(records, n.Object.Key, n.Change.Name)
		if !ok || rec.Hash != n.Hash || rec.Status != tandem.Applied || rec.Rollback == n.Rollback {
			continue
		}
		rec.Rollback = n.Rollback
		if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.hist.put(ctx, tx, &rec) }); err != nil {
			return fmt.Errorf("%s:%d: record the edited rollback of %s: %w", n.Change.File, n.Change.RollbackLine, n, err)
		}
		s.e.log().Info("rollback section updated in history", "change", n.String(), "file", n.Change.File)
	}
	return nil
}

// findRecord finds the record of one change (names compare without case).
func findRecord(records []tandem.Record, k tandem.ObjectKey, change string) (tandem.Record, bool) {
	for _, r := range records {
		if r.Key() == k && strings.EqualFold(r.Change, change) {
			return r, true
		}
	}
	return tandem.Record{}, false
}
