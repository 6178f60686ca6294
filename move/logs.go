package move

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// The tables the application side of a move writes, each in the database named.
const (
	// ReverseLogTable, in B's database, lists the keys written to B while B alone is written
	// (write-b): a rollback copies exactly those back to A.
	ReverseLogTable = "tandem_move_reverse_log"
	// OutboxTable, in A's database, lists the keys written to A while B is written too, when A
	// and B do not share a database: Reconcile copies them to B.
	OutboxTable = "tandem_move_outbox"
	// TransitionsTable, in B's database, is the copy of the audit log that survives the store.
	TransitionsTable = "tandem_move_transitions"
)

// LoggedKey is one key of the reverse log or the outbox, with the ids of every entry that
// named it.
type LoggedKey struct {
	IDs []int64
	Key Key
}

// ReverseLog returns the keys logged during the reverse window, oldest first.
func (m *Move) ReverseLog(ctx context.Context) ([]LoggedKey, error) {
	if err := m.reverseLog().ensure(ctx); err != nil {
		return nil, err
	}
	return m.reverseLog().read(ctx)
}

// ClearReverseLog forgets the given entries of the reverse log, or all of them when entries is
// nil. Entries are cleared by id, never by a range of ids: ids are given out when a row is
// inserted, not when it commits, so an entry with a smaller id may commit after a larger one was
// read.
func (m *Move) ClearReverseLog(ctx context.Context, entries []LoggedKey) error {
	return m.reverseLog().clear(ctx, entries)
}

// Reconcile copies the keys in A's outbox to B and forgets them: the cross-database half of the
// dual write. It returns how many keys it copied.
func (m *Move) Reconcile(ctx context.Context) (int, error) {
	if err := m.outbox().ensure(ctx); err != nil {
		return 0, err
	}
	entries, err := m.outbox().read(ctx)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	keys := make([]Key, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	if _, err := m.Repair(ctx, keys); err != nil {
		return 0, err
	}
	return len(keys), m.outbox().clear(ctx, entries)
}

// OutboxKeys returns the keys waiting in A's outbox, as Key.String() renders them.
func (m *Move) OutboxKeys(ctx context.Context) (map[string]bool, error) {
	if err := m.outbox().ensure(ctx); err != nil {
		return nil, err
	}
	entries, err := m.outbox().read(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(entries))
	for _, e := range entries {
		out[e.Key.String()] = true
	}
	return out, nil
}

// EnsureLogs creates the reverse log and the write barrier (in B's database) and, for a move
// across databases, the outbox (in A's), so that applications can use them from the first dual
// write on.
func (m *Move) EnsureLogs(ctx context.Context) error {
	if err := m.reverseLog().ensure(ctx); err != nil {
		return err
	}
	if err := m.Barrier().ensure(ctx); err != nil {
		return err
	}
	if !m.Shared {
		return m.outbox().ensure(ctx)
	}
	return nil
}

// EnsureReverseLog creates the reverse log in B's database, before B alone is written.
func (m *Move) EnsureReverseLog(ctx context.Context) error {
	return m.reverseLog().ensure(ctx)
}

// AlignSequence moves B's key generator past every key of A and B before B becomes
// authoritative, so that rows the application creates in B never take a key that A already
// used. It does nothing for a composite key or a key without a generator.
func (m *Move) AlignSequence(ctx context.Context) error {
	if len(m.Def.Key) != 1 || len(m.Def.KeyFrom) != 1 {
		return nil
	}
	top, err := m.maxKey(ctx)
	if err != nil || top == nil {
		return err
	}
	sa, ok := m.B.Dialect.(tandem.SequenceAligner)
	if !ok {
		return nil // the dialect generates no keys
	}
	err = sa.AlignSequence(ctx, m.B.DB, m.B.Schema, m.B.Table, m.Def.Key[0], *top)
	if err != nil {
		return fmt.Errorf("move %s: move %s's key sequence past %d: %w", m.Def.Name, m.B, *top, err)
	}
	return nil
}

// maxKey returns the largest integer key in A or B, or nil when the key is not an integer.
func (m *Move) maxKey(ctx context.Context) (*int64, error) {
	var top *int64
	for _, side := range []struct {
		s   Side
		col string
	}{{m.A, m.Def.KeyFrom[0]}, {m.B, m.Def.Key[0]}} {
		var v sql.NullInt64
		err := side.s.DB.QueryRowContext(ctx, "SELECT MAX("+side.s.Dialect.QuoteIdent(side.col)+") FROM "+side.s.qualified()).Scan(&v)
		if err != nil {
			return nil, nil // not an integer key
		}
		if v.Valid && (top == nil || v.Int64 > *top) {
			x := v.Int64
			top = &x
		}
	}
	return top, nil
}

// RecordTransition copies a transition into B's database, so that the audit log survives the
// store (a Redis restart, say).
func (m *Move) RecordTransition(ctx context.Context, t tandem.Transition) error {
	if err := m.ensureTransitions(ctx); err != nil {
		return err
	}
	d, b := m.B.Dialect, m.B
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
		return fmt.Errorf("move %s: copy the transition to %s: %w", m.Def.Name, TransitionsTable, err)
	}
	return nil
}
