package move

import (
	"context"
	"fmt"
	"strings"
)

// uniqueIndex is a unique index or constraint of a table other than its primary key, on plain
// columns. Expression and partial indexes are not reported: their rules cannot be checked from
// the mapped values alone.
type uniqueIndex struct {
	name string
	cols []string
}

// uniqueIndexes lists side's unique indexes other than the primary key, as its dialect reads
// them (tandem.IndexReader).
func uniqueIndexes(ctx context.Context, s Side) ([]uniqueIndex, error) {
	list, err := s.Dialect.UniqueIndexes(ctx, s.DB, s.Schema, s.Table)
	if err != nil {
		return nil, fmt.Errorf("unique keys of %s: %w", s, err)
	}
	out := make([]uniqueIndex, len(list))
	for i, ix := range list {
		out[i] = uniqueIndex{name: ix.Name, cols: ix.Columns}
	}
	return out, nil
}

// positions finds the index's columns among the mapped columns; false when one is not mapped
// (its value is a default the move cannot see).
func (r *route) positions(u uniqueIndex) ([]int, bool) {
	pos := make([]int, len(u.cols))
	for i, name := range u.cols {
		pos[i] = -1
		for j, c := range r.cols {
			if strings.EqualFold(c.Name, name) {
				pos[i] = j
			}
		}
		if pos[i] < 0 {
			return nil, false
		}
	}
	return pos, true
}

// diagnose looks for the reason a batch over (last, end] failed: mapped rows that collide on a
// unique key of the destination other than its primary key, with each other or with rows the
// destination already has. It returns nil when it finds none (the failure had another cause).
func (r *route) diagnose(ctx context.Context, move string, last, end Key) *UniqueConflictError {
	uniques, err := uniqueIndexes(ctx, r.dst)
	if err != nil || len(uniques) == 0 {
		return nil
	}
	rows, err := r.readMapped(ctx, r.src.DB, last, end, 0, nil, "")
	if err != nil {
		return nil
	}
	for _, u := range uniques {
		pos, ok := r.positions(u)
		if !ok {
			continue
		}
		e := &UniqueConflictError{Move: move, Index: u.name, Columns: u.cols}
		seen := map[string]bool{}
		add := func(k Key) {
			if !seen[k.String()] && len(e.Keys) < maxListed {
				seen[k.String()] = true
				e.Keys = append(e.Keys, k)
			}
		}
		// Collisions inside the slice.
		groups := map[string][]Key{}
		var order []string
		for _, row := range rows {
			t, ok := r.tupleOf(row.vals, pos)
			if !ok {
				continue
			}
			if groups[t] == nil {
				order = append(order, t)
			}
			groups[t] = append(groups[t], row.key)
		}
		for _, t := range order {
			if len(groups[t]) > 1 {
				for _, k := range groups[t] {
					add(k)
				}
			}
		}
		// Collisions with rows already in the destination under another key.
		existing, err := r.dstByValues(ctx, pos, rows)
		if err == nil {
			for _, row := range rows {
				t, ok := r.tupleOf(row.vals, pos)
				if !ok {
					continue
				}
				if bk, hit := existing[t]; hit && bk.String() != row.key.String() {
					add(row.key)
					if len(e.Existing) < maxListed {
						e.Existing = append(e.Existing, bk)
					}
				}
			}
		}
		if len(e.Keys) > 0 {
			return e
		}
	}
	return nil
}

// maxListed bounds the keys an error or report lists.
const maxListed = 10

// tupleOf renders the values at pos as one comparable string; false when one is NULL (NULLs
// never collide in a unique index).
func (r *route) tupleOf(vals []any, pos []int) (string, bool) {
	parts := make([]string, len(pos))
	for i, p := range pos {
		if vals[p] == nil {
			return "", false
		}
		parts[i] = normalize(vals[p], classify(r.cols[p].Type))
	}
	return strings.Join(parts, "\x1f"), true
}

// dstByValues finds destination rows whose columns at pos equal those of rows, returning their
// keys by value tuple.
func (r *route) dstByValues(ctx context.Context, pos []int, rows []mappedRow) (map[string]Key, error) {
	d := r.dst.Dialect
	cols := make([]string, len(pos))
	for i, p := range pos {
		cols[i] = d.QuoteIdent(r.cols[p].Name)
	}
	out := map[string]Key{}
	for start := 0; start < len(rows); start += 200 {
		chunk := rows[start:min(len(rows), start+200)]
		var (
			args  []any
			items []string
		)
		for _, row := range chunk {
			ph := make([]string, len(pos))
			null := false
			for i, p := range pos {
				if row.vals[p] == nil {
					null = true
				}
				args = append(args, row.vals[p])
				ph[i] = d.Placeholder(len(args))
			}
			if null {
				args = args[:len(args)-len(pos)]
				continue
			}
			items = append(items, tuple(ph))
		}
		if len(items) == 0 {
			continue
		}
		stmt := "SELECT " + joinNames(d, "", r.dstKey) + ", " + strings.Join(cols, ", ") + " FROM " + r.dst.qualified() +
			" WHERE " + tuple(cols) + " IN (" + strings.Join(items, ", ") + ")"
		res, err := r.dst.DB.QueryContext(ctx, stmt, args...)
		if err != nil {
			return nil, err
		}
		nk := len(r.dstKey)
		vals := make([]any, nk+len(pos))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for res.Next() {
			if err := res.Scan(ptrs...); err != nil {
				res.Close()
				return nil, err
			}
			full := make([]any, len(r.cols))
			for i, p := range pos {
				full[p] = vals[nk+i]
			}
			if t, ok := r.tupleOf(full, pos); ok {
				out[t] = scanKey(vals[:nk])
			}
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
