package mirror

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
)

// Writer is the write path of one move in the application: the dual write, the logs of the keys
// it wrote, and the checks of whether its writes must wait. It holds no state and is safe for
// concurrent use when the move's databases are.
type Writer struct {
	Move *move.Move
}

// ErrNotShared is returned by SyncTx for a move whose tables are in two databases, where one
// transaction cannot span both: use OutboxTx and Reconcile instead.
var ErrNotShared = errors.New("the tables of the move are in two databases; record the key with OutboxTx in A's transaction instead")

// SyncTx makes B's rows for keys equal to mapping(A) inside tx, the application's transaction
// that just wrote A: the full mapped row is written to B (updated or inserted), or B's row is
// deleted when A has none. A's row is read under a share lock, so a concurrent backfill batch
// cannot copy an older version after it. Call it for every write to A while the switches say
// write B.
func (w Writer) SyncTx(ctx context.Context, tx *sql.Tx, keys ...move.Key) error {
	m := w.Move
	if !m.Shared {
		return fmt.Errorf("move %s: %w", m.Def.Name, ErrNotShared)
	}
	for _, k := range keys {
		if err := m.CopyKeyTx(ctx, tx, k); err != nil {
			return fmt.Errorf("move %s: write key %s to %s: %w", m.Def.Name, k, m.B, err)
		}
	}
	return nil
}

// LogReverseTx records, inside tx (a transaction on B's database), the keys the application
// wrote to B while B alone is written, so that a rollback from write-b copies them back to A.
func (w Writer) LogReverseTx(ctx context.Context, tx *sql.Tx, keys ...move.Key) error {
	return w.logKeys(ctx, tx, w.Move.B, move.ReverseLogTable, keys)
}

// OutboxTx records, inside tx (the application's transaction on A's database), the keys it
// wrote to A, for a move whose B is in another database. Reconcile copies them to B.
func (w Writer) OutboxTx(ctx context.Context, tx *sql.Tx, keys ...move.Key) error {
	return w.logKeys(ctx, tx, w.Move.A, move.OutboxTable, keys)
}

func (w Writer) logKeys(ctx context.Context, tx *sql.Tx, s move.Side, table string, keys []move.Key) error {
	d, name := s.Dialect, w.Move.Def.Name
	stmt := "INSERT INTO " + d.Qualify(s.Schema, table) + " (move, key_text, at) VALUES (" + d.Placeholder(1) + ", " + d.Placeholder(2) + ", " + d.Placeholder(3) + ")"
	for _, k := range keys {
		enc, err := k.Encode()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, stmt, name, enc, time.Now().UTC()); err != nil {
			return &move.Error{Move: name, Err: fmt.Errorf("log key %s in %s: %w", k, table, err),
				Hint: tandem.Hint{Code: tandem.HintMoveStart, Text: "starting the move creates the key log"}}
		}
	}
	return nil
}

// Barrier says why the application's writes must wait now ("" when they need not): a
// handover of the authoritative table is under way (see move.BarrierTable). client.Mirror asks
// it before the first write of every epoch, and again while it waits.
func (w Writer) Barrier(ctx context.Context) (string, error) {
	target, reason, since, err := w.Move.Barrier().Read(ctx)
	if err != nil || target == "" {
		return "", err
	}
	return fmt.Sprintf("move %s is handing over to %s since %s: %s", w.Move.Def.Name, target, since.Format(time.RFC3339), reason), nil
}

// RecordedEpoch returns the epoch of the last transition in the audit copy in B's database (0
// when there is none), without creating the copy's table: application instances call it. An
// instance whose store says epoch 0 while the copy says more reads a store that lost the
// move's state; client.Mirror then holds its writes until a coordinator restores it.
func (w Writer) RecordedEpoch(ctx context.Context) (int64, error) {
	m := w.Move
	d := m.B.Dialect
	var e sql.NullInt64
	err := m.B.DB.QueryRowContext(ctx, "SELECT MAX(epoch) FROM "+d.Qualify(m.B.Schema, move.TransitionsTable)+" WHERE move = "+d.Placeholder(1), m.Def.Name).Scan(&e)
	if err != nil {
		// No transition was ever recorded if the table does not exist yet.
		if _, cerr := d.Columns(ctx, m.B.DB, m.B.Schema, move.TransitionsTable); errors.Is(cerr, tandem.ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("move %s: read the audit copy %s: %w", m.Def.Name, move.TransitionsTable, err)
	}
	return e.Int64, nil
}
