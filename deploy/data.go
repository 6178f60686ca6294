package deploy

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// dataDiff is what it takes to make a table's rows equal to a static data CSV.
type dataDiff struct {
	step    plan.Step
	table   string          // qualified, quoted table name
	cols    []tandem.Column // the CSV's columns, in CSV order, as the table has them
	key     []int           // indexes into cols of the key columns
	inserts []tandem.DataRow
	updates []tandem.DataRow
	deletes [][]*string // key values (canonical text) of rows to delete
}

// Counts renders the diff for people: "2 inserts, 1 update, 0 deletes".
func (d *dataDiff) counts() string {
	return fmt.Sprintf("%s, %s, %s", plural(len(d.inserts), "insert"), plural(len(d.updates), "update"), plural(len(d.deletes), "delete"))
}

// maxParams bounds the bind parameters of one canonicalisation query (SQLite's limit is the
// lowest of the three databases).
const maxParams = 30000

// diffData compares a static data object with its table.
func (s *session) diffData(ctx context.Context, st plan.Step) (*dataDiff, error) {
	n := st.Node
	obj, data := n.Object, n.Object.Data
	fail := func(line int, format string, args ...any) error {
		return &StepError{Step: st, File: n.Change.File, Line: line, Err: fmt.Errorf(format, args...)}
	}
	if data == nil {
		return nil, fail(1, "no rows were read from this file")
	}
	phys := s.physical(obj.Key.Schema)
	table := obj.Name
	// Unquoted names are folded by the database (PostgreSQL: to lower case): use the
	// catalog's spelling, not the file's. A table that is not found is reported by Columns.
	if name, err := s.e.Dialect.TableName(ctx, s.conn, phys, obj.Name); err == nil {
		table = name
	}
	tableCols, err := s.e.Dialect.Columns(ctx, s.conn, phys, table)
	if isNotFound(err) {
		return nil, fail(1, "table %s does not exist; add a table file for it, or name the CSV after an existing table", obj.Name)
	}
	if err != nil {
		return nil, fail(1, "read columns of %s: %w", obj.Name, err)
	}
	d := &dataDiff{step: st, table: s.e.Dialect.Qualify(phys, table)}
	byName := map[string]tandem.Column{}
	for _, c := range tableCols {
		byName[strings.ToLower(c.Name)] = c
	}
	for _, name := range data.Columns {
		c, ok := byName[strings.ToLower(name)]
		if !ok {
			return nil, fail(1, "column %s is not in table %s (it has %s)", name, obj.Name, columnNames(tableCols))
		}
		d.cols = append(d.cols, c)
	}
	keyNames := obj.Attrs.Key
	if len(keyNames) == 0 {
		pk := append([]tandem.Column(nil), tableCols...)
		sort.SliceStable(pk, func(i, j int) bool { return pk[i].PrimaryKey < pk[j].PrimaryKey })
		for _, c := range pk {
			if c.PrimaryKey > 0 {
				keyNames = append(keyNames, c.Name)
			}
		}
	}
	if len(keyNames) == 0 {
		return nil, fail(1, "table %s has no primary key; declare the key columns with key=col1,col2 on the file's object line", obj.Name)
	}
	for _, k := range keyNames {
		idx := -1
		for i, c := range d.cols {
			if strings.EqualFold(c.Name, k) {
				idx = i
			}
		}
		if idx < 0 {
			return nil, fail(1, "key column %s is missing from the CSV header", k)
		}
		d.key = append(d.key, idx)
	}
	canon, err := s.canonical(ctx, st, d.cols, data.Rows)
	if err != nil {
		return nil, err
	}
	want := map[string]int{}
	for i, row := range canon {
		k := rowKey(row, d.key)
		if prev, dup := want[k]; dup {
			return nil, fail(data.Rows[i].Line, "duplicate key %s (also on line %d)", showKey(row, d.key), data.Rows[prev].Line)
		}
		for _, ki := range d.key {
			if row[ki] == nil {
				return nil, fail(data.Rows[i].Line, "key column %s is empty", d.cols[ki].Name)
			}
		}
		want[k] = i
	}
	have, err := s.currentRows(ctx, d)
	if err != nil {
		return nil, fail(1, "read rows of %s: %w", obj.Name, err)
	}
	seen := map[string]bool{}
	for _, row := range have {
		k := rowKey(row, d.key)
		seen[k] = true
		i, ok := want[k]
		if !ok {
			keys := make([]*string, len(d.key))
			for j, ki := range d.key {
				keys[j] = row[ki]
			}
			d.deletes = append(d.deletes, keys)
			continue
		}
		if !equalRows(row, canon[i]) {
			d.updates = append(d.updates, data.Rows[i])
		}
	}
	for i, row := range canon {
		if !seen[rowKey(row, d.key)] {
			d.inserts = append(d.inserts, data.Rows[i])
		}
	}
	return d, nil
}

// canonical asks the database to convert every CSV value to the column's type and back to text,
// so that "1.50" and "1.5", or upper- and lower-case UUIDs, compare as the database sees them.
// A value that is not of its column's type is a *StepError naming its line, column and type:
// refused by the dialect's CheckValue where the database's cast accepts it (tandem.ValueChecker),
// else by the database's cast.
func (s *session) canonical(ctx context.Context, st plan.Step, cols []tandem.Column, rows []tandem.DataRow) ([][]*string, error) {
	for _, r := range rows {
		for ci, c := range cols {
			if v := r.Values[ci]; v != nil {
				if err := s.e.Dialect.CheckValue(c, *v); err != nil {
					return nil, &StepError{Step: st, File: st.Node.Change.File, Line: r.Line,
						Err: fmt.Errorf("column %s: value %q is not a valid %s: %w", c.Name, *v, c.Type, err)}
				}
			}
		}
	}
	out := make([][]*string, 0, len(rows))
	per := max(1, maxParams/max(1, len(cols)))
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(len(rows), start+per)]
		got, err := s.canonicalBatch(ctx, cols, batch)
		if err != nil {
			// Find the row (and column) the database refused, to say where it is.
			for _, r := range batch {
				if _, rerr := s.canonicalBatch(ctx, cols, []tandem.DataRow{r}); rerr != nil {
					for ci, c := range cols {
						one := tandem.DataRow{Values: []*string{r.Values[ci]}}
						if _, cerr := s.canonicalBatch(ctx, []tandem.Column{c}, []tandem.DataRow{one}); cerr != nil {
							return nil, &StepError{Step: st, File: st.Node.Change.File, Line: r.Line,
								Err: fmt.Errorf("column %s: value %q is not a valid %s: %w", c.Name, deref(r.Values[ci]), c.Type, cerr)}
						}
					}
					return nil, &StepError{Step: st, File: st.Node.Change.File, Line: r.Line, Err: rerr}
				}
			}
			return nil, &StepError{Step: st, File: st.Node.Change.File, Err: err}
		}
		out = append(out, got...)
	}
	return out, nil
}

func (s *session) canonicalBatch(ctx context.Context, cols []tandem.Column, rows []tandem.DataRow) ([][]*string, error) {
	d := s.e.Dialect
	var b strings.Builder
	args := make([]any, 0, len(rows)*len(cols))
	for ri, r := range rows {
		if ri > 0 {
			b.WriteString(" UNION ALL ")
		}
		// The row index is a literal, not a parameter: PostgreSQL would infer an untyped
		// parameter as text.
		fmt.Fprintf(&b, "SELECT %d", ri)
		for ci, c := range cols {
			b.WriteString(", ")
			b.WriteString(d.CastText(d.Cast(d.Placeholder(len(args)+1), c), c))
			args = append(args, nullable(r.Values[ci]))
		}
	}
	rs, err := s.conn.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := make([][]*string, len(rows))
	for rs.Next() {
		var idx int
		vals := make([]sql.NullString, len(cols))
		dest := []any{&idx}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, err
		}
		if idx < 0 || idx >= len(rows) {
			return nil, fmt.Errorf("unexpected row index %d", idx)
		}
		out[idx] = fromNull(vals)
	}
	return out, rs.Err()
}

// currentRows reads the table's rows as canonical text.
func (s *session) currentRows(ctx context.Context, d *dataDiff) ([][]*string, error) {
	dl := s.e.Dialect
	exprs := make([]string, len(d.cols))
	for i, c := range d.cols {
		exprs[i] = dl.CastText(dl.QuoteIdent(c.Name), c)
	}
	rs, err := s.conn.QueryContext(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+d.table)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out [][]*string
	for rs.Next() {
		vals := make([]sql.NullString, len(d.cols))
		dest := make([]any, len(vals))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, fromNull(vals))
	}
	return out, rs.Err()
}

// syncData applies a run of consecutive data steps in one transaction: deletes child tables
// first (reverse plan order), then updates and inserts parent tables first (plan order), so that
// foreign keys hold at every statement.
func (s *session) syncData(ctx context.Context, steps []plan.Step) ([]*dataDiff, error) {
	diffs := make([]*dataDiff, 0, len(steps))
	for _, st := range steps {
		d, err := s.diffData(ctx, st)
		if err != nil {
			return nil, err
		}
		diffs = append(diffs, d)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i := len(diffs) - 1; i >= 0; i-- {
			if err := s.deleteRows(ctx, tx, diffs[i]); err != nil {
				return err
			}
		}
		for _, d := range diffs {
			if err := s.upsertRows(ctx, tx, d); err != nil {
				return err
			}
			n := d.step.Node
			rec := s.record(n, tandem.Applied)
			def, _ := json.Marshal(n.Object.Data)
			rec.Definition = string(def)
			if err := s.hist.put(ctx, tx, rec); err != nil {
				return err
			}
			ev := s.eventFor(n, tandem.EventData)
			ev.SQL = string(def)
			if err := s.hist.event(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	return diffs, err
}

func (s *session) deleteRows(ctx context.Context, tx *sql.Tx, d *dataDiff) error {
	if len(d.deletes) == 0 {
		return nil
	}
	stmt := "DELETE FROM " + d.table + " WHERE " + s.keyWhere(d, 1)
	for _, keys := range d.deletes {
		args := make([]any, len(keys))
		for i, k := range keys {
			args[i] = nullable(k)
		}
		if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
			return &StepError{Step: d.step, File: d.step.Node.Change.File, Err: fmt.Errorf("delete row with key %s from %s: %w", showKeyVals(keys), d.step.Node.Object.Name, err)}
		}
	}
	return nil
}

func (s *session) upsertRows(ctx context.Context, tx *sql.Tx, d *dataDiff) error {
	dl := s.e.Dialect
	if len(d.updates) > 0 {
		var sets []string
		for i, c := range d.cols {
			sets = append(sets, dl.QuoteIdent(c.Name)+" = "+dl.Cast(dl.Placeholder(i+1), c))
		}
		stmt := "UPDATE " + d.table + " SET " + strings.Join(sets, ", ") + " WHERE " + s.keyWhere(d, len(d.cols)+1)
		for _, r := range d.updates {
			args := make([]any, 0, len(d.cols)+len(d.key))
			for _, v := range r.Values {
				args = append(args, nullable(v))
			}
			for _, ki := range d.key {
				args = append(args, nullable(r.Values[ki]))
			}
			if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
				return &StepError{Step: d.step, File: d.step.Node.Change.File, Line: r.Line, Err: fmt.Errorf("update: %w", err)}
			}
		}
	}
	if len(d.inserts) > 0 {
		names, vals := make([]string, len(d.cols)), make([]string, len(d.cols))
		for i, c := range d.cols {
			names[i], vals[i] = dl.QuoteIdent(c.Name), dl.Cast(dl.Placeholder(i+1), c)
		}
		stmt := "INSERT INTO " + d.table + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ")"
		for _, r := range d.inserts {
			args := make([]any, len(r.Values))
			for i, v := range r.Values {
				args[i] = nullable(v)
			}
			if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
				return &StepError{Step: d.step, File: d.step.Node.Change.File, Line: r.Line, Err: fmt.Errorf("insert: %w", err)}
			}
		}
	}
	return nil
}

// keyWhere renders "k1 = CAST($n AS t) AND ..." for the key columns, numbering from first.
func (s *session) keyWhere(d *dataDiff, first int) string {
	dl := s.e.Dialect
	parts := make([]string, len(d.key))
	for i, ki := range d.key {
		c := d.cols[ki]
		parts[i] = dl.QuoteIdent(c.Name) + " = " + dl.Cast(dl.Placeholder(first+i), c)
	}
	return strings.Join(parts, " AND ")
}

func columnNames(cols []tandem.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

func rowKey(row []*string, key []int) string {
	var b strings.Builder
	for _, ki := range key {
		if row[ki] == nil {
			b.WriteString("\x01")
		} else {
			b.WriteString(*row[ki])
		}
		b.WriteByte(0)
	}
	return b.String()
}

func showKey(row []*string, key []int) string {
	vals := make([]*string, len(key))
	for i, ki := range key {
		vals[i] = row[ki]
	}
	return showKeyVals(vals)
}

func showKeyVals(vals []*string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = deref(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func equalRows(a, b []*string) bool {
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || (a[i] != nil && *a[i] != *b[i]) {
			return false
		}
	}
	return true
}

func fromNull(vals []sql.NullString) []*string {
	out := make([]*string, len(vals))
	for i, v := range vals {
		if v.Valid {
			s := v.String
			out[i] = &s
		}
	}
	return out
}

func nullable(v *string) any {
	if v == nil {
		return nil
	}
	return *v
}

func deref(v *string) string {
	if v == nil {
		return "NULL"
	}
	return *v
}

// dataScript runs a static data script (a .sql file in a staticdata folder, as Obevo allows)
// with its history row, in one transaction: the script is expected to make the rows right by
// itself, typically by deleting and inserting.
func (s *session) dataScript(ctx context.Context, st plan.Step) error {
	stmts, err := s.prepare(ctx, st)
	if err != nil {
		return err
	}
	return s.runRecorded(ctx, st, stmts, s.record(st.Node, tandem.Applied), s.eventFor(st.Node, tandem.EventData))
}
