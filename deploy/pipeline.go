package deploy

import (
	"context"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
	"github.com/tandem-db/tandem/plan"
)

// pipelined sends a new change, its history rows and the COMMIT as one text, in one round trip,
// where the dialect allows it (tandem.Pipeliner): on a long run of small migrations the round
// trips, not the server's work, are what a deploy waits for.
//
// It reports whether the change was applied and recorded. On any failure the transaction is
// rolled back, nothing is recorded, and it returns false: the caller then runs the change the
// ordinary way, which reports the exact statement that fails (file:line) and retries lock
// timeouts. A failing change thus runs twice, both times in a transaction that rolls back.
func (s *session) pipelined(ctx context.Context, st plan.Step, stmts []statement, rec *tandem.Record, ev *tandem.Event) bool {
	lit, ok := s.e.Dialect.(tandem.Pipeliner)
	if !ok || !s.e.Dialect.Capabilities().DataModifyingCTE || len(stmts) == 0 {
		return false
	}
	var b strings.Builder
	b.WriteString("BEGIN")
	for _, stmt := range stmts {
		if stmt.tx == txWrap {
			continue // tandem's own BEGIN and COMMIT take their place
		}
		if stmt.copy || s.controlsTransaction(stmt.text) {
			return false // COPY data is streamed; a change that commits or rolls back by itself runs the ordinary way
		}
		// A newline before the separator ends a trailing line comment.
		b.WriteString("\n;\n")
		b.WriteString(stmt.text)
	}
	record, err := s.hist.insertWithEventText(lit, rec, ev)
	if err != nil {
		return false
	}
	b.WriteString("\n;\n")
	b.WriteString(record)
	b.WriteString("\n;\nCOMMIT")
	if _, err := s.conn.ExecContext(ctx, b.String()); err != nil {
		// The server stopped at the failing statement and left the transaction aborted (or
		// never began it). ROLLBACK outside a transaction is only a warning.
		if _, rbErr := s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rbErr != nil {
			s.e.log().Warn("rollback after a failed pipelined change", "change", st.Node.Change.ID(), "err", rbErr)
		}
		s.e.log().Debug("pipelined change failed; running it statement by statement", "change", st.Node.Change.ID(), "err", err)
		return false
	}
	return true
}

// controlsTransaction reports whether a statement begins, ends or marks a transaction.
func (s *session) controlsTransaction(stmt string) bool {
	kw := sqllex.Keywords(stmt, sqllex.FlavorOf(s.e.Dialect.Name()), 2)
	if len(kw) == 0 {
		return false
	}
	switch kw[0] {
	case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE":
		return true
	case "PREPARE":
		return len(kw) > 1 && kw[1] == "TRANSACTION"
	}
	return false
}
