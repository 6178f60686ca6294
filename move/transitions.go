package move

import (
	"context"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// ensureTransitions creates the audit copy's table in B's database if it is missing.
func (m *Move) ensureTransitions(ctx context.Context) error {
	d, b := m.B.Dialect, m.B
	ts, txt, short := columnType(d, tandem.TimeColumn), columnType(d, tandem.TextColumn), columnType(d, tandem.KeyColumn)
	ddl := "CREATE TABLE IF NOT EXISTS " + d.Qualify(b.Schema, TransitionsTable) + " (move " + short + " NOT NULL, version bigint NOT NULL, from_phase " + short + " NOT NULL, to_phase " + short +
		" NOT NULL, epoch bigint NOT NULL, by_user " + txt + ", reason " + txt + ", forced smallint NOT NULL, at " + ts + " NOT NULL, PRIMARY KEY (move, version))"
	if _, err := b.DB.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("move %s: create %s: %w", m.Def.Name, TransitionsTable, err)
	}
	return nil
}

// AuditCopy returns the copy of the move's transitions kept in B's database, oldest first: the
// audit log that survives the switch store.
func (m *Move) AuditCopy(ctx context.Context) ([]tandem.Transition, error) {
	if err := m.ensureTransitions(ctx); err != nil {
		return nil, err
	}
	d := m.B.Dialect
	rows, err := m.B.DB.QueryContext(ctx, "SELECT move, version, from_phase, to_phase, epoch, by_user, reason, forced, at FROM "+
		d.Qualify(m.B.Schema, TransitionsTable)+" WHERE move = "+d.Placeholder(1)+" ORDER BY version", m.Def.Name)
	if err != nil {
		return nil, fmt.Errorf("move %s: read the audit copy %s in %s's database: %w", m.Def.Name, TransitionsTable, m.B, err)
	}
	defer rows.Close()
	var out []tandem.Transition
	for rows.Next() {
		var (
			t          tandem.Transition
			from, to   string
			by, reason *string
			forced     int
			at         any
		)
		if err := rows.Scan(&t.Move, &t.Version, &from, &to, &t.Epoch, &by, &reason, &forced, &at); err != nil {
			return nil, fmt.Errorf("move %s: read the audit copy %s: %w", m.Def.Name, TransitionsTable, err)
		}
		t.From, t.To, t.Forced, t.At = tandem.Phase(from), tandem.Phase(to), forced != 0, asTime(at).Truncate(time.Microsecond)
		if by != nil {
			t.By = *by
		}
		if reason != nil {
			t.Reason = *reason
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("move %s: read the audit copy %s: %w", m.Def.Name, TransitionsTable, err)
	}
	return out, nil
}
