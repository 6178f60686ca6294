package move

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// Comparer compares single rows of B with mapping(A) by key, the way Verify compares the rows of
// a differing chunk: A's row is computed in A's database through the mapping (cast to B's
// column types when A and B share a database), and both rows are normalized by B's column types
// before they are compared. It is what shadow reads use (client.Shadow). A Comparer resolves the
// mapping against both catalogs once; make a new one after B's or A's columns change. It is safe
// for concurrent use.
type Comparer struct {
	m *Move
	r *route
	// both reads B's row and mapping(A)'s in one statement, so that both come from one
	// snapshot; set when A and B share a database.
	both string
	// srcOnly and dstOnly read one side each, for a move across two databases.
	srcOnly, dstOnly string
}

// KeyCheck is what a Comparer found for one key.
type KeyCheck struct {
	Key Key
	// InA and InB say which tables hold a row with the key.
	InA, InB bool
	// Kind is "" when B's row equals mapping(A's row), or when neither table has the row;
	// otherwise MissingInB, ExtraInB or Different.
	Kind DiffKind
	// Columns are B's columns whose values differ (Different only), in mapping order.
	Columns []string
}

// Equal reports whether B agrees with mapping(A) for the key.
func (c KeyCheck) Equal() bool { return c.Kind == "" }

// Comparer resolves the move's mapping against both catalogs and prepares the statements that
// read one key on each side. It fails when a table or a mapped column does not exist.
func (m *Move) Comparer(ctx context.Context) (*Comparer, error) {
	r, err := m.forward(ctx)
	if err != nil {
		return nil, err
	}
	c := &Comparer{m: m, r: r}
	// The key values are bound once per side, so the SQL is the same for every key; only the
	// placeholder numbers depend on how many were bound before.
	src := func(n *int) string {
		var args []any
		exprs := make([]string, len(r.exprs))
		for i, e := range r.exprs {
			exprs[i] = e
			if r.shared {
				exprs[i] = r.src.Dialect.Cast("("+e+")", r.cols[i])
			}
		}
		return "SELECT " + strings.Join(exprs, ", ") + " FROM " + r.src.qualified() +
			" WHERE " + keyCmp(r.src.Dialect, "", r.srcKey, "=", make(Key, len(r.srcKey)), n, &args)
	}
	dst := func(n *int) string {
		var args []any
		return "SELECT " + joinNames(r.dst.Dialect, "", r.cols) + " FROM " + r.dst.qualified() +
			" WHERE " + keyCmp(r.dst.Dialect, "", r.dstKey, "=", make(Key, len(r.dstKey)), n, &args)
	}
	if r.shared {
		// One statement reads both rows: PostgreSQL, MySQL and SQLite each read a statement from
		// a single snapshot, so a write committed between two separate reads cannot show up as a
		// difference, and no transaction (which would take SQLite's write lock under
		// _txlock=immediate) is needed.
		n := 0
		a := src(&n)
		b := dst(&n)
		c.both = "SELECT 0, " + strings.TrimPrefix(a, "SELECT ") + " UNION ALL SELECT 1, " + strings.TrimPrefix(b, "SELECT ")
	} else {
		n := 0
		c.srcOnly = src(&n)
		n = 0
		c.dstOnly = dst(&n)
	}
	return c, nil
}

// Move returns the move the Comparer compares.
func (c *Comparer) Move() *Move { return c.m }

// CompareKey reads the row with key k (A's key values, in key order) from A through the mapping
// and from B, and compares them. The key must have one value per key column.
func (c *Comparer) CompareKey(ctx context.Context, k Key) (KeyCheck, error) {
	r := c.r
	if len(k) != len(r.srcKey) {
		return KeyCheck{}, fmt.Errorf("move %s: key %s has %d values; the key has %d columns", c.m.Def.Name, k, len(k), len(r.srcKey))
	}
	var a, b [][]any
	var err error
	if r.shared {
		args := append(append([]any{}, k...), k...)
		var rows [][]any
		if rows, err = c.query(ctx, r.src.DB, c.both, args, len(r.cols)+1); err != nil {
			return KeyCheck{}, fmt.Errorf("move %s: read key %s from %s and %s: %w", c.m.Def.Name, k, r.src, r.dst, err)
		}
		for _, row := range rows {
			if side, _ := toRat(keyValue(row[0])); side != nil && side.Sign() == 0 {
				a = append(a, row[1:])
			} else {
				b = append(b, row[1:])
			}
		}
	} else {
		if a, err = c.query(ctx, r.src.DB, c.srcOnly, k, len(r.cols)); err != nil {
			return KeyCheck{}, fmt.Errorf("move %s: read key %s from %s through the mapping: %w", c.m.Def.Name, k, r.src, err)
		}
		for i, row := range a {
			for j, col := range r.cols {
				a[i][j] = convert(row[j], classify(col.Type))
			}
		}
		if b, err = c.query(ctx, r.dst.DB, c.dstOnly, k, len(r.cols)); err != nil {
			return KeyCheck{}, fmt.Errorf("move %s: read key %s from %s: %w", c.m.Def.Name, k, r.dst, err)
		}
	}
	if len(a) > 1 {
		return KeyCheck{}, &Error{Move: c.m.Def.Name, Err: fmt.Errorf("key %s names %d rows of %s; the key must be unique", k, len(a), r.src),
			Hint: tandem.Hint{Code: tandem.HintMoveCheck, Text: "the move's pre-flight check lists the keys that are not unique"}}
	}
	out := KeyCheck{Key: k, InA: len(a) == 1, InB: len(b) > 0}
	switch {
	case !out.InA && !out.InB:
	case !out.InB:
		out.Kind = MissingInB
	case !out.InA:
		out.Kind = ExtraInB
	default:
		na, nb := r.normalizeRow(a[0]), r.normalizeRow(b[0])
		for i := range na {
			if na[i] != nb[i] {
				out.Columns = append(out.Columns, r.cols[i].Name)
			}
		}
		if len(out.Columns) > 0 {
			out.Kind = Different
		}
	}
	return out, nil
}

// query runs stmt and returns every row as width raw values.
func (c *Comparer) query(ctx context.Context, db *sql.DB, stmt string, args []any, width int) ([][]any, error) {
	rows, err := db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, width)
		ptrs := make([]any, width)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
