package move

import (
	"context"
	"fmt"
	"strings"
)

// copyBatchKeys is how many keys copyKeys makes equal in one transaction.
const copyBatchKeys = 200

// copyBatch makes the destination rows of keys equal to the source's mapped rows in one
// transaction, in the order copyKeyIn uses for one key: the destination rows are locked first,
// then the source is read (under a share lock, in the same transaction, when shared); rows the
// source no longer has are deleted, the others updated in place or inserted. A row inserted
// meanwhile by someone else fails the batch (a plain INSERT), and the caller copies its keys one
// by one. It returns how many keys it wrote.
func (r *route) copyBatch(ctx context.Context, keys []Key) (int, error) {
	tx, err := r.dst.DB.BeginTx(ctx, r.dstFl.tx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	d := r.dst.Dialect
	var args []any
	n := 0
	rows, err := tx.QueryContext(ctx, "SELECT "+joinNames(d, "", r.dstKey)+" FROM "+r.dst.qualified()+" WHERE "+keyIn(d, "", r.dstKey, keys, &n, &args)+r.dstFl.updateLock, args...)
	if err != nil {
		return 0, err
	}
	present := map[string]bool{}
	vals := make([]any, len(r.dstKey))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return 0, err
		}
		present[scanKey(vals).String()] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var src []mappedRow
	if r.shared {
		src, err = r.readMapped(ctx, tx, nil, nil, 0, keys, r.srcFl.shareLock)
	} else {
		src, err = r.readMapped(ctx, r.src.DB, nil, nil, 0, keys, "")
	}
	if err != nil {
		return 0, err
	}
	inSrc := make(map[string]mappedRow, len(src))
	for _, row := range src {
		inSrc[row.key.String()] = row
	}
	var (
		gone    []Key
		inserts [][]any
		written int
		seen    = map[string]bool{}
	)
	for _, k := range keys {
		ks := k.String()
		if seen[ks] {
			continue
		}
		seen[ks] = true
		row, ok := inSrc[ks]
		switch {
		case !ok && present[ks]:
			gone = append(gone, k)
		case ok && present[ks]:
			w, err := r.updateRow(ctx, tx, k, row.vals)
			if err != nil {
				return 0, err
			}
			if w {
				written++
			}
		case ok:
			inserts = append(inserts, row.vals)
		}
	}
	if len(gone) > 0 {
		var dargs []any
		dn := 0
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+r.dst.qualified()+" WHERE "+keyIn(d, "", r.dstKey, gone, &dn, &dargs), dargs...); err != nil {
			return 0, err
		}
		written += len(gone)
	}
	if len(inserts) > 0 {
		if err := r.insertRows(ctx, tx, inserts, ""); err != nil {
			return 0, err
		}
		written += len(inserts)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return written, nil
}

// updateRow sets the destination row of k to vals (the values of r.cols), key columns aside.
// It reports false when the mapping has no other column to set.
func (r *route) updateRow(ctx context.Context, q querier, k Key, vals []any) (bool, error) {
	d := r.dst.Dialect
	var sets []string
	var args []any
	for i, c := range r.cols {
		if isKeyPos(r.keyPos, i) {
			continue
		}
		args = append(args, vals[i])
		sets = append(sets, d.QuoteIdent(c.Name)+" = "+d.Placeholder(len(args)))
	}
	if len(sets) == 0 {
		return false, nil
	}
	n := len(args)
	var kargs []any
	w := keyCmp(d, "", r.dstKey, "=", k, &n, &kargs)
	_, err := q.ExecContext(ctx, "UPDATE "+r.dst.qualified()+" SET "+strings.Join(sets, ", ")+" WHERE "+w, append(args, kargs...)...)
	return err == nil, err
}
