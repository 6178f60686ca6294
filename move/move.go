package move

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem"
)

// Side is one end of a move, opened.
type Side struct {
	DB      *sql.DB
	Dialect tandem.Dialect
	// Schema is the physical schema ("" for the connection's default); Table the table's name.
	Schema, Table string
}

// String renders the table as schema.table.
func (s Side) String() string {
	if s.Schema == "" {
		return s.Table
	}
	return s.Schema + "." + s.Table
}

func (s Side) qualified() string { return s.Dialect.Qualify(s.Schema, s.Table) }

// Move is a definition with both sides opened. The caller fills it in; a Move holds no other
// state and is safe for concurrent use when its databases are.
type Move struct {
	Def  *tandem.MoveDefinition
	A, B Side
	// Shared is true when A and B live in one database, so that one transaction spans both.
	// The caller knows (same URL); the move does not guess.
	Shared bool

	routes routeCache
}

// routeTTL is how long a resolved mapping is reused. Resolving reads both catalogs, which
// costs a few milliseconds on PostgreSQL and 10 to 30 on MariaDB (information_schema): too much
// for every dual write, reconciled key and copied-back key. A column changed by a deploy in the
// middle of a move is seen within this time.
const routeTTL = 10 * time.Second

// routeCache keeps the resolved routes of a Move; routes are never changed once resolved.
type routeCache struct {
	mu           sync.Mutex
	fwd, rev     *route
	fwdAt, revAt time.Time
}

// SameDatabase reports whether one transaction spans A and B.
func (m *Move) SameDatabase() bool { return m.Shared }

// route is one direction of copying, resolved against the catalogs: forward (A to B through
// the mapping) or reverse (B to A through the reverse mapping).
type route struct {
	src, dst     Side
	srcFl, dstFl flavor
	shared       bool
	cols         []tandem.Column // the mapped destination columns, in mapping order
	exprs        []string        // the source expression of each, as written
	srcKey       []tandem.Column // the source's key columns
	dstKey       []tandem.Column // the destination's key columns (its primary key)
	keyPos       []int           // position of each destination key column in cols
	file         string
	noCopy       *atomic.Bool // COPY failed once: insert instead (shared by copies of the route)
}

// forward resolves the mapping A -> B.
func (m *Move) forward(ctx context.Context) (*route, error) {
	return m.cached(&m.routes.fwd, &m.routes.fwdAt, func() (*route, error) {
		return m.resolve(ctx, m.A, m.B, m.Def.Mapping, m.Def.KeyFrom, m.Def.Key, "mapping")
	})
}

// cached returns *r if it was resolved less than routeTTL ago, else resolves it again.
func (m *Move) cached(r **route, at *time.Time, resolve func() (*route, error)) (*route, error) {
	m.routes.mu.Lock()
	if *r != nil && time.Since(*at) < routeTTL {
		defer m.routes.mu.Unlock()
		return *r, nil
	}
	m.routes.mu.Unlock()
	got, err := resolve()
	if err != nil {
		return nil, err
	}
	m.routes.mu.Lock()
	defer m.routes.mu.Unlock()
	*r, *at = got, time.Now()
	return got, nil
}

// reverse resolves the reverse mapping B -> A.
func (m *Move) reverse(ctx context.Context) (*route, error) {
	if len(m.Def.Reverse) == 0 {
		return nil, fmt.Errorf("move %s: %w", m.Def.Name, ErrNoReverse)
	}
	return m.cached(&m.routes.rev, &m.routes.revAt, func() (*route, error) {
		return m.resolve(ctx, m.B, m.A, m.Def.Reverse, m.Def.Key, m.Def.KeyFrom, "reverse mapping")
	})
}

func (m *Move) resolve(ctx context.Context, src, dst Side, maps []tandem.ColumnMap, srcKey, dstKey []string, what string) (*route, error) {
	if len(srcKey) == 0 || len(srcKey) != len(dstKey) {
		return nil, fmt.Errorf("move %s: %s: the key is not defined for both tables; write key and key_from", m.Def.Name, m.Def.File)
	}
	srcCols, err := src.Dialect.Columns(ctx, src.DB, src.Schema, src.Table)
	if err != nil {
		return nil, fmt.Errorf("move %s: table %s: %w", m.Def.Name, src, err)
	}
	dstCols, err := dst.Dialect.Columns(ctx, dst.DB, dst.Schema, dst.Table)
	if err != nil {
		return nil, fmt.Errorf("move %s: table %s: %w", m.Def.Name, dst, err)
	}
	r := &route{src: src, dst: dst, srcFl: flavorOf(src.Dialect), dstFl: flavorOf(dst.Dialect), shared: m.Shared, file: m.Def.File, noCopy: new(atomic.Bool)}
	for _, cm := range maps {
		c, ok := findColumn(dstCols, cm.Column)
		if !ok {
			return nil, fmt.Errorf("move %s: %s:%d: %s: column %q does not exist in %s", m.Def.Name, m.Def.File, cm.Line, what, cm.Column, dst)
		}
		r.cols = append(r.cols, c)
		r.exprs = append(r.exprs, cm.Expr)
	}
	for i := range dstKey {
		dc, ok := findColumn(dstCols, dstKey[i])
		if !ok {
			return nil, fmt.Errorf("move %s: %s:%d: key column %q does not exist in %s", m.Def.Name, m.Def.File, m.Def.KeyLine, dstKey[i], dst)
		}
		sc, ok := findColumn(srcCols, srcKey[i])
		if !ok {
			return nil, fmt.Errorf("move %s: %s:%d: key column %q does not exist in %s", m.Def.Name, m.Def.File, m.Def.KeyLine, srcKey[i], src)
		}
		pos := -1
		for j, c := range r.cols {
			if c.Name == dc.Name {
				pos = j
			}
		}
		if pos < 0 {
			// The key is copied as it is even when the mapping does not list it.
			r.cols = append(r.cols, dc)
			r.exprs = append(r.exprs, src.Dialect.QuoteIdent(sc.Name))
			pos = len(r.cols) - 1
		}
		r.dstKey, r.srcKey, r.keyPos = append(r.dstKey, dc), append(r.srcKey, sc), append(r.keyPos, pos)
	}
	return r, nil
}

func findColumn(cols []tandem.Column, name string) (tandem.Column, bool) {
	name = unquoteIdent(name)
	for _, c := range cols {
		if c.Name == name {
			return c, true
		}
	}
	for _, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return tandem.Column{}, false
}

// names quotes each column's name with d, prefixed by alias when given.
func names(d tandem.Dialect, alias string, cols []tandem.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = d.QuoteIdent(c.Name)
		if alias != "" {
			out[i] = alias + "." + out[i]
		}
	}
	return out
}

// tuple renders one column, or a parenthesized row value for several.
func tuple(parts []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// keyCmp renders `key op (args)` for cols on side d, with bind parameters from *n on, cast to
// each column's type, and appends the key's values to args.
func keyCmp(d tandem.Dialect, alias string, cols []tandem.Column, op string, k Key, n *int, args *[]any) string {
	ph := make([]string, len(cols))
	for i, c := range cols {
		*n++
		ph[i] = d.Cast(d.Placeholder(*n), c)
		*args = append(*args, k[i])
	}
	return tuple(names(d, alias, cols)) + " " + op + " " + tuple(ph)
}

// keyRange renders the condition lo < key <= hi (either may be nil: unbounded).
func keyRange(d tandem.Dialect, alias string, cols []tandem.Column, lo, hi Key, n *int, args *[]any) string {
	var conds []string
	if lo != nil {
		conds = append(conds, keyCmp(d, alias, cols, ">", lo, n, args))
	}
	if hi != nil {
		conds = append(conds, keyCmp(d, alias, cols, "<=", hi, n, args))
	}
	if len(conds) == 0 {
		return "1=1"
	}
	return strings.Join(conds, " AND ")
}

// orderBy renders the key order, descending when desc.
func orderBy(d tandem.Dialect, alias string, cols []tandem.Column, desc bool) string {
	parts := names(d, alias, cols)
	if desc {
		for i := range parts {
			parts[i] += " DESC"
		}
	}
	return strings.Join(parts, ", ")
}

// querier is what the engine needs from a handle: *sql.DB, *sql.Tx and *sql.Conn satisfy it.
type querier = tandem.Querier

func joinNames(d tandem.Dialect, alias string, cols []tandem.Column) string {
	return strings.Join(names(d, alias, cols), ", ")
}

// keyIn renders `key IN (...)` for keys, with bind parameters from *n on.
func keyIn(d tandem.Dialect, alias string, cols []tandem.Column, keys []Key, n *int, args *[]any) string {
	if len(keys) == 0 {
		return "1=0"
	}
	items := make([]string, len(keys))
	for i, k := range keys {
		ph := make([]string, len(cols))
		for j, c := range cols {
			*n++
			ph[j] = d.Cast(d.Placeholder(*n), c)
			*args = append(*args, k[j])
		}
		items[i] = tuple(ph)
	}
	return tuple(names(d, alias, cols)) + " IN (" + strings.Join(items, ", ") + ")"
}

// unquoteIdent removes one level of "..." or `...` quoting.
func unquoteIdent(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '`' && s[len(s)-1] == '`') {
		q := string(s[0])
		inner := s[1 : len(s)-1]
		if strings.Contains(strings.ReplaceAll(inner, q+q, ""), q) {
			return ""
		}
		return strings.ReplaceAll(inner, q+q, q)
	}
	return s
}
