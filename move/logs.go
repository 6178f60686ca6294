package move

import (
	"context"
	"database/sql"
	"fmt"
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

// Reconcile copies the keys in A's outbox to B and forgets them: the cross-database half of the
// dual write. It returns how many keys it copied.
func (m *Move) Reconcile(ctx context.Context) (int, error) {
	entries, err := m.Outbox().Entries(ctx)
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
	return len(keys), m.Outbox().Clear(ctx, entries)
}

// EnsureLogs creates the reverse log and the write barrier (in B's database) and, for a move
// across databases, the outbox (in A's), so that applications can use them from the first dual
// write on.
func (m *Move) EnsureLogs(ctx context.Context) error {
	if err := m.ReverseLog().Ensure(ctx); err != nil {
		return err
	}
	if err := m.Barrier().ensure(ctx); err != nil {
		return err
	}
	if !m.Shared {
		return m.Outbox().Ensure(ctx)
	}
	return nil
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
	err = m.B.Dialect.AlignSequence(ctx, m.B.DB, m.B.Schema, m.B.Table, m.Def.Key[0], *top)
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
