package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tandem-db/tandem"
)

// Restore writes a move's state and audit rows back after the store lost them, in one
// transaction that refuses (tandem.ErrConflict) once the move has had a transition here or
// holds a version at least st.Version: a compare-and-set from the empty state. The SQL store
// lives in the database that also keeps the audit copy, so it rarely loses a move alone; it
// happens when its tables are dropped or emptied by hand.
func (s *Store) Restore(ctx context.Context, st tandem.MoveState, audit []tandem.Transition) (tandem.MoveState, error) {
	if err := checkMove(st.Move); err != nil {
		return tandem.MoveState{}, err
	}
	if err := tandem.CheckRestore(st, audit); err != nil {
		return tandem.MoveState{}, err
	}
	op := fmt.Sprintf("restore move %q to %s at version %d, epoch %d", st.Move, st.Phase, st.Version, st.Epoch)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: begin: %w", op, err)
	}
	defer tx.Rollback()
	cur, exists, err := s.readState(ctx, tx, st.Move)
	if err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: read: %w", op, err)
	}
	var logged int
	if err := tx.QueryRowContext(ctx, s.q.auditCount, st.Move).Scan(&logged); err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: read the audit: %w", op, err)
	}
	if cur.Epoch != 0 || cur.Version >= st.Version || logged > 0 {
		return tandem.MoveState{}, fmt.Errorf("%s: the store holds the move at version %d, epoch %d (%s) with %d audit rows: %w", op, cur.Version, cur.Epoch, cur.Phase, logged, tandem.ErrConflict)
	}
	next := st
	next.UpdatedAt = now()
	at := next.UpdatedAt.UnixMicro()
	var res sql.Result
	if exists {
		res, err = tx.ExecContext(ctx, s.q.restoreMove, string(st.Phase), st.Switches.String(), st.Version, st.Epoch, boolInt(st.Paused), at, st.Move, cur.Version)
	} else {
		res, err = tx.ExecContext(ctx, s.q.insertMove, st.Move, string(st.Phase), st.Switches.String(), st.Version, st.Epoch, boolInt(st.Paused), at)
	}
	if err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: write: %w", op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: write: %w", op, err)
	} else if n != 1 {
		return tandem.MoveState{}, fmt.Errorf("%s: another writer changed the move first: %w", op, tandem.ErrConflict)
	}
	for _, t := range audit {
		if _, err := tx.ExecContext(ctx, s.q.insertAudit, st.Move, string(t.From), string(t.To), t.Version, t.Epoch, t.By, t.Reason, boolInt(t.Forced), t.At.UTC().UnixMicro()); err != nil {
			return tandem.MoveState{}, fmt.Errorf("%s: write the audit row of version %d: %w", op, t.Version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: commit: %w", op, err)
	}
	return next, nil
}
