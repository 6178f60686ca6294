package deploy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// indexGuard carries, across the attempts of one retried statement, the invalid indexes that a
// failed online index build left and that could not be dropped yet.
type indexGuard struct {
	left []string
}

// cleanupTimeout bounds the catalog reads and drops that follow a failed index build, which run
// even when the deploy was cancelled.
const cleanupTimeout = time.Minute

// execAlone runs stmts[i], a statement that commits on its own, on the session's connection.
//
// An online index build (tandem.IndexBuilder) is guarded, because PostgreSQL keeps the index of
// a build that fails part way, invalid: before it runs, an invalid index of the name it creates
// (an interrupted earlier build) and what an earlier attempt left are dropped; after it fails,
// the invalid indexes it left are dropped; a build that reports success while leaving an index
// invalid fails. What was dropped, or could not be, is said in the StepError.
func (s *session) execAlone(ctx context.Context, st plan.Step, stmts []statement, i int, g *indexGuard) error {
	ib, ok := s.e.Dialect.(tandem.IndexBuilder)
	if !ok {
		return s.execAll(ctx, s.conn, st, stmts[i:i+1], 0)
	}
	text := stmts[i].text
	stepErr := func(err error, notes ...string) *StepError {
		return &StepError{Step: st, File: st.Node.Change.File, Line: stmts[i].line, Statement: text,
			Index: i + 1, Count: len(stmts), Applied: i, Err: err, Notes: notes}
	}
	if len(g.left) > 0 {
		left, err := s.dropIndexes(ctx, ib, g.left)
		if err != nil {
			g.left = left
			return stepErr(fmt.Errorf("drop the invalid index %s that an earlier attempt left: %w", left[0], err),
				dropByHand(ib, left))
		}
		g.left = nil
	}
	before, err := ib.IndexBuild(ctx, s.conn, text)
	if err != nil {
		return stepErr(err)
	}
	if before == nil {
		return s.execAll(ctx, s.conn, st, stmts[i:i+1], 0)
	}
	if before.Index != "" && slices.Contains(before.Invalid, before.Index) {
		s.e.log().Warn("an invalid index of the name this build creates exists (an interrupted earlier build); dropping it to build it again",
			"change", st.Node.Change.ID(), "index", before.Index)
		if _, err := s.dropIndexes(ctx, ib, []string{before.Index}); err != nil {
			return stepErr(fmt.Errorf("drop the invalid index %s left by an earlier build: %w", before.Index, err),
				dropByHand(ib, []string{before.Index}))
		}
		before.Invalid = slices.DeleteFunc(before.Invalid, func(x string) bool { return x == before.Index })
	}
	runErr := s.execAll(ctx, s.conn, st, stmts[i:i+1], 0)

	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	after, err := ib.IndexBuild(cctx, s.conn, text)
	if err != nil {
		if runErr != nil {
			return runErr
		}
		return stepErr(fmt.Errorf("check the index the build made: %w", err))
	}
	var left []string
	for _, x := range after.Invalid {
		if !slices.Contains(before.Invalid, x) {
			left = append(left, x)
		}
	}
	if len(left) == 0 {
		return runErr
	}
	se, ok := runErr.(*StepError)
	if !ok {
		se = stepErr(fmt.Errorf("the build reported success but left %s invalid (unused by queries)", strings.Join(left, ", ")))
	}
	remaining, dropErr := s.dropIndexes(cctx, ib, left)
	g.left = remaining
	if dropped := len(left) - len(remaining); dropped > 0 {
		se.Notes = append(se.Notes, fmt.Sprintf("the failed build left %s invalid; tandem dropped it", strings.Join(left[:dropped], ", ")))
	}
	if dropErr != nil {
		se.Notes = append(se.Notes, fmt.Sprintf("the failed build left %s invalid, and dropping it failed: %v", strings.Join(remaining, ", "), dropErr),
			dropByHand(ib, remaining))
	}
	return se
}

// dropLeftovers drops what an interrupted run of stmt, an online index build, would have left,
// so that a rerun can tell from the schema whether it had completed. It does nothing for other
// statements.
func (s *session) dropLeftovers(ctx context.Context, st plan.Step, stmt statement) error {
	ib, ok := s.e.Dialect.(tandem.IndexBuilder)
	if !ok {
		return nil
	}
	b, err := ib.IndexBuild(ctx, s.conn, stmt.text)
	if err != nil || b == nil || len(b.Leftovers) == 0 {
		return err
	}
	s.e.log().Warn("the interrupted index build left invalid indexes; dropping them before deciding whether it completed",
		"change", st.Node.Change.ID(), "indexes", strings.Join(b.Leftovers, ", "))
	if left, err := s.dropIndexes(ctx, ib, b.Leftovers); err != nil {
		return &StepError{Step: st, File: st.Node.Change.File, Line: stmt.line, Statement: stmt.text,
			Err: fmt.Errorf("drop the invalid index %s left by the interrupted build: %w", left[0], err), Notes: []string{dropByHand(ib, left)}}
	}
	return nil
}

// waitForKilled waits, up to the engine's lock wait, until no other session runs stmt: the
// server side of the killed deploy may still be running it, and whether it completes decides
// what the rerun does.
func (s *session) waitForKilled(ctx context.Context, st plan.Step, stmt statement) error {
	deadline := time.Now().Add(s.e.lockWait())
	for logged := false; ; {
		running, err := s.e.Dialect.Running(ctx, s.conn, stmt.text)
		if err != nil || len(running) == 0 {
			return err
		}
		if time.Now().After(deadline) {
			return &StepError{Step: st, File: st.Node.Change.File, Line: stmt.line, Statement: stmt.text,
				Err:   fmt.Errorf("the last run was interrupted during this statement, and another session is still running it (%s)", strings.Join(running, "; ")),
				Notes: []string{"it is probably the server side of the interrupted deploy: wait for it to end, or cancel it, then deploy again"}}
		}
		if !logged {
			s.e.log().Warn("the interrupted statement is still running in another session; waiting for it to end",
				"change", st.Node.Change.ID(), "sessions", strings.Join(running, "; "))
			logged = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// dropIndexes drops indexes in order, returning those not dropped when one fails.
func (s *session) dropIndexes(ctx context.Context, ib tandem.IndexBuilder, names []string) ([]string, error) {
	for k, name := range names {
		if _, err := s.conn.ExecContext(ctx, ib.DropIndex(name)); err != nil {
			return names[k:], err
		}
		s.e.log().Info("dropped an invalid index left by a failed build", "index", name)
	}
	return nil, nil
}

// dropByHand says how to drop indexes tandem could not.
func dropByHand(ib tandem.IndexBuilder, names []string) string {
	stmts := make([]string, len(names))
	for k, n := range names {
		stmts[k] = ib.DropIndex(n)
	}
	return "drop it before deploying again: " + strings.Join(stmts, "; ")
}
