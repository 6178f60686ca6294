package client

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
	"github.com/tandem-db/tandem/move/mirror"
)

// Mirror applies a move's write rule for the switches in force. Create one per move and share
// it; it is safe for concurrent use.
type Mirror struct {
	Client *Client
	Move   *move.Move
	// HoldFor bounds how long Write waits while the coordinator hands the authoritative
	// table over (see move.BarrierTable): default 30s, after which Write fails with
	// ErrWritesHeld.
	HoldFor time.Duration

	clearEpoch atomic.Int64 // 1 + the epoch in which no barrier was found; 0: none yet
}

// ErrWritesHeld is returned by Write when the coordinator's write barrier stayed up longer than
// HoldFor: a handover is slow, or its coordinator stopped (running its command again finishes
// or lifts it); or when the switch store lost the move's state and no coordinator restored it
// within HoldFor.
var ErrWritesHeld = errors.New("writes are held while the coordinator hands the authoritative table over")

// ErrSwitchesChanged is returned by Write when the move's switches kept changing during every
// attempt of a write: a phase change storm, which should not happen.
var ErrSwitchesChanged = errors.New("the move's switches changed during the write")

// Write runs one logical write of the row with the given key, in one transaction, on whichever
// table the switches say is written, and keeps the other in step:
//
//   - A only (1100): writeA runs on A's database.
//   - A and B (1101, 0111): writeA runs, then B's row is made equal to mapping(A's row) in the
//     same transaction when A and B share a database; otherwise the key goes to A's outbox in
//     that transaction, and the coordinator's reconciler copies it.
//   - B only (0011): writeB runs on B's database, and the key is logged in the same transaction
//     so that a rollback can copy the row back to A.
//
// Just before it commits, Write checks that the move's epoch is still the one it started with;
// if a phase change arrived meanwhile it rolls back and runs the write again under the new
// switches. So a write never commits under switches the fleet has already left, however long
// it waited for locks: the coordinator's grace period only has to cover the instant between
// that check and the commit.
//
// While the coordinator hands the authoritative table over between A and B (a rollback from
// write-b; the step to write-b across databases), Write waits before it starts, until the other
// table has caught up, and then writes under the new switches (see move.BarrierTable). It asks
// once per phase whether it must wait: one query of B's database.
//
// writeA and writeB do the application's own SQL on the transaction they are given (writeB may
// be nil before the move reaches write-b); they may run more than once. Write returns their
// error, or the mirror's, after rolling back.
func (m *Mirror) Write(ctx context.Context, key move.Key, writeA, writeB func(tx *sql.Tx) error) error {
	for attempt := 0; attempt < 10; attempt++ {
		st, err := m.waitBarrier(ctx)
		if err != nil {
			return err
		}
		err = m.writeOnce(ctx, st, key, writeA, writeB)
		if !errors.Is(err, errEpochMoved) {
			return err
		}
	}
	return fmt.Errorf("%w, 10 times in a row", ErrSwitchesChanged)
}

var errEpochMoved = errors.New("the move's epoch moved during the write")

// writeOnce writes under the switches of st, the state waitBarrier cleared; if the epoch moves
// on before the commit, the write is rolled back and run again.
func (m *Mirror) writeOnce(ctx context.Context, st tandem.MoveState, key move.Key, writeA, writeB func(tx *sql.Tx) error) error {
	name := m.Move.Def.Name
	sw := st.Switches
	unchanged := func() error {
		if now, _ := m.Client.State(name); now.Epoch != st.Epoch {
			return errEpochMoved
		}
		return nil
	}
	switch {
	case sw.WriteA:
		return inTx(ctx, m.Move.A.DB, func(tx *sql.Tx) error {
			if err := writeA(tx); err != nil {
				return err
			}
			switch {
			case !sw.WriteB:
			case m.Move.Shared:
				if err := m.writer().SyncTx(ctx, tx, key); err != nil {
					return err
				}
			default:
				if err := m.writer().OutboxTx(ctx, tx, key); err != nil {
					return err
				}
			}
			return unchanged()
		})
	case sw.WriteB:
		if writeB == nil {
			return fmt.Errorf("move %s writes B only now (%s), and this write has no writeB", name, sw)
		}
		return inTx(ctx, m.Move.B.DB, func(tx *sql.Tx) error {
			if err := writeB(tx); err != nil {
				return err
			}
			if err := m.writer().LogReverseTx(ctx, tx, key); err != nil {
				return err
			}
			return unchanged()
		})
	}
	return fmt.Errorf("move %s has switches %s, which write nothing", name, sw)
}

// waitBarrier returns once no handover holds the move's writes. The barrier is only set just
// before a phase change, so once it is found lifted in an epoch it is not asked again in that
// epoch: a write costs one extra query per phase, not one per write.
func (m *Mirror) waitBarrier(ctx context.Context) (tandem.MoveState, error) {
	name := m.Move.Def.Name
	limit := m.HoldFor
	if limit <= 0 {
		limit = 30 * time.Second
	}
	start := time.Now()
	for {
		st, err := m.Client.State(name)
		if err != nil {
			return st, err
		}
		if m.clearEpoch.Load() == st.Epoch+1 {
			return st, nil
		}
		why, err := m.writer().Barrier(ctx)
		hint := tandem.Hint{Code: tandem.HintMoveHandover, Text: "if no coordinator is running, advance or roll back the move again: that finishes or lifts the handover"}
		if err == nil && why == "" && st.Epoch == 0 {
			why, err = m.storeLost(ctx)
			hint = tandem.Hint{Code: tandem.HintMoveRestore, Text: "a coordinator reading the move's state restores it"}
		}
		if err != nil {
			return st, fmt.Errorf("move %s: check whether writes must wait: %w", name, err)
		}
		if why == "" {
			m.clearEpoch.Store(st.Epoch + 1)
			return st, nil
		}
		if waited := time.Since(start); waited > limit {
			return st, tandem.WithHint(fmt.Errorf("%w, for %v now: %s", ErrWritesHeld, waited.Round(time.Millisecond), why), hint)
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("move %s: waiting for the handover to end: %w", name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// storeLost explains why an instance that reads the move at epoch 0 must not write: the audit
// copy in B's database records transitions, so the switch store lost the move's state (a Redis
// restarted empty) and the switches it gives (1100) may stop writing the authoritative table.
// The instance takes the right state once a coordinator restores the store.
func (m *Mirror) storeLost(ctx context.Context) (string, error) {
	e, err := m.writer().RecordedEpoch(ctx)
	if err != nil || e == 0 {
		return "", err
	}
	return fmt.Sprintf("the switch store reads move %s as pending at epoch 0, but its audit copy in B's database is at epoch %d: the store lost the move's state", m.Move.Def.Name, e), nil
}

// writer is the move's write path.
func (m *Mirror) writer() mirror.Writer { return mirror.Writer{Move: m.Move} }

// ReadB reports whether reads of the move's data go to B now.
func (m *Mirror) ReadB() bool { return m.Client.Switches(m.Move.Def.Name).ReadB }

func inTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	return tx.Commit()
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}
