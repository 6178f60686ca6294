package move

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// KeyLog is one of a move's tables of written keys: the reverse log in B's database
// (ReverseLogTable) or the outbox in A's (OutboxTable).
type KeyLog struct {
	move  string
	side  Side
	table string
}

// ReverseLog is the move's reverse log, in B's database: the keys written to B alone during the
// reverse window (write-b), which a rollback copies back to A.
func (m *Move) ReverseLog() KeyLog {
	return KeyLog{move: m.Def.Name, side: m.B, table: ReverseLogTable}
}

// Outbox is the move's outbox, in A's database: the keys written to A while B is written too,
// across databases, which Reconcile copies to B.
func (m *Move) Outbox() KeyLog { return KeyLog{move: m.Def.Name, side: m.A, table: OutboxTable} }

// Ensure creates the table if it is missing.
func (l KeyLog) Ensure(ctx context.Context) error {
	s, table := l.side, l.table
	d := s.Dialect
	id, ts, txt, short := columnType(d, tandem.SerialKeyColumn), columnType(d, tandem.TimeColumn), columnType(d, tandem.TextColumn), columnType(d, tandem.KeyColumn)
	stmt := "CREATE TABLE IF NOT EXISTS " + s.Dialect.Qualify(s.Schema, table) + " (id " + id + ", move " + short + " NOT NULL, key_text " + txt + " NOT NULL, at " + ts + " NOT NULL)"
	if _, err := s.DB.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("move %s: create %s in %s's database: %w", l.move, table, s, err)
	}
	return nil
}

// Entries returns the logged keys, oldest first, each once, creating the table if it is
// missing.
func (l KeyLog) Entries(ctx context.Context) ([]LoggedKey, error) {
	if err := l.Ensure(ctx); err != nil {
		return nil, err
	}
	return l.read(ctx)
}

// Keys returns the logged keys as Key.String() renders them.
func (l KeyLog) Keys(ctx context.Context) (map[string]bool, error) {
	entries, err := l.Entries(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(entries))
	for _, e := range entries {
		out[e.Key.String()] = true
	}
	return out, nil
}

// read returns the logged keys, oldest first, each once.
func (l KeyLog) read(ctx context.Context) ([]LoggedKey, error) {
	s, table := l.side, l.table
	d := s.Dialect
	rows, err := s.DB.QueryContext(ctx, "SELECT id, key_text FROM "+d.Qualify(s.Schema, table)+" WHERE move = "+d.Placeholder(1)+" ORDER BY id", l.move)
	if err != nil {
		return nil, fmt.Errorf("move %s: read %s: %w", l.move, table, err)
	}
	defer rows.Close()
	var out []LoggedKey
	at := map[string]int{} // a key written many times is copied once, under its latest id
	for rows.Next() {
		var e LoggedKey
		var text string
		var id int64
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		e.IDs = []int64{id}
		if i, dup := at[text]; dup {
			out[i].IDs = append(out[i].IDs, id)
			continue
		}
		if e.Key, err = decodeKey(text); err != nil {
			return nil, err
		}
		at[text] = len(out)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Clear forgets the given entries, or all of them when entries is nil. Entries are cleared by
// id, never by a range of ids: ids are given out when a row is inserted, not when it commits,
// so an entry with a smaller id may commit after a larger one was read.
func (l KeyLog) Clear(ctx context.Context, entries []LoggedKey) error {
	s, table := l.side, l.table
	d := s.Dialect
	base := "DELETE FROM " + d.Qualify(s.Schema, table) + " WHERE move = " + d.Placeholder(1)
	if entries == nil {
		if _, err := s.DB.ExecContext(ctx, base, l.move); err != nil {
			return fmt.Errorf("move %s: clear %s: %w", l.move, table, err)
		}
		return nil
	}
	var ids []int64
	for _, e := range entries {
		ids = append(ids, e.IDs...)
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(len(ids), start+500)]
		args := []any{l.move}
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			args = append(args, id)
			marks[i] = d.Placeholder(i + 2)
		}
		if _, err := s.DB.ExecContext(ctx, base+" AND id IN ("+strings.Join(marks, ", ")+")", args...); err != nil {
			return fmt.Errorf("move %s: clear %s: %w", l.move, table, err)
		}
	}
	return nil
}
