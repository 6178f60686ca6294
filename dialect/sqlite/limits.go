package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// What SQLite refuses, for a move's pre-flight check. A table without STRICT refuses no value
// for its type: it stores what its affinity cannot convert as it is. What fails a copy there is
// NOT NULL and the CHECK constraints, evaluated on the values as stored; a STRICT table also
// refuses the values its columns' affinity does not turn into their type
// (https://sqlite.org/stricttables.html). Lengths (varchar(n)) are never enforced.
//
// It implements tandem.ValueTester, checked in dialect.go.

// Limits reads pragma_table_xinfo (generated columns included), whether the table is STRICT
// (pragma_table_list) and its CHECK constraints from the CREATE TABLE in sqlite_schema. schema
// is ignored.
func (Dialect) Limits(ctx context.Context, q tandem.Querier, _ string, table string) (*tandem.TableLimits, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, type, dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`, table)
	if err != nil {
		return nil, fmt.Errorf("sqlite: limits of %s: %w", table, err)
	}
	defer rows.Close()
	type col struct {
		lim    tandem.ColumnLimits
		decl   string
		pk     int
		hidden int // 2 and 3: a generated column
		dflt   sql.NullString
	}
	var cols []col
	pkCols := 0
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.lim.Name, &c.decl, &c.dflt, &c.pk, &c.hidden); err != nil {
			return nil, fmt.Errorf("sqlite: limits of %s: %w", table, err)
		}
		if c.pk > 0 {
			pkCols++
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: limits of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("sqlite: table %s: %w", table, tandem.ErrNotFound)
	}
	// pragma_table_list came with STRICT tables (3.37); an older SQLite has neither.
	var strict bool
	if err := q.QueryRowContext(ctx, `SELECT "strict" FROM pragma_table_list WHERE schema = 'main' AND name = ?`, table).Scan(&strict); err != nil {
		strict = false
	}
	out := &tandem.TableLimits{}
	for _, c := range cols {
		lim := c.lim
		// A single INTEGER PRIMARY KEY is the rowid, which SQLite fills itself.
		rowid := c.pk == 1 && pkCols == 1 && strings.EqualFold(strings.TrimSpace(c.decl), "INTEGER")
		lim.Filled = c.dflt.Valid || c.hidden == 2 || c.hidden == 3 || rowid
		lim.Default = c.dflt.String
		lim.Affinity = affinity(c.decl)
		if strict {
			lim.Strict = strings.ToUpper(strings.TrimSpace(c.decl))
			if lim.Strict == "ANY" {
				lim.Affinity = "BLOB" // ANY in a STRICT table keeps every value as it is
			}
		}
		out.Columns = append(out.Columns, lim)
	}
	var ddl sql.NullString
	err = q.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&ddl)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: CHECK constraints of %s: %w", table, err)
	}
	out.Checks = sqllex.Groups(ddl.String, sqllex.SQLite, "CHECK")
	return out, nil
}

// affinity applies SQLite's rules to a declared type
// (https://sqlite.org/datatype3.html#determination_of_column_affinity).
func affinity(decl string) string {
	t := strings.ToUpper(decl)
	switch {
	case strings.Contains(t, "INT"):
		return "INTEGER"
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return "TEXT"
	case strings.TrimSpace(t) == "" || strings.Contains(t, "BLOB"):
		return "BLOB"
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return "REAL"
	}
	return "NUMERIC"
}

// CharLength renders length(expr): SQLite has no char_length, and its length counts the
// characters of text.
func (Dialect) CharLength(expr string) string { return "length(" + expr + ")" }

// ByteLength renders the length of expr as a blob.
func (Dialect) ByteLength(expr string) string { return "length(CAST(" + expr + " AS BLOB))" }

// Stored renders expr converted by the column's affinity, as SQLite stores it: text that is a
// well-formed number becomes that number in a column of INTEGER, NUMERIC or REAL affinity (and
// a whole REAL an INTEGER, but for REAL affinity), numbers become text in a column of TEXT
// affinity, and anything else is kept. The test for a well-formed number is SQLite's own: in
// expr = CAST(expr AS NUMERIC) the comparison applies NUMERIC affinity to expr, which converts
// it exactly when storing it would.
func (Dialect) Stored(expr string, lim tandem.ColumnLimits) string {
	e := "(" + expr + ")"
	number := "typeof(" + e + ") = 'text' AND " + e + " = CAST(" + e + " AS NUMERIC)"
	switch lim.Affinity {
	case "INTEGER", "NUMERIC":
		n := "CAST(" + e + " AS NUMERIC)"
		whole := "CASE WHEN typeof(" + n + ") = 'real' AND " + n + " = CAST(" + n + " AS INTEGER) THEN CAST(" + n + " AS INTEGER) ELSE " + n + " END"
		return "CASE WHEN " + number + " THEN " + whole +
			" WHEN typeof(" + e + ") = 'real' AND " + e + " = CAST(" + e + " AS INTEGER) THEN CAST(" + e + " AS INTEGER) ELSE " + e + " END"
	case "REAL":
		return "CASE WHEN typeof(" + e + ") = 'integer' OR (" + number + ") THEN CAST(" + e + " AS REAL) ELSE " + e + " END"
	case "TEXT":
		return "CASE WHEN typeof(" + e + ") IN ('integer', 'real') THEN CAST(" + e + " AS TEXT) ELSE " + e + " END"
	}
	return expr
}

// TypeRefused renders the test of a STRICT column: the value as its affinity stores it must be
// of the column's type, or NULL. ANY, and a column of a table that is not STRICT, refuse nothing.
func (d Dialect) TypeRefused(expr string, lim tandem.ColumnLimits) string {
	class := ""
	switch lim.Strict {
	case "INT", "INTEGER":
		class = "integer"
	case "REAL":
		class = "real"
	case "TEXT":
		class = "text"
	case "BLOB":
		class = "blob"
	default:
		return ""
	}
	return "typeof(" + d.Stored(expr, lim) + ") NOT IN ('" + class + "', 'null')"
}
