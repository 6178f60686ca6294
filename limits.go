package tandem

import (
	"context"
	"strings"
)

// ColumnLimits says, as data, which values a column refuses, so that an engine can find the
// rows a copy into the column would fail on before it copies any. A zero field sets no limit.
type ColumnLimits struct {
	// Name is the column's name, as Columns writes it.
	Name string
	// Filled: an INSERT that leaves the column out gives it a value (a default, an identity,
	// serial or AUTO_INCREMENT column, a generated column, SQLite's rowid).
	Filled bool
	// Chars is the most characters a value may have once trailing spaces are dropped (char(n),
	// varchar(n): PostgreSQL and MySQL both drop excess trailing spaces instead of refusing).
	Chars int
	// Bytes is the most bytes a value may have (binary(n), varbinary(n), MySQL's tinytext,
	// text, tinyblob, blob, ...).
	Bytes int64
	// Min and Max bound the values of an integer column, as decimal text; a value is rounded
	// to a whole number before it is stored. Both are empty for other columns.
	Min, Max string
	// Precision and Scale describe a fixed-point column, numeric(Precision, Scale): a value
	// rounded to Scale decimals must stay below 10^(Precision-Scale) in absolute value.
	Precision, Scale int
	// Affinity is how SQLite converts a value stored in the column: INTEGER, REAL, NUMERIC,
	// TEXT or BLOB (no conversion). Empty elsewhere.
	Affinity string
	// Strict is the declared type of a column of an SQLite STRICT table (INTEGER, INT, REAL,
	// TEXT, BLOB or ANY): a value that its affinity does not turn into that type is refused.
	Strict string
	// Default is the SQL of the column's default, or "" when it has none.
	Default string
}

// TableLimits says which rows a table refuses: the limits of each column, and the table's
// CHECK constraints.
type TableLimits struct {
	Columns []ColumnLimits
	// Checks are the expressions of the table's CHECK constraints, over its columns' names,
	// in the database's SQL, in the order they are declared. A row for which one is false is
	// refused; NULL passes.
	Checks []string
}

// Column returns the limits of the column named name (compared exactly, then ignoring case).
func (t *TableLimits) Column(name string) (ColumnLimits, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return ColumnLimits{}, false
}

// LimitReader says which values a table refuses, so that a move finds the rows a copy would
// fail on before it copies any.
type LimitReader interface {
	// Limits reads the limits of every column of schema.table ("" means the default schema),
	// or returns an error wrapping ErrNotFound when the table does not exist.
	Limits(ctx context.Context, q Querier, schema, table string) (*TableLimits, error)
}

// ValueTester is implemented by dialects whose SQL tests values against ColumnLimits in ways
// that standard SQL does not (SQLite's storage classes and affinities). It is optional: where it
// is missing, an engine measures with standard SQL's char_length and octet_length, which is
// right for such databases, and does not evaluate B's CHECK constraints on A's rows before a
// copy (the copy itself still refuses the rows).
type ValueTester interface {
	// CharLength renders the number of characters of expr, a text value.
	CharLength(expr string) string
	// ByteLength renders the number of bytes of expr.
	ByteLength(expr string) string
	// Stored renders expr's value as a column with these limits stores it (its affinity
	// applied), so that a CHECK constraint can be evaluated on it.
	Stored(expr string, lim ColumnLimits) string
	// TypeRefused renders a condition that is true when the column refuses expr's value for
	// its type (an SQLite STRICT column), or "" when the column's type refuses nothing.
	TypeRefused(expr string, lim ColumnLimits) string
}
