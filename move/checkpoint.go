package move

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// CheckpointTable is the table in B's database (and schema) that holds each backfill's
// progress. A batch's checkpoint commits in the batch's own transaction, so resume after a
// crash neither loses nor repeats rows.
const CheckpointTable = "tandem_move_checkpoint"

// Checkpoint is a backfill's recorded progress: of the whole backfill as Move.Checkpoint
// returns it (the sum over its parts), or of one part.
type Checkpoint struct {
	Move string
	// Part is 0 for the whole backfill, or the 1-based number of a part (a key range that one
	// worker copies at a time).
	Part int
	// Bound is H, or nil while it is not fixed.
	Bound *Bound
	// Lo and Hi delimit a part: keys above Lo (from the first when nil) up to Hi.
	Lo, Hi Key
	// LastKey is the last key of A scanned by a committed batch; nil before the first batch.
	// Summed over parts, it is the last key of the first part not done.
	LastKey Key
	// RowsCopied counts the rows the backfill inserted into B; RowsScanned the rows of A it read
	// (rows already in B, written by the application, are scanned but not copied).
	RowsCopied, RowsScanned, Batches int64
	// Total estimates RowsScanned at the end: the number of A keys up to H (in the part) when
	// the backfill first started; -1 until then.
	Total int64
	// Parts and PartsDone count the backfill's parts, once it has started.
	Parts, PartsDone int
	Done             bool
	UpdatedAt        time.Time
}

func (ct checkpoints) table() string { return ct.b.Dialect.Qualify(ct.b.Schema, CheckpointTable) }

// ensureCheckpoint creates the checkpoint table if it is missing. Row 0 of a move holds H, the
// total, the batch settings an operator set while it runs (settings), the running backfill's
// last report (live) and the last verification's summary (verified); rows 1..n are the parts the range up to H is split into when the backfill
// starts.
func (ct checkpoints) ensure(ctx context.Context) error {
	ts, txt, short := columnType(ct.b.Dialect, tandem.TimeColumn), columnType(ct.b.Dialect, tandem.TextColumn), columnType(ct.b.Dialect, tandem.KeyColumn)
	stmt := "CREATE TABLE IF NOT EXISTS " + ct.table() + " (move " + short + " NOT NULL, part integer NOT NULL, bound " + txt +
		", lo_key " + txt + ", hi_key " + txt + ", last_key " + txt + ", rows_copied bigint NOT NULL, rows_scanned bigint NOT NULL, batches bigint NOT NULL, total bigint NOT NULL, done smallint NOT NULL, updated_at " + ts +
		", settings " + txt + ", live " + txt + ", verified " + txt + ", PRIMARY KEY (move, part))"
	if _, err := ct.b.DB.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("move %s: create %s in %s's database: %w", ct.move, CheckpointTable, ct.b, err)
	}
	return nil
}

// Checkpoint reads the backfill's progress, summed over its parts. A move that never fixed its
// bound has a zero checkpoint with Bound nil and Total -1.
func (m *Move) Checkpoint(ctx context.Context) (Checkpoint, error) {
	if err := m.checkpoints().ensure(ctx); err != nil {
		return Checkpoint{}, err
	}
	meta, err := m.checkpoints().readMeta(ctx, m.B.DB, false)
	if err != nil || meta.Total < 0 {
		return meta, err
	}
	parts, err := m.checkpoints().readParts(ctx, m.B.DB)
	if err != nil {
		return meta, err
	}
	return sumParts(meta, parts), nil
}

// sumParts adds the parts' progress up into the whole backfill's.
func sumParts(meta Checkpoint, parts []Checkpoint) Checkpoint {
	cp := meta
	cp.Parts = len(parts)
	var lastOfFirstOpen Key
	for _, p := range parts {
		cp.RowsCopied += p.RowsCopied
		cp.RowsScanned += p.RowsScanned
		cp.Batches += p.Batches
		if p.Done {
			cp.PartsDone++
		} else if lastOfFirstOpen == nil {
			lastOfFirstOpen = p.LastKey
			if lastOfFirstOpen == nil {
				lastOfFirstOpen = p.Lo
			}
		}
		if p.UpdatedAt.After(cp.UpdatedAt) {
			cp.UpdatedAt = p.UpdatedAt
		}
	}
	switch {
	case len(parts) > 0 && cp.PartsDone == len(parts):
		cp.Done = true
		cp.LastKey = parts[len(parts)-1].LastKey
	case len(parts) > 0:
		cp.LastKey = lastOfFirstOpen
	}
	return cp
}

const checkpointColumns = "part, bound, lo_key, hi_key, last_key, rows_copied, rows_scanned, batches, total, done, updated_at"

// readCheckpoint reads row 0: H, the total, and whether a backfill of nothing is done.
func (ct checkpoints) readMeta(ctx context.Context, q querier, lock bool) (Checkpoint, error) {
	return ct.readPart(ctx, q, 0, lock)
}

// readPart reads one row of the checkpoint, locked for update when lock is set.
func (ct checkpoints) readPart(ctx context.Context, q querier, part int, lock bool) (Checkpoint, error) {
	d := ct.b.Dialect
	stmt := "SELECT " + checkpointColumns + " FROM " + ct.table() + " WHERE move = " + d.Placeholder(1) + " AND part = " + d.Placeholder(2)
	if lock {
		stmt += flavorOf(d).updateLock
	}
	rows, err := q.QueryContext(ctx, stmt, ct.move, part)
	if err != nil {
		return Checkpoint{Move: ct.move, Total: -1}, fmt.Errorf("move %s: read checkpoint: %w", ct.move, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Checkpoint{Move: ct.move, Total: -1}, fmt.Errorf("move %s: read checkpoint: %w", ct.move, err)
		}
		return Checkpoint{Move: ct.move, Part: part, Total: -1}, nil
	}
	return ct.scan(rows)
}

// readParts reads every part of the backfill, in order.
func (ct checkpoints) readParts(ctx context.Context, q querier) ([]Checkpoint, error) {
	d := ct.b.Dialect
	rows, err := q.QueryContext(ctx, "SELECT "+checkpointColumns+" FROM "+ct.table()+" WHERE move = "+d.Placeholder(1)+" AND part > 0 ORDER BY part", ct.move)
	if err != nil {
		return nil, fmt.Errorf("move %s: read checkpoint: %w", ct.move, err)
	}
	defer rows.Close()
	var parts []Checkpoint
	for rows.Next() {
		cp, err := ct.scan(rows)
		if err != nil {
			return nil, err
		}
		parts = append(parts, cp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("move %s: read checkpoint: %w", ct.move, err)
	}
	return parts, nil
}

func (ct checkpoints) scan(rows *sql.Rows) (Checkpoint, error) {
	cp := Checkpoint{Move: ct.move}
	var (
		bound, lo, hi, last sql.NullString
		done                int
		at                  any
	)
	if err := rows.Scan(&cp.Part, &bound, &lo, &hi, &last, &cp.RowsCopied, &cp.RowsScanned, &cp.Batches, &cp.Total, &done, &at); err != nil {
		return cp, fmt.Errorf("move %s: read checkpoint: %w", ct.move, err)
	}
	cp.Done = done != 0
	cp.UpdatedAt = asTime(at)
	if bound.Valid {
		k, err := decodeKey(bound.String)
		if err != nil {
			return cp, err
		}
		if len(k) == 0 {
			k = nil
		}
		cp.Bound = &Bound{Key: k}
	}
	for _, f := range []struct {
		s   sql.NullString
		dst *Key
	}{{lo, &cp.Lo}, {hi, &cp.Hi}, {last, &cp.LastKey}} {
		if f.s.Valid {
			k, err := decodeKey(f.s.String)
			if err != nil {
				return cp, err
			}
			*f.dst = k
		}
	}
	return cp, nil
}

// FixBound records H, the current largest key of A, as the backfill's upper bound. The
// coordinator calls it only after every instance has acknowledged dual-write, so that every
// row with a larger key is written to B by the application. Once fixed, H never moves: a later
// call returns the bound fixed first. Safe to call concurrently.
func (m *Move) FixBound(ctx context.Context) (Bound, error) {
	if err := m.checkpoints().ensure(ctx); err != nil {
		return Bound{}, err
	}
	cp, err := m.checkpoints().readMeta(ctx, m.B.DB, false)
	if err != nil {
		return Bound{}, err
	}
	if cp.Bound != nil {
		return *cp.Bound, nil
	}
	r, err := m.forward(ctx)
	if err != nil {
		return Bound{}, err
	}
	h, err := r.maxSrcKey(ctx)
	if err != nil {
		return Bound{}, err
	}
	enc, err := encodeKey(h)
	if err != nil {
		return Bound{}, err
	}
	if h == nil {
		enc = "[]"
	}
	d := m.B.Dialect
	now := time.Now().UTC()
	// Insert the row if it is missing, then set the bound only where none is set.
	if err := m.checkpoints().ensureRow0(ctx); err != nil {
		return Bound{}, err
	}
	upd := "UPDATE " + m.checkpoints().table() + " SET bound = " + d.Placeholder(1) + ", updated_at = " + d.Placeholder(2) + " WHERE move = " + d.Placeholder(3) + " AND part = 0 AND bound IS NULL"
	if _, err := m.B.DB.ExecContext(ctx, upd, enc, now, m.Def.Name); err != nil {
		return Bound{}, fmt.Errorf("move %s: fix bound: %w", m.Def.Name, err)
	}
	cp, err = m.checkpoints().readMeta(ctx, m.B.DB, false)
	if err != nil {
		return Bound{}, err
	}
	if cp.Bound == nil {
		return Bound{}, fmt.Errorf("move %s: fix bound: the checkpoint row disappeared while it was written", m.Def.Name)
	}
	return *cp.Bound, nil
}

// ensureRow0 inserts the checkpoint's row 0, without a bound, if it is missing. A concurrent
// caller may insert it first; its duplicate is then ignored.
func (ct checkpoints) ensureRow0(ctx context.Context) error {
	d := ct.b.Dialect
	ins := "INSERT INTO " + ct.table() + " (move, part, rows_copied, rows_scanned, batches, total, done, updated_at) SELECT " +
		d.Placeholder(1) + ", 0, 0, 0, 0, -1, 0, " + d.Placeholder(2) + " WHERE NOT EXISTS (SELECT 1 FROM " + ct.table() + " WHERE move = " + d.Placeholder(3) + " AND part = 0)"
	if _, err := ct.b.DB.ExecContext(ctx, ins, ct.move, time.Now().UTC(), ct.move); err != nil {
		if cp, rerr := ct.readPart(ctx, ct.b.DB, 0, false); rerr != nil || cp.Total == -1 && cp.UpdatedAt.IsZero() {
			return fmt.Errorf("move %s: create checkpoint: %w", ct.move, err)
		}
	}
	return nil
}

// Discard deletes every row of B and the backfill's checkpoint: the rollback of dual-write
// and backfill to pending, where B's partial rows are thrown away. The caller must have
// stopped every writer of B first (switches back to 1100, acknowledged).
func (m *Move) Discard(ctx context.Context) error {
	if err := m.checkpoints().ensure(ctx); err != nil {
		return err
	}
	tx, err := m.B.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("move %s: discard: %w", m.Def.Name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+m.B.qualified()); err != nil {
		return fmt.Errorf("move %s: discard rows of %s: %w", m.Def.Name, m.B, err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+m.checkpoints().table()+" WHERE move = "+m.B.Dialect.Placeholder(1), m.Def.Name); err != nil {
		return fmt.Errorf("move %s: discard checkpoint: %w", m.Def.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("move %s: discard: %w", m.Def.Name, err)
	}
	return nil
}

// saveCheckpoint writes one row's progress (a part's, after a batch, inside its transaction).
func (ct checkpoints) save(ctx context.Context, q querier, cp Checkpoint) error {
	d := ct.b.Dialect
	var last any
	if cp.LastKey != nil {
		enc, err := encodeKey(cp.LastKey)
		if err != nil {
			return err
		}
		last = enc
	}
	done := 0
	if cp.Done {
		done = 1
	}
	stmt := fmt.Sprintf("UPDATE %s SET last_key = %s, rows_copied = %s, rows_scanned = %s, batches = %s, total = %s, done = %s, updated_at = %s WHERE move = %s AND part = %s",
		ct.table(), d.Placeholder(1), d.Placeholder(2), d.Placeholder(3), d.Placeholder(4), d.Placeholder(5), d.Placeholder(6), d.Placeholder(7), d.Placeholder(8), d.Placeholder(9))
	res, err := q.ExecContext(ctx, stmt, last, cp.RowsCopied, cp.RowsScanned, cp.Batches, cp.Total, done, time.Now().UTC(), ct.move, cp.Part)
	if err != nil {
		return fmt.Errorf("move %s: save checkpoint: %w", ct.move, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("move %s: save checkpoint: the checkpoint row is gone (was the move discarded?)", ct.move)
	}
	return nil
}

// maxSrcKey returns the largest key of the route's source, or nil when it is empty.
func (r *route) maxSrcKey(ctx context.Context) (Key, error) {
	d := r.src.Dialect
	stmt := "SELECT " + joinNames(d, "", r.srcKey) + " FROM " + r.src.qualified() + " ORDER BY " + orderBy(d, "", r.srcKey, true) + " LIMIT 1"
	vals := make([]any, len(r.srcKey))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := r.src.DB.QueryRowContext(ctx, stmt).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("largest key of %s: %w", r.src, err)
	}
	return scanKey(vals), nil
}

// asTime reads a timestamp as the drivers return it (time.Time, or text in SQLite).
func asTime(v any) time.Time {
	switch v := v.(type) {
	case time.Time:
		return v.UTC()
	case []byte:
		return parseTimeText(string(v))
	case string:
		return parseTimeText(v)
	}
	return time.Time{}
}

func parseTimeText(s string) time.Time {
	// The last but one is time.Time.String(), as the SQLite driver stores a time in a text column.
	for _, f := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02"} {
		if t, err := time.Parse(f, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// checkpoints is a move's rows of the checkpoint table (CheckpointTable) in B's database: row 0
// with the bound, the tuned settings, the running backfill's report and the last
// verification, and one row per part.
type checkpoints struct {
	move string
	b    Side
}

// checkpoints returns the move's rows of the checkpoint table.
func (m *Move) checkpoints() checkpoints { return checkpoints{move: m.Def.Name, b: m.B} }
