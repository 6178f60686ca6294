package move

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tandem-db/tandem"
)

// Repair re-copies exactly the given keys from A into B through the mapping: a key whose A row
// is gone is deleted from B; any other is written as a full row (updated in place when B has
// it, inserted otherwise, so that nothing referencing B's row is cascaded away). Keys are
// copied up to 200 per transaction, B's rows locked before A's are read (under a share lock
// in the same transaction when A and B share a database); a batch that fails is copied again
// key by key. It returns how many keys it wrote. Repairing a key that does not differ is
// harmless.
func (m *Move) Repair(ctx context.Context, keys []Key) (int, error) {
	r, err := m.forward(ctx)
	if err != nil {
		return 0, err
	}
	n, err := r.copyKeys(ctx, keys)
	if err != nil {
		return n, fmt.Errorf("move %s: repair: %w", m.Def.Name, err)
	}
	return n, nil
}

// CopyBack copies the given keys from B back to A through the reverse mapping, the same way
// Repair copies A to B: for the rollback from write-b, with the keys logged while the reverse
// window was open. It fails with ErrNoReverse when the move has no reverse mapping.
func (m *Move) CopyBack(ctx context.Context, keys []Key) error {
	r, err := m.reverse(ctx)
	if err != nil {
		return err
	}
	if _, err := r.copyKeys(ctx, keys); err != nil {
		return fmt.Errorf("move %s: copy back to %s: %w", m.Def.Name, m.A, err)
	}
	return nil
}

// copyKeys makes the destination rows of keys equal to the source's mapped rows, many keys per
// transaction (copyBatch); the keys of a batch that fails are copied one by one.
func (r *route) copyKeys(ctx context.Context, keys []Key) (int, error) {
	for _, k := range keys {
		if len(k) != len(r.srcKey) {
			return 0, fmt.Errorf("key %s has %d values; the key has %d columns", k, len(k), len(r.srcKey))
		}
	}
	written := 0
	for start := 0; start < len(keys); start += copyBatchKeys {
		part := keys[start:min(len(keys), start+copyBatchKeys)]
		n, err := r.copyBatch(ctx, part)
		if err == nil {
			written += n
			continue
		}
		if ctx.Err() != nil {
			return written, err
		}
		n, err = r.copyOneByOne(ctx, part)
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// copyOneByOne copies each key in its own transaction, retrying each up to three times.
func (r *route) copyOneByOne(ctx context.Context, keys []Key) (int, error) {
	written := 0
	for _, k := range keys {
		var err error
		for attempt := 0; attempt < 3; attempt++ {
			var w bool
			if w, err = r.copyKey(ctx, k); err == nil {
				if w {
					written++
				}
				break
			}
			if ctx.Err() != nil {
				return written, err
			}
		}
		if err != nil {
			return written, fmt.Errorf("key %s: %w", k, err)
		}
	}
	return written, nil
}

func (r *route) copyKey(ctx context.Context, k Key) (bool, error) {
	tx, err := r.dst.DB.BeginTx(ctx, r.dstFl.tx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	wrote, err := r.copyKeyIn(ctx, tx, k)
	if err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, errors.Join(errors.New("commit"), err)
	}
	return wrote, nil
}

// copyKeyIn makes the destination row of k equal to the source's mapped row inside tx, which
// must be a transaction on the destination's database (and, when shared, the source's).
func (r *route) copyKeyIn(ctx context.Context, tx *sql.Tx, k Key) (bool, error) {
	// Lock the destination row before reading the source. Read the other way round, a source
	// row found absent (which locks nothing under READ COMMITTED) could be written, with its
	// destination, by a concurrent application write before this copy deletes the destination
	// row it decided was stale. This order (A before B forward) is also the application's.
	d := r.dst.Dialect
	var args []any
	n := 0
	where := keyCmp(d, "", r.dstKey, "=", k, &n, &args)
	rows, err := tx.QueryContext(ctx, "SELECT 1 FROM "+r.dst.qualified()+" WHERE "+where+r.dstFl.updateLock, args...)
	if err != nil {
		return false, err
	}
	exists := rows.Next()
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	var src []mappedRow
	if r.shared {
		src, err = r.readMapped(ctx, tx, nil, nil, 0, []Key{k}, r.srcFl.shareLock)
	} else {
		src, err = r.readMapped(ctx, r.src.DB, nil, nil, 0, []Key{k}, "")
	}
	if err != nil {
		return false, err
	}
	wrote := true
	switch {
	case len(src) == 0 && !exists:
		wrote = false
	case len(src) == 0:
		_, err = tx.ExecContext(ctx, "DELETE FROM "+r.dst.qualified()+" WHERE "+where, args...)
	case exists:
		wrote, err = r.updateRow(ctx, tx, k, src[0].vals)
	default:
		err = r.writeNewRow(ctx, tx, src[0].vals)
	}
	if err != nil {
		return false, err
	}
	return wrote, nil
}

// writeNewRow writes the mapped row of a key that B did not have when it looked. Where B's
// database has a form acting on the primary key alone (tandem.Syntax.UpsertOnKey), a full-row
// upsert on it: a row that a backfill batch inserted and has not committed yet is invisible to
// the look, and is waited for and overwritten here (the batch locks A's rows against deletes
// only); any other unique violation fails. Elsewhere a plain INSERT: a row inserted meanwhile
// by someone else fails it, and the key is retried as an update, rather than being skipped.
func (r *route) writeNewRow(ctx context.Context, tx *sql.Tx, vals []any) error {
	d := r.dst.Dialect
	var sets []string
	for i, c := range r.cols {
		if !isKeyPos(r.keyPos, i) {
			sets = append(sets, d.QuoteIdent(c.Name))
		}
	}
	tail, ok := d.Syntax().UpsertOnKey(joinNames(d, "", r.dstKey), sets...)
	if !ok {
		return r.insertRows(ctx, tx, [][]any{vals}, "")
	}
	stmt := "INSERT INTO " + r.dst.qualified() + " (" + joinNames(d, "", r.cols) + ") VALUES (" + tandem.Placeholders(d, 1, len(vals)) + ")" + tail
	if _, err := tx.ExecContext(ctx, stmt, vals...); err != nil {
		return fmt.Errorf("write a row into %s: %w", r.dst, err)
	}
	return nil
}

func isKeyPos(pos []int, i int) bool {
	for _, p := range pos {
		if p == i {
			return true
		}
	}
	return false
}

// CopyKeyTx makes B's row for k equal to mapping(A) inside tx, a transaction on the database A
// and B share: the full mapped row is written to B (updated or inserted), or B's row is deleted
// when A has none. A's row is read under a share lock, so a concurrent backfill batch cannot
// copy an older version after it. It is the dual write of mirror.Writer.SyncTx.
func (m *Move) CopyKeyTx(ctx context.Context, tx *sql.Tx, k Key) error {
	r, err := m.forward(ctx)
	if err != nil {
		return err
	}
	_, err = r.copyKeyIn(ctx, tx, k)
	return err
}
