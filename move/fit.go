package move

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/tandem-db/tandem"
)

// maxExamples is how many keys of offending rows a problem found by fit names.
const maxExamples = 5

// fitTest is one way B may refuse a mapped row of A: cond, over a row of its group's FROM, is
// true for a row that a copy into B would fail on.
type fitTest struct {
	kind ProblemKind
	line int
	cond string
	// always: reported even when no row of A fails it, because every write to B would (a NOT
	// NULL column that nothing fills).
	always bool
	// say renders the problem from the number of offending rows and a few of their keys.
	say func(n int64, keys []Key) string
}

// fitGroup is tests over one FROM clause, counted in one scan.
type fitGroup struct {
	from string
	keys []string // the key of a row of from, in key order
	// tolerant: a test whose query fails is left out instead of failing the check. CHECK
	// constraints are SQL written for B's rows, which may not evaluate on the mapped row (a
	// column that the row does not carry).
	tolerant bool
	tests    []fitTest
}

// fit finds the rows of A whose mapped values B would refuse, so that check fails on what
// would fail the backfill: NULL for a NOT NULL column, a NOT NULL column without a default that
// the mapping leaves out, text longer than the column (trailing spaces aside), numbers out of
// an integer column's range or a numeric(p,s)'s precision, values of a type an SQLite STRICT
// column refuses, and (where A and B share a database) rows that fail a CHECK constraint of B.
// What B refuses comes from its dialect (tandem.LimitReader); how to test it on A's rows from
// A's (tandem.ValueTester, with standard SQL where it has none). Each test is counted on every
// row of A, and its problem names a few keys.
func (c *checker) fit(ctx context.Context, r *route, bCols []tandem.Column, srcTypes map[string]string) error {
	lims, err := c.limitsOf(ctx, r.dst)
	if err != nil {
		return err
	}
	tester, _ := r.src.Dialect.(tandem.ValueTester)
	rows := fitGroup{from: r.src.qualified(), keys: names(r.src.Dialect, "", r.srcKey)}
	mapped := map[string]bool{}
	for i, col := range r.cols {
		mapped[col.Name] = true
		srcType := srcTypes[col.Name]
		for k, p := range r.keyPos {
			if p == i && srcType == "" {
				srcType = r.srcKey[k].Type
			}
		}
		lim, _ := lims.Column(col.Name)
		rows.tests = append(rows.tests, c.columnTests(r, i, isKeyPos(r.keyPos, i), lim, srcType, tester)...)
	}
	for _, col := range bCols {
		lim, ok := lims.Column(col.Name)
		if mapped[col.Name] || col.Nullable || !ok || lim.Filled {
			continue
		}
		name := col.Name
		rows.tests = append(rows.tests, fitTest{kind: NotNullProblem, line: c.m.Def.To.Line, cond: "1=1", always: true, say: func(n int64, keys []Key) string {
			fail := "every write to B would fail"
			if n > 0 {
				fail = fmt.Sprintf("every row of A would fail (%d rows, e.g. %s)", n, joinKeys(keys))
			}
			return fmt.Sprintf("B's column %s is NOT NULL and has no default, but the mapping does not fill it: %s; map it, or give the column a default", name, fail)
		}})
	}
	if err := c.runFit(ctx, r.src, len(r.srcKey), rows); err != nil {
		return err
	}
	if !r.shared || tester == nil || len(lims.Checks) == 0 {
		return nil
	}
	return c.runFit(ctx, r.src, len(r.srcKey), c.checkTests(r, lims, tester))
}

// columnTests are the tests of the mapped column r.cols[i], whose expression gives values of
// srcType in A ("" when A's driver does not say).
func (c *checker) columnTests(r *route, i int, key bool, lim tandem.ColumnLimits, srcType string, tester tandem.ValueTester) []fitTest {
	col, e := r.cols[i], "("+r.exprs[i]+")"
	line, entry := c.m.Def.KeyLine, "key column "+col.Name+": "+r.exprs[i]
	if cm := c.m.Def.MapFor(col.Name); cm != nil {
		line, entry = cm.Line, "mapping "+col.Name+": "+cm.Expr
	}
	src := r.src.Dialect
	cls, known := classify(srcType), srcType != ""
	numeric := known && (cls == cInt || cls == cDecimal || cls == cFloat)
	var out []fitTest
	add := func(kind ProblemKind, cond string, say func(rows string) string) {
		out = append(out, fitTest{kind: kind, line: line, cond: cond, say: func(n int64, keys []Key) string { return say(rowsOfA(n, keys)) }})
	}
	if !col.Nullable && !key { // a NULL key is reported with the key
		add(NotNullProblem, e+" IS NULL", func(rows string) string {
			return fmt.Sprintf("%s is NULL in %s, but B's column %s is NOT NULL; fill it in the expression (e.g. with COALESCE) or fix those rows", entry, rows, col.Name)
		})
	}
	if lim.Chars > 0 && !(known && cls == cBytes) {
		text := "rtrim(" + src.CastText(e, tandem.Column{Type: "text"}) + ")"
		add(LengthProblem, charLength(src, text)+fmt.Sprintf(" > %d", lim.Chars), func(rows string) string {
			return fmt.Sprintf("%s is longer than the %d characters of B's column %s in %s; shorten it in the expression or widen the column", entry, lim.Chars, col.Name, rows)
		})
	}
	if lim.Bytes > 0 && (!known || cls == cText || cls == cBytes) {
		add(LengthProblem, byteLength(src, e)+fmt.Sprintf(" > %d", lim.Bytes), func(rows string) string {
			return fmt.Sprintf("%s is longer than the %d bytes of B's column %s in %s; shorten it in the expression or widen the column", entry, lim.Bytes, col.Name, rows)
		})
	}
	if lim.Min != "" && lim.Max != "" && numeric {
		// A value is rounded to a whole number on the way in: half past the bound overflows.
		if lo, hi, ok := halfPast(lim.Min, lim.Max); ok {
			add(RangeProblem, e+" >= "+hi+" OR "+e+" <= "+lo, func(rows string) string {
				return fmt.Sprintf("%s is out of the range of B's column %s (%s to %s) in %s; convert it in the expression or widen the column", entry, col.Name, lim.Min, lim.Max, rows)
			})
		}
	}
	if lim.Precision > 0 && numeric {
		limit, bound := precisionBound(lim.Precision, lim.Scale)
		add(RangeProblem, "abs"+e+" >= "+bound, func(rows string) string {
			return fmt.Sprintf("%s is too large for B's column %s (numeric(%d,%d): below %s in absolute value once rounded to %d decimals) in %s; round or cap it in the expression, or widen the column",
				entry, col.Name, lim.Precision, lim.Scale, limit, lim.Scale, rows)
		})
	}
	if tester != nil && lim.Strict != "" {
		if cond := tester.TypeRefused(e, lim); cond != "" {
			add(StorageProblem, cond, func(rows string) string {
				return fmt.Sprintf("%s gives values that B's column %s (%s, in a STRICT table) cannot store in %s; convert them in the expression (e.g. with CAST) or fix those rows", entry, col.Name, lim.Strict, rows)
			})
		}
	}
	return out
}

// checkTests evaluate B's CHECK constraints on the mapped rows of A, in A's database (which is
// B's): a derived table gives each row B's column names, the mapped values as B would store
// them, and the defaults (or NULL) of the columns the mapping leaves out.
func (c *checker) checkTests(r *route, lims *tandem.TableLimits, tester tandem.ValueTester) fitGroup {
	d := r.src.Dialect
	var sel, keys []string
	for i, k := range names(d, "", r.srcKey) {
		alias := fmt.Sprintf("tandem_k%d", i+1)
		sel, keys = append(sel, k+" AS "+alias), append(keys, alias)
	}
	mapped := map[string]bool{}
	for i, col := range r.cols {
		lim, _ := lims.Column(col.Name)
		sel = append(sel, tester.Stored(r.exprs[i], lim)+" AS "+d.QuoteIdent(col.Name))
		mapped[col.Name] = true
	}
	for _, lim := range lims.Columns {
		if mapped[lim.Name] {
			continue
		}
		v := "NULL"
		if lim.Default != "" {
			v = tester.Stored(lim.Default, lim)
		}
		sel = append(sel, v+" AS "+d.QuoteIdent(lim.Name))
	}
	g := fitGroup{from: "(SELECT " + strings.Join(sel, ", ") + " FROM " + r.src.qualified() + ") tandem_row", keys: keys, tolerant: true}
	for _, check := range lims.Checks {
		check := check
		g.tests = append(g.tests, fitTest{kind: CheckProblem, line: c.m.Def.To.Line, cond: "NOT (" + check + ")", say: func(n int64, keys []Key) string {
			return fmt.Sprintf("B's CHECK (%s) refuses the mapped values in %s; fix those rows or the mapping", check, rowsOfA(n, keys))
		}})
	}
	return g
}

// runFit counts the rows that fail each test of g in one scan, then lists a few keys of each
// test that some row fails.
func (c *checker) runFit(ctx context.Context, s Side, nk int, g fitGroup) error {
	if len(g.tests) == 0 {
		return nil
	}
	counts, err := c.countFailing(ctx, s, g, g.tests)
	if err != nil && !g.tolerant {
		return fmt.Errorf("move %s: check the mapped rows of A against B: %w", c.m.Def.Name, err)
	}
	if err != nil {
		counts = make([]int64, len(g.tests))
		for i := range g.tests {
			n, err := c.countFailing(ctx, s, g, g.tests[i:i+1])
			if err != nil {
				counts[i] = -1 // does not evaluate on the mapped rows: not tested
				continue
			}
			counts[i] = n[0]
		}
	}
	keyList := strings.Join(g.keys, ", ")
	for i, t := range g.tests {
		n := counts[i]
		if n < 0 || (n == 0 && !t.always) {
			continue
		}
		var keys []Key
		if n > 0 {
			stmt := "SELECT " + keyList + " FROM " + g.from + " WHERE " + t.cond + " ORDER BY " + keyList + fmt.Sprintf(" LIMIT %d", maxExamples)
			if keys, err = queryKeys(ctx, s, nk, stmt); err != nil {
				return fmt.Errorf("move %s: list the rows of A that B refuses: %w", c.m.Def.Name, err)
			}
		}
		c.add(t.kind, t.line, "%s", t.say(n, keys))
	}
	return nil
}

// countFailing counts, for each test, the rows of g's FROM that fail it.
func (c *checker) countFailing(ctx context.Context, s Side, g fitGroup, tests []fitTest) ([]int64, error) {
	parts := make([]string, len(tests))
	for i, t := range tests {
		parts[i] = "COUNT(CASE WHEN " + t.cond + " THEN 1 END)"
	}
	counts := make([]int64, len(tests))
	ptrs := make([]any, len(tests))
	for i := range counts {
		ptrs[i] = &counts[i]
	}
	if err := s.DB.QueryRowContext(ctx, "SELECT "+strings.Join(parts, ", ")+" FROM "+g.from).Scan(ptrs...); err != nil {
		return nil, err
	}
	return counts, nil
}

// rowsOfA renders "3 rows of A, e.g. (4), (5), (7)".
func rowsOfA(n int64, keys []Key) string {
	rows := "rows"
	if n == 1 {
		rows = "row"
	}
	return fmt.Sprintf("%d %s of A, e.g. %s", n, rows, joinKeys(keys))
}

func charLength(d tandem.Dialect, expr string) string {
	if t, ok := d.(tandem.ValueTester); ok {
		return t.CharLength(expr)
	}
	return "char_length(" + expr + ")"
}

func byteLength(d tandem.Dialect, expr string) string {
	if t, ok := d.(tandem.ValueTester); ok {
		return t.ByteLength(expr)
	}
	return "octet_length(" + expr + ")"
}

// halfPast renders min-0.5 and max+0.5, the first values that round out of [min, max].
func halfPast(lo, hi string) (string, string, bool) {
	l, ok1 := new(big.Rat).SetString(lo)
	h, ok2 := new(big.Rat).SetString(hi)
	if !ok1 || !ok2 {
		return "", "", false
	}
	half := big.NewRat(1, 2)
	return l.Sub(l, half).FloatString(1), h.Add(h, half).FloatString(1), true
}

// precisionBound returns 10^(p-s), which a value of numeric(p,s) stays below once rounded to s
// decimals, and the least value that rounds to it: 10^(p-s) - 10^-s/2.
func precisionBound(p, s int) (limit, bound string) {
	pow := func(e int) *big.Rat {
		x := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(e))), nil)
		if e < 0 {
			return new(big.Rat).SetFrac(big.NewInt(1), x)
		}
		return new(big.Rat).SetInt(x)
	}
	lim := pow(p - s)
	b := new(big.Rat).Sub(lim, new(big.Rat).Mul(pow(-s), big.NewRat(1, 2)))
	limit = lim.RatString()
	if !lim.IsInt() {
		limit = strings.TrimRight(lim.FloatString(s), "0")
	}
	return limit, b.FloatString(max(s, 0) + 1)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
