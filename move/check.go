package move

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// ProblemKind classifies what Check found.
type ProblemKind string

// The kinds of problem Check reports.
const (
	MissingTable  ProblemKind = "missing table"
	MissingColumn ProblemKind = "missing column"
	KeyProblem    ProblemKind = "key"
	TypeProblem   ProblemKind = "type"
	UniqueProblem ProblemKind = "unique"
	// NotNullProblem: a NOT NULL column of B would get NULL, or nothing.
	NotNullProblem ProblemKind = "not null"
	// LengthProblem: mapped values are longer than B's column holds.
	LengthProblem ProblemKind = "length"
	// RangeProblem: mapped numbers are out of the range or precision of B's column.
	RangeProblem ProblemKind = "range"
	// StorageProblem: mapped values are of a type B's column refuses (SQLite's STRICT tables).
	StorageProblem ProblemKind = "storage"
	// CheckProblem: mapped rows fail a CHECK constraint of B.
	CheckProblem ProblemKind = "check"
)

// Problem is one reason a move cannot start.
type Problem struct {
	Kind ProblemKind
	// Message says what is wrong, where it was written (file:line) and what to do.
	Message string
}

// CheckReport lists every problem Check found.
type CheckReport struct {
	Move     string
	Problems []Problem
}

// OK reports whether the move may start.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

// String renders the report, one problem a line.
func (r *CheckReport) String() string {
	if r.OK() {
		return fmt.Sprintf("move %s: ready", r.Move)
	}
	var b strings.Builder
	n := "problems"
	if len(r.Problems) == 1 {
		n = "problem"
	}
	fmt.Fprintf(&b, "move %s: %d %s", r.Move, len(r.Problems), n)
	for _, p := range r.Problems {
		b.WriteString("\n  " + p.Message)
	}
	return b.String()
}

type checker struct {
	m   *Move
	rep *CheckReport
	// limits caches what each side's table accepts (tandem.LimitReader), by side.
	limits map[string]*tandem.TableLimits
}

// limitsOf reads what s's table accepts (tandem.LimitReader), once.
func (c *checker) limitsOf(ctx context.Context, s Side) (*tandem.TableLimits, error) {
	key := fmt.Sprintf("%p %s", s.DB, s.qualified())
	if l, ok := c.limits[key]; ok {
		return l, nil
	}
	l, err := s.Dialect.Limits(ctx, s.DB, s.Schema, s.Table)
	if err != nil {
		return nil, fmt.Errorf("move %s: read what %s accepts: %w", c.m.Def.Name, s, err)
	}
	if c.limits == nil {
		c.limits = map[string]*tandem.TableLimits{}
	}
	c.limits[key] = l
	return l, nil
}

func (c *checker) add(kind ProblemKind, line int, format string, args ...any) {
	where := c.m.Def.File
	if line > 0 {
		where = fmt.Sprintf("%s:%d", where, line)
	}
	c.rep.Problems = append(c.rep.Problems, Problem{Kind: kind, Message: where + ": " + fmt.Sprintf(format, args...)})
}

// Check is the pre-flight of a move; it changes nothing. It checks that both tables and every
// named column exist, that the key is unique and never NULL in A, that B's primary key is the
// key, that every mapping expression evaluates on A and fits its B column, that the mapped
// rows of A keep B's other unique keys, and that B accepts every mapped row of A (see fit: NOT
// NULL columns, lengths, numeric ranges, SQLite's STRICT types and CHECK constraints). Every
// problem is collected; the error is for failures to ask the databases.
func (m *Move) Check(ctx context.Context) (*CheckReport, error) {
	c := &checker{m: m, rep: &CheckReport{Move: m.Def.Name}}
	def := m.Def
	aCols, err := c.columns(ctx, m.A, "A", "from", def.From.Line)
	if err != nil {
		return nil, err
	}
	bCols, err := c.columns(ctx, m.B, "B", "to", def.To.Line)
	if err != nil {
		return nil, err
	}
	if aCols == nil || bCols == nil {
		return c.rep, nil
	}
	ok := true
	for _, cm := range def.Mapping {
		if _, found := findColumn(bCols, cm.Column); !found {
			c.add(MissingColumn, cm.Line, "mapping: column %q does not exist in B %s", cm.Column, m.B)
			ok = false
		}
	}
	for _, cm := range def.Reverse {
		if _, found := findColumn(aCols, cm.Column); !found {
			c.add(MissingColumn, cm.Line, "reverse mapping: column %q does not exist in A %s", cm.Column, m.A)
		}
	}
	for i, k := range def.Key {
		if _, found := findColumn(bCols, k); !found {
			c.add(MissingColumn, def.KeyLine, "key column %q does not exist in B %s", k, m.B)
			ok = false
		}
		if i < len(def.KeyFrom) {
			if _, found := findColumn(aCols, def.KeyFrom[i]); !found {
				c.add(MissingColumn, def.KeyLine, "key column %q does not exist in A %s", def.KeyFrom[i], m.A)
				ok = false
			}
		}
	}
	c.primaryKey(bCols)
	exprsOK, srcTypes, err := c.expressions(ctx, m.A, m.B, def.Mapping, bCols, "mapping", "A", "B")
	if err != nil {
		return nil, err
	}
	if _, _, err := c.expressions(ctx, m.B, m.A, def.Reverse, aCols, "reverse mapping", "B", "A"); err != nil {
		return nil, err
	}
	if !ok || len(def.KeyFrom) != len(def.Key) {
		return c.rep, nil
	}
	r, err := m.forward(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.keyUnique(ctx, r); err != nil {
		return nil, err
	}
	if exprsOK {
		if err := c.uniques(ctx, r); err != nil {
			return nil, err
		}
		if err := c.fit(ctx, r, bCols, srcTypes); err != nil {
			return nil, err
		}
	}
	return c.rep, nil
}

func (c *checker) columns(ctx context.Context, s Side, which, key string, line int) ([]tandem.Column, error) {
	cols, err := s.Dialect.Columns(ctx, s.DB, s.Schema, s.Table)
	if errors.Is(err, tandem.ErrNotFound) {
		c.add(MissingTable, line, "table %s (%s, written under %s) does not exist; create it with a deploy first", s, which, key)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("move %s: columns of %s: %w", c.m.Def.Name, s, err)
	}
	return cols, nil
}

func (c *checker) primaryKey(bCols []tandem.Column) {
	var pk []string
	for pos := 1; ; pos++ {
		found := false
		for _, col := range bCols {
			if col.PrimaryKey == pos {
				pk, found = append(pk, col.Name), true
			}
		}
		if !found {
			break
		}
	}
	want := make([]string, len(c.m.Def.Key))
	for i, k := range c.m.Def.Key {
		want[i] = unquoteIdent(k)
		if col, ok := findColumn(bCols, k); ok {
			want[i] = col.Name
		}
	}
	switch {
	case len(pk) == 0:
		c.add(KeyProblem, c.m.Def.KeyLine, "B %s has no primary key; give it the primary key (%s)", c.m.B, strings.Join(want, ", "))
	case strings.Join(pk, ",") != strings.Join(want, ","):
		c.add(KeyProblem, c.m.Def.KeyLine, "the primary key of B %s is (%s), but the move's key is (%s); they must be the same columns in the same order", c.m.B, strings.Join(pk, ", "), strings.Join(want, ", "))
	}
}

// expressions checks that each expression evaluates on src and that its value fits the
// destination column: in one database by letting the database check an INSERT ... SELECT of
// every mapped column that inserts nothing (rolled back), the failure attributed to the entry
// whose column the error names; across databases by comparing type families.
//
// It returns the type of each expression's values as the source's driver names it, by
// destination column name, where the driver names one.
func (c *checker) expressions(ctx context.Context, src, dst Side, maps []tandem.ColumnMap, dstCols []tandem.Column, what, srcName, dstName string) (bool, map[string]string, error) {
	ok := true
	var cols, exprs []string
	var mapped []tandem.ColumnMap
	srcTypes := map[string]string{}
	for _, cm := range maps {
		stmt := "SELECT " + cm.Expr + " FROM " + src.qualified() + " WHERE 1=0"
		rows, err := src.DB.QueryContext(ctx, stmt)
		if err != nil {
			c.add(TypeProblem, cm.Line, "%s %s: %s does not evaluate on %s %s: %v", what, cm.Column, cm.Expr, srcName, src, err)
			ok = false
			continue
		}
		types, terr := rows.ColumnTypes()
		rows.Close()
		col, found := findColumn(dstCols, cm.Column)
		if !found {
			continue
		}
		cols, exprs, mapped = append(cols, dst.Dialect.QuoteIdent(col.Name)), append(exprs, cm.Expr), append(mapped, cm)
		if terr == nil && len(types) == 1 {
			srcTypes[col.Name] = types[0].DatabaseTypeName()
		}
		if c.m.Shared || terr != nil || len(types) != 1 || types[0].DatabaseTypeName() == "" {
			continue
		}
		from, to := classify(types[0].DatabaseTypeName()), classify(col.Type)
		if !compatible(from, to) {
			c.add(TypeProblem, cm.Line, "%s %s: %s gives %s values (%s) in %s, but %s's column %s is %s; the types look incompatible: convert in the expression",
				what, cm.Column, cm.Expr, from, strings.ToLower(types[0].DatabaseTypeName()), srcName, dstName, col.Name, col.Type)
			ok = false
		}
	}
	if !c.m.Shared || len(cols) == 0 {
		return ok, srcTypes, nil
	}
	// MariaDB refuses an INSERT that leaves out a NOT NULL column without a default even when
	// it inserts nothing: such columns (which fit reports) get NULL, as do the other entries
	// when each entry is checked alone.
	lims, err := c.limitsOf(ctx, dst)
	if err != nil {
		return false, nil, err
	}
	var pad []string
	for _, col := range dstCols {
		lim, known := lims.Column(col.Name)
		if !col.Nullable && known && !lim.Filled && !slices.Contains(cols, dst.Dialect.QuoteIdent(col.Name)) {
			pad = append(pad, dst.Dialect.QuoteIdent(col.Name))
		}
	}
	nulls := func(exprs []string, n int) []string {
		for range n {
			exprs = append(exprs, "NULL")
		}
		return exprs
	}
	// One statement checks every entry that evaluates; when it fails, each entry alone says
	// which ones do not fit, so that every problem is reported, not the first.
	allCols := append(slices.Clip(cols), pad...)
	if err := c.insertsNothing(ctx, src, dst, allCols, nulls(slices.Clone(exprs), len(pad))); err == nil {
		return ok, srcTypes, nil
	}
	for i, cm := range mapped {
		one := nulls(nil, len(allCols))
		one[i] = exprs[i]
		if err := c.insertsNothing(ctx, src, dst, allCols, one); err != nil {
			c.add(TypeProblem, cm.Line, "%s %s: the value of %s cannot be stored in %s's column %s: %v", what, cm.Column, cm.Expr, dstName, cm.Column, err)
			ok = false
		}
	}
	return ok, srcTypes, nil
}

// insertsNothing lets the database check that the expressions' values fit dst's columns with an
// INSERT ... SELECT that selects no row, in a transaction that is rolled back.
func (c *checker) insertsNothing(ctx context.Context, src, dst Side, cols, exprs []string) error {
	tx, err := dst.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("move %s: check the mapping: %w", c.m.Def.Name, err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, "INSERT INTO "+dst.qualified()+" ("+strings.Join(cols, ", ")+") SELECT "+strings.Join(exprs, ", ")+" FROM "+src.qualified()+" WHERE 1=0")
	return err
}

// keyUnique finds duplicated and NULL keys in A.
func (c *checker) keyUnique(ctx context.Context, r *route) error {
	d := r.src.Dialect
	keys := joinNames(d, "", r.srcKey)
	from := r.src.qualified()
	dups, err := queryKeys(ctx, r.src, len(r.srcKey), "SELECT "+keys+" FROM "+from+" GROUP BY "+keys+" HAVING COUNT(*) > 1 ORDER BY "+keys+fmt.Sprintf(" LIMIT %d", maxListed))
	if err != nil {
		return fmt.Errorf("move %s: look for duplicate keys in %s: %w", c.m.Def.Name, r.src, err)
	}
	if len(dups) > 0 {
		var n int64
		if err := r.src.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT "+keys+" FROM "+from+" GROUP BY "+keys+" HAVING COUNT(*) > 1) tandem_d").Scan(&n); err != nil {
			return fmt.Errorf("move %s: count duplicate keys in %s: %w", c.m.Def.Name, r.src, err)
		}
		c.add(KeyProblem, c.m.Def.KeyLine, "key (%s) is not unique in A %s: %d duplicated keys, e.g. %s; make it unique (a primary key or unique index) before the move",
			strings.Join(colNames(r.srcKey), ", "), r.src, n, joinKeys(dups))
	}
	nulls := make([]string, len(r.srcKey))
	for i, n := range names(d, "", r.srcKey) {
		nulls[i] = n + " IS NULL"
	}
	var n int64
	if err := r.src.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+from+" WHERE "+strings.Join(nulls, " OR ")).Scan(&n); err != nil {
		return fmt.Errorf("move %s: look for NULL keys in %s: %w", c.m.Def.Name, r.src, err)
	}
	if n > 0 {
		c.add(KeyProblem, c.m.Def.KeyLine, "key (%s) is NULL in %d rows of A %s; give every row a key before the move", strings.Join(colNames(r.srcKey), ", "), n, r.src)
	}
	return nil
}

// uniques finds mapped rows of A that would collide on B's other unique keys.
func (c *checker) uniques(ctx context.Context, r *route) error {
	list, err := uniqueIndexes(ctx, r.dst)
	if err != nil {
		return err
	}
	d := r.src.Dialect
	for _, u := range list {
		pos, ok := r.positions(u)
		if !ok {
			continue
		}
		exprs := make([]string, len(pos))
		notNull := make([]string, len(pos))
		line := 0
		for i, p := range pos {
			exprs[i] = "(" + r.exprs[p] + ")"
			if r.shared {
				exprs[i] = r.dst.Dialect.Cast(exprs[i], r.cols[p])
			}
			notNull[i] = exprs[i] + " IS NOT NULL"
			if cm := c.m.Def.MapFor(r.cols[p].Name); cm != nil && line == 0 {
				line = cm.Line
			}
		}
		list := strings.Join(exprs, ", ")
		stmt := "SELECT DISTINCT " + joinNames(d, "", r.srcKey) + " FROM " + r.src.qualified() + " WHERE " + tuple(exprs) + " IN (SELECT " + list + " FROM " + r.src.qualified() +
			" WHERE " + strings.Join(notNull, " AND ") + " GROUP BY " + list + " HAVING COUNT(*) > 1) ORDER BY " + orderBy(d, "", r.srcKey, false) + fmt.Sprintf(" LIMIT %d", maxListed)
		keys, err := queryKeys(ctx, r.src, len(r.srcKey), stmt)
		if err != nil {
			return fmt.Errorf("move %s: check unique key %s of B on the mapped rows of A: %w", c.m.Def.Name, u.name, err)
		}
		if len(keys) > 0 {
			c.add(UniqueProblem, line, "mapped rows of A violate the unique key %s (%s) of B: A keys %s; fix those rows or the mapping",
				u.name, strings.Join(u.cols, ", "), joinKeys(keys))
		}
	}
	return nil
}

func queryKeys(ctx context.Context, s Side, n int, stmt string) ([]Key, error) {
	rows, err := s.DB.QueryContext(ctx, stmt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Key
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, scanKey(vals))
	}
	return out, rows.Err()
}

func colNames(cols []tandem.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func joinKeys(keys []Key) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = k.String()
	}
	return strings.Join(s, ", ")
}
