package move

import (
	"context"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// AuditCopy is the copy of a move's transitions kept in B's database (TransitionsTable): the
// audit log that survives the switch store (a Redis restart, say).
type AuditCopy struct {
	move string
	b    Side
}

// Audit is the move's audit copy.
func (m *Move) Audit() AuditCopy { return AuditCopy{move: m.Def.Name, b: m.B} }

// ensure creates the audit copy's table in B's database if it is missing.
func (a AuditCopy) ensure(ctx context.Context) error {
	d, b := a.b.Dialect, a.b
	ts, txt, short := columnType(d, tandem.TimeColumn), columnType(d, tandem.TextColumn), columnType(d, tandem.KeyColumn)
	ddl := "CREATE TABLE IF NOT EXISTS " + d.Qualify(b.Schema, TransitionsTable) + " (move " + short + " NOT NULL, version bigint NOT NULL, from_phase " + short + " NOT NULL, to_phase " + short +
		" NOT NULL, epoch bigint NOT NULL, by_user " + txt + ", reason " + txt + ", forced smallint NOT NULL, at " + ts + " NOT NULL, PRIMARY KEY (move, version))"
	if _, err := b.DB.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("move %s: create %s: %w", a.move, TransitionsTable, err)
	}
	return nil
}

// Transitions returns the move's transitions, oldest first.
func (a AuditCopy) Transitions(ctx context.Context) ([]tandem.Transition, error) {
	if err := a.ensure(ctx); err != nil {
		return nil, err
	}
	d := a.b.Dialect
	rows, err := a.b.DB.QueryContext(ctx, "SELECT move, version, from_phase, to_phase, epoch, by_user, reason, forced, at FROM "+
		d.Qualify(a.b.Schema, TransitionsTable)+" WHERE move = "+d.Placeholder(1)+" ORDER BY version", a.move)
	if err != nil {
		return nil, fmt.Errorf("move %s: read the audit copy %s in %s's database: %w", a.move, TransitionsTable, a.b, err)
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
			return nil, fmt.Errorf("move %s: read the audit copy %s: %w", a.move, TransitionsTable, err)
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
		return nil, fmt.Errorf("move %s: read the audit copy %s: %w", a.move, TransitionsTable, err)
	}
	return out, nil
}

// Record copies a transition into B's database.
func (a AuditCopy) Record(ctx context.Context, t tandem.Transition) error {
	if err := a.ensure(ctx); err != nil {
		return err
	}
	d, b := a.b.Dialect, a.b
	table := d.Qualify(b.Schema, TransitionsTable)
	forced := 0
	if t.Forced {
		forced = 1
	}
	at := t.At
	if at.IsZero() {
		at = time.Now()
	}
	ph := func(i int) string { return d.Placeholder(i) }
	_, err := b.DB.ExecContext(ctx, "INSERT INTO "+table+" (move, version, from_phase, to_phase, epoch, by_user, reason, forced, at) VALUES ("+
		ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+", "+ph(5)+", "+ph(6)+", "+ph(7)+", "+ph(8)+", "+ph(9)+")",
		t.Move, t.Version, string(t.From), string(t.To), t.Epoch, t.By, t.Reason, forced, at.UTC())
	if err != nil {
		return fmt.Errorf("move %s: copy the transition to %s: %w", a.move, TransitionsTable, err)
	}
	return nil
}
