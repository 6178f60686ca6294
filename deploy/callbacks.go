package deploy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
	"github.com/tandem-db/tandem/plan"
)

// scriptStatements splits a script that runs beside changes (a callback, a verify script) into
// statements that name the script's file, so that a failure points at it. Tokens are replaced
// as in the changes.
func (s *session) scriptStatements(sc tandem.Script) ([]statement, error) {
	text := sc.SQL
	if s.tokens != nil {
		text = s.tokens(text)
	}
	parts, err := sqllex.Split(text, sqllex.Options{Flavor: sqllex.FlavorOf(s.e.Dialect.Name())})
	if err != nil {
		line := sc.Line
		if se, ok := err.(*sqllex.SyntaxError); ok {
			line += se.Line - 1
		}
		return nil, &StepError{File: sc.File, Line: line, Err: err}
	}
	out := make([]statement, len(parts))
	for i, p := range parts {
		out[i] = statement{text: p.Text, line: sc.Line + p.Line - 1, file: sc.File}
		if p.Data != nil {
			out[i].copy, out[i].data, out[i].dataLine = true, p.Data.Rows, sc.Line+p.Data.Line-1
		}
	}
	// A script's own BEGIN ... COMMIT (or sqitch's BEGIN ... ROLLBACK around a verify) is not
	// sent: the script runs in the change's transaction, or the deploy's.
	if err := markScriptTx(sc.File, out, sqllex.FlavorOf(s.e.Dialect.Name())); err != nil {
		return nil, err
	}
	return out, nil
}

// around adds to a change's statements those that run with it in its transaction: the
// beforeEachMigrate callbacks before a numbered or repeatable migration, its verify script and
// the afterEachMigrate callbacks after it, as Flyway and sqitch run them.
func (s *session) around(st plan.Step, stmts []statement) ([]statement, error) {
	n := st.Node
	migration := n.Object.Key.Type == tandem.Versioned || n.Object.Key.Type == tandem.Repeatable
	var before, after []statement
	add := func(to *[]statement, sc tandem.Script) error {
		more, err := s.scriptStatements(sc)
		if err != nil {
			return withStep(err, st)
		}
		*to = append(*to, more...)
		return nil
	}
	for _, cb := range s.callbacks {
		if migration && cb.Event == tandem.BeforeEachMigrate {
			if err := add(&before, cb.Script); err != nil {
				return nil, err
			}
		}
	}
	if v := n.Change.Verify; v != nil {
		if err := add(&after, *v); err != nil {
			return nil, err
		}
	}
	for _, cb := range s.callbacks {
		if migration && cb.Event == tandem.AfterEachMigrate {
			if err := add(&after, cb.Script); err != nil {
				return nil, err
			}
		}
	}
	if len(before) == 0 && len(after) == 0 {
		return stmts, nil
	}
	out := append(before, stmts...)
	return append(out, after...), nil
}

// runCallbacks runs the callbacks of a once-per-deploy event, each in a transaction of its own
// where the database has transactional DDL. A failure is a *StepError naming the callback file.
func (s *session) runCallbacks(ctx context.Context, ev tandem.CallbackEvent) error {
	for _, cb := range s.callbacks {
		if cb.Event != ev {
			continue
		}
		stmts, err := s.scriptStatements(cb.Script)
		if err != nil {
			return fmt.Errorf("%s callback: %w", ev, err)
		}
		if err := s.use(ctx, ""); err != nil {
			return err
		}
		s.e.log().Info("running callback", "event", string(ev), "file", cb.File)
		run := func(q tandem.Querier) error {
			for i, stmt := range stmts {
				if _, err := q.ExecContext(ctx, stmt.text); err != nil {
					return tandem.WithHint(fmt.Errorf("%s:%d: %s callback, statement %d of %d: %w\n  statement: %s",
						cb.File, stmt.line, ev, i+1, len(stmts), err, firstLine(stmt.text)),
						tandem.Hint{Code: tandem.HintDeployAgain, Text: "fix the callback or the database, then deploy again"})
				}
			}
			return nil
		}
		if s.e.Dialect.Capabilities().TransactionalDDL {
			err = s.inTx(ctx, func(tx *sql.Tx) error { return run(tx) })
		} else {
			err = run(s.conn)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// afterError runs the afterMigrateError callbacks of a deploy that failed with err, even when
// it failed by cancellation, and returns err joined with any error of theirs.
func (s *session) afterError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if cbErr := s.runCallbacks(ctx, tandem.AfterMigrateError); cbErr != nil {
		return errors.Join(err, cbErr)
	}
	return err
}
