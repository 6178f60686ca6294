package move

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// BarrierTable, in B's database, holds a row for a move while the coordinator hands the
// authoritative table over between A and B. Instances switch at different moments, and a
// write made under the new switches before the other table has caught up would be lost or
// undone: during a rollback from write-b, a write to A before the rows written to B alone
// are copied back reads or overwrites a stale row; across databases, a write to B alone before
// A's outbox is drained is later overwritten by the reconciler. So while the row exists,
// client.Mirror holds the application's writes (they wait, then run under the new switches),
// and the coordinator removes it once the other table has caught up.
const BarrierTable = "tandem_move_barrier"

// Barrier is a move's row of the write barrier table (BarrierTable) in B's database.
type Barrier struct {
	move string
	b    Side
}

// Barrier returns the move's write barrier.
func (m *Move) Barrier() Barrier { return Barrier{move: m.Def.Name, b: m.B} }

func (w Barrier) table() string { return w.b.Dialect.Qualify(w.b.Schema, BarrierTable) }

func (w Barrier) ensure(ctx context.Context) error {
	d := w.b.Dialect
	ts, txt, short := columnType(d, tandem.TimeColumn), columnType(d, tandem.TextColumn), columnType(d, tandem.KeyColumn)
	stmt := "CREATE TABLE IF NOT EXISTS " + w.table() + " (move " + short + " NOT NULL PRIMARY KEY, target " + short + " NOT NULL, reason " + txt + " NOT NULL, since " + ts + " NOT NULL)"
	if _, err := w.b.DB.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("move %s: create %s in %s's database: %w", w.move, BarrierTable, w.b, err)
	}
	return nil
}

// Read returns the barrier's row: the phase a handover is under way to ("" when none is), why,
// and since when. It creates the table when it is missing.
func (w Barrier) Read(ctx context.Context) (target tandem.Phase, reason string, since time.Time, err error) {
	var t string
	var at any
	read := func() error {
		return w.b.DB.QueryRowContext(ctx, "SELECT target, reason, since FROM "+w.table()+" WHERE move = "+w.b.Dialect.Placeholder(1), w.move).Scan(&t, &reason, &at)
	}
	// The table is created on demand, not before every read: application instances read it.
	if err = read(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		if cerr := w.ensure(ctx); cerr != nil {
			return "", "", time.Time{}, errors.Join(err, cerr)
		}
		err = read()
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", time.Time{}, nil
	}
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("move %s: read %s: %w", w.move, BarrierTable, err)
	}
	return tandem.Phase(t), reason, asTime(at), nil
}

// Set makes the application's writes wait until Clear: a handover to phase target begins.
func (w Barrier) Set(ctx context.Context, target tandem.Phase, reason string) error {
	if err := w.ensure(ctx); err != nil {
		return err
	}
	d := w.b.Dialect
	if _, err := w.b.DB.ExecContext(ctx, "DELETE FROM "+w.table()+" WHERE move = "+d.Placeholder(1), w.move); err != nil {
		return fmt.Errorf("move %s: set the write barrier: %w", w.move, err)
	}
	_, err := w.b.DB.ExecContext(ctx, "INSERT INTO "+w.table()+" (move, target, reason, since) VALUES ("+d.Placeholder(1)+", "+d.Placeholder(2)+", "+d.Placeholder(3)+", "+d.Placeholder(4)+")",
		w.move, string(target), reason, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("move %s: set the write barrier: %w", w.move, err)
	}
	return nil
}

// Clear lets the application's writes go on.
func (w Barrier) Clear(ctx context.Context) error {
	if err := w.ensure(ctx); err != nil {
		return err
	}
	if _, err := w.b.DB.ExecContext(ctx, "DELETE FROM "+w.table()+" WHERE move = "+w.b.Dialect.Placeholder(1), w.move); err != nil {
		return &Error{Move: w.move, Err: fmt.Errorf("lift the write barrier: %w; the application's writes wait until it is lifted", err),
			Hint: tandem.Hint{Code: tandem.HintRunAgain, Text: "run the same operation again: it lifts the barrier"}}
	}
	return nil
}

// DrainOutbox reconciles A's outbox until it is empty twice in a row: once no instance writes A
// any more, B then holds every write made to A.
func (m *Move) DrainOutbox(ctx context.Context) error {
	for quiet := 0; quiet < 2; {
		n, err := m.Reconcile(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			quiet++
		}
	}
	return nil
}
