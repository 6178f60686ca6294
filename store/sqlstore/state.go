package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanState reads one row of the moves table.
func scanState(r scanner) (tandem.MoveState, error) {
	var st tandem.MoveState
	var phase, sw string
	var paused int
	var at int64
	if err := r.Scan(&st.Move, &phase, &sw, &st.Version, &st.Epoch, &paused, &at); err != nil {
		return st, err
	}
	st.Phase, st.Paused, st.UpdatedAt = tandem.Phase(phase), paused != 0, fromMicros(at)
	var err error
	if st.Switches, err = tandem.ParseSwitches(sw); err != nil {
		return st, fmt.Errorf("move %q: %w", st.Move, err)
	}
	return st, nil
}

// readState reads a move's row; a move without one is pending at version 0, and exists is
// false.
func (s *Store) readState(ctx context.Context, q tandem.Querier, move string) (st tandem.MoveState, exists bool, err error) {
	st, err = scanState(q.QueryRowContext(ctx, s.q.state, move))
	if errors.Is(err, sql.ErrNoRows) {
		return tandem.MoveState{Move: move, Phase: tandem.PhasePending, Switches: tandem.SwitchesA}, false, nil
	}
	return st, err == nil, err
}

// State returns a move's state. A move never written is pending, 1100, version 0.
func (s *Store) State(ctx context.Context, move string) (tandem.MoveState, error) {
	if err := checkMove(move); err != nil {
		return tandem.MoveState{}, err
	}
	st, _, err := s.readState(ctx, s.db, move)
	if err != nil {
		return tandem.MoveState{}, fmt.Errorf("read the state of move %q from %s: %w", move, s.q.movesTable, err)
	}
	return st, nil
}

// Transition moves a move to phase to if its version is still version, in one transaction
// with its audit row. It returns tandem.ErrConflict when the version moved on (checked first,
// so the loser of a race learns that it lost) and tandem.ErrIllegalTransition when the step
// skips or repeats a phase.
func (s *Store) Transition(ctx context.Context, move string, version int64, to tandem.Phase, t tandem.Transition) (tandem.MoveState, error) {
	if err := checkMove(move); err != nil {
		return tandem.MoveState{}, err
	}
	op := fmt.Sprintf("move %q from version %d to %s", move, version, to)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: begin: %w", op, err)
	}
	defer tx.Rollback()
	cur, exists, err := s.readState(ctx, tx, move)
	if err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: read: %w", op, err)
	}
	if cur.Version != version {
		return tandem.MoveState{}, fmt.Errorf("%s: the move is at version %d (%s): %w", op, cur.Version, cur.Phase, tandem.ErrConflict)
	}
	if !tandem.CanTransition(cur.Phase, to) {
		return tandem.MoveState{}, fmt.Errorf("%s: the move is in %s: %w", op, cur.Phase, tandem.ErrIllegalTransition)
	}
	next := cur
	next.Phase, next.Switches, next.Version, next.Epoch, next.UpdatedAt = to, to.Switches(), cur.Version+1, cur.Epoch+1, now()
	at := next.UpdatedAt.UnixMicro()
	var res sql.Result
	if exists {
		res, err = tx.ExecContext(ctx, s.q.updateMove, string(to), next.Switches.String(), next.Version, next.Epoch, at, move, version)
	} else {
		res, err = tx.ExecContext(ctx, s.q.insertMove, move, string(to), next.Switches.String(), next.Version, next.Epoch, boolInt(next.Paused), at)
	}
	if err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: write: %w", op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: write: %w", op, err)
	} else if n != 1 {
		return tandem.MoveState{}, fmt.Errorf("%s: another writer changed the move first: %w", op, tandem.ErrConflict)
	}
	if _, err := tx.ExecContext(ctx, s.q.insertAudit, move, string(cur.Phase), string(to), next.Version, next.Epoch, t.By, t.Reason, boolInt(t.Forced), at); err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: write the audit row: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return tandem.MoveState{}, fmt.Errorf("%s: commit: %w", op, err)
	}
	return next, nil
}

// pauseAttempts bounds SetPaused's compare-and-set loop under contention.
const pauseAttempts = 50

// SetPaused sets the pause switch. It bumps Version (also when the switch already had that
// value: every call is a write that subscribers hear of), never Epoch. It is a compare-and-set
// on the version, retried while other writers get in first.
func (s *Store) SetPaused(ctx context.Context, move string, paused bool) (tandem.MoveState, error) {
	if err := checkMove(move); err != nil {
		return tandem.MoveState{}, err
	}
	op := fmt.Sprintf("set pause of move %q to %v", move, paused)
	for attempt := range pauseAttempts {
		cur, exists, err := s.readState(ctx, s.db, move)
		if err != nil {
			return tandem.MoveState{}, fmt.Errorf("%s: read: %w", op, err)
		}
		next := cur
		next.Paused, next.Version, next.UpdatedAt = paused, cur.Version+1, now()
		at := next.UpdatedAt.UnixMicro()
		var res sql.Result
		if exists {
			res, err = s.db.ExecContext(ctx, s.q.updatePause, boolInt(paused), next.Version, at, move, cur.Version)
		} else {
			res, err = s.db.ExecContext(ctx, s.q.insertMove, move, string(next.Phase), next.Switches.String(), next.Version, next.Epoch, boolInt(paused), at)
		}
		if err != nil {
			return tandem.MoveState{}, fmt.Errorf("%s: write: %w", op, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return tandem.MoveState{}, fmt.Errorf("%s: write: %w", op, err)
		} else if n == 1 {
			return next, nil
		}
		select {
		case <-ctx.Done():
			return tandem.MoveState{}, fmt.Errorf("%s: %w", op, ctx.Err())
		case <-time.After(time.Duration(attempt+1) * time.Millisecond):
		}
	}
	return tandem.MoveState{}, fmt.Errorf("%s: other writers changed the move %d times in a row: %w", op, pauseAttempts, tandem.ErrConflict)
}

// SetSwitchesRaw is a plain UPDATE of a move's switches column and nothing else: the lowest
// writing layer of the store, where only the table's CHECK constraint stands between a caller
// and an illegal pattern. It is there for repairs and for the conformance suite's check that
// the database itself refuses illegal switches (the error then wraps
// tandem.ErrIllegalSwitches as well as the database's own). It bypasses the phase machine, the
// version and the audit log, and a move without a row is left alone.
func (s *Store) SetSwitchesRaw(ctx context.Context, move, sw string) error {
	if err := checkMove(move); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.q.rawSwitches, sw, move); err != nil {
		if p, perr := tandem.ParseSwitches(sw); perr != nil || !p.Legal() {
			return fmt.Errorf("write switches %q of move %q: the database refused them: %w (%w)", sw, move, tandem.ErrIllegalSwitches, err)
		}
		return fmt.Errorf("write switches %q of move %q: %w", sw, move, err)
	}
	return nil
}

// Audit returns a move's transitions, oldest first.
func (s *Store) Audit(ctx context.Context, move string) ([]tandem.Transition, error) {
	if err := checkMove(move); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q.audit, move)
	if err != nil {
		return nil, fmt.Errorf("read the audit of move %q: %w", move, err)
	}
	defer rows.Close()
	var out []tandem.Transition
	for rows.Next() {
		var t tandem.Transition
		var from, to string
		var forced int
		var at int64
		if err := rows.Scan(&t.Move, &from, &to, &t.Version, &t.Epoch, &t.By, &t.Reason, &forced, &at); err != nil {
			return nil, fmt.Errorf("read the audit of move %q: %w", move, err)
		}
		t.From, t.To, t.Forced, t.At = tandem.Phase(from), tandem.Phase(to), forced != 0, fromMicros(at)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the audit of move %q: %w", move, err)
	}
	return out, nil
}
