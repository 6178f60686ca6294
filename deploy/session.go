package deploy

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// connState is what a write session knows about its connection's state: the statements that
// bring it back to the state it had before the first change, and what guards each change.
type connState struct {
	restore []string // tandem.SessionResetter's statements
	guard   []string // tandem.ChangeGuard's statements run before a change's transaction
	dirty   bool     // a step ran since the state was last restored
	guarded bool     // the connection is set up for a guarded change (foreign keys off)
}

// readState records, right after the session's setup, how to restore the connection, so that
// every change starts from the same state whatever the changes before it set.
func (s *session) readState(ctx context.Context) error {
	stmts, err := s.e.Dialect.SessionRestore(ctx, s.conn)
	if err != nil {
		return fmt.Errorf("session state: %w", err)
	}
	s.state.restore = stmts
	if g, ok := s.e.Dialect.(tandem.ChangeGuard); ok {
		stmts, err := g.GuardChange(ctx, s.conn)
		if err != nil {
			return fmt.Errorf("session state: %w", err)
		}
		s.state.guard = stmts
	}
	return nil
}

// fresh brings the connection back to its state before the first change, when a step ran since
// (a step may have set search_path, sql_mode, a role or a PRAGMA for the rest of the session),
// pointed at the schema the session last pointed it at.
func (s *session) fresh(ctx context.Context) error {
	if s.state.dirty {
		if err := s.restoreState(ctx); err != nil {
			return err
		}
	}
	s.state.dirty = true
	return nil
}

// restoreState runs the restore statements, in one round trip where the driver takes several
// statements in one text.
func (s *session) restoreState(ctx context.Context) error {
	if len(s.state.restore) == 0 {
		return nil
	}
	// The schema the session pointed at is pointed at again in the same text, so that a change
	// in the same schema as the one before needs no round trip for it.
	stmts := append(s.state.restore[:len(s.state.restore):len(s.state.restore)], s.e.Dialect.UseSchema(s.current)...)
	if _, ok := s.e.Dialect.(tandem.Pipeliner); ok {
		stmts = []string{strings.Join(stmts, ";\n")}
	}
	for _, stmt := range stmts {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			s.current = ""
			return fmt.Errorf("restore the session's state after the previous change (%s): %w", firstLine(stmt), err)
		}
	}
	return nil
}

// guarded runs a transactional change on a connection set up for it (tandem.ChangeGuard: on
// SQLite, foreign keys off) when one of its statements needs that, and restores the connection
// afterwards, whatever the outcome.
func (s *session) guarded(ctx context.Context, stmts []statement, fn func() error) error {
	g, ok := s.e.Dialect.(tandem.ChangeGuard)
	if !ok || len(s.state.guard) == 0 || !slices.ContainsFunc(stmts, func(st statement) bool { return st.tx == txGuard || g.Guards(st.text) }) {
		return fn()
	}
	for _, stmt := range s.state.guard {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("prepare the connection for the change (%s): %w", stmt, err)
		}
	}
	s.state.guarded = true
	err := fn()
	s.state.guarded = false
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if rerr := s.restoreState(rctx); rerr != nil {
		// The connection keeps the guard's settings: the command stops here, so that nothing
		// else runs on it (it is discarded when the session ends).
		if err == nil {
			return tandem.WithHint(fmt.Errorf("the change ran and is recorded, but then: %w", rerr),
				tandem.Hint{Code: tandem.HintRunAgain, Text: "the same operation again goes on after the change"})
		}
		return fmt.Errorf("%w (and then: %v)", err, rerr)
	}
	return err
}

// checkChange runs the dialect's check of a guarded change in its transaction, before the
// history row and the commit: a violation fails the change, which rolls back.
func (s *session) checkChange(ctx context.Context, tx *sql.Tx, st plan.Step) error {
	if !s.state.guarded {
		return nil
	}
	g, ok := s.e.Dialect.(tandem.ChangeGuard)
	if !ok {
		return nil
	}
	if err := g.CheckChange(ctx, tx); err != nil {
		se := &StepError{Step: st, Err: err}
		if st.Node != nil {
			se.File, se.Line = st.Node.Change.File, st.Node.Change.Line
		}
		return se
	}
	return nil
}
