package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/literal"
)

// Columns describes a table's (or view's) columns in ordinal order from pragma_table_info,
// with types as declared ("INTEGER", "VARCHAR(30)", "" when none). schema is ignored.
func (Dialect) Columns(ctx context.Context, q tandem.Querier, _ string, table string) ([]tandem.Column, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, fmt.Errorf("sqlite: columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []tandem.Column
	for rows.Next() {
		var (
			c       tandem.Column
			notNull bool
		)
		if err := rows.Scan(&c.Name, &c.Type, &notNull, &c.PrimaryKey); err != nil {
			return nil, fmt.Errorf("sqlite: columns of %s: %w", table, err)
		}
		c.Nullable = !notNull
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: columns of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("sqlite: table %s: %w", table, tandem.ErrNotFound)
	}
	return cols, nil
}

// kind classifies a declared type the way SQLite's affinity rules do
// (https://sqlite.org/datatype3.html#determination_of_column_affinity), with booleans, dates
// and JSON told apart because they need different handling.
type kind int

const (
	kindBlob kind = iota
	kindInteger
	kindText
	kindReal
	kindNumeric
	kindBool
	kindTime // DATE, DATETIME, TIMESTAMP, TIME: NUMERIC affinity, but stored as text
	kindJSON
)

func classify(decl string) kind {
	t := strings.ToUpper(decl)
	switch {
	case strings.Contains(t, "BOOL"):
		return kindBool
	case strings.Contains(t, "INT"):
		return kindInteger
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return kindText
	case t == "" || strings.Contains(t, "BLOB"):
		return kindBlob
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return kindReal
	case strings.Contains(t, "DATE"), strings.Contains(t, "TIME"):
		return kindTime
	case strings.Contains(t, "JSON"):
		return kindJSON
	}
	return kindNumeric
}

// Cast converts expr to the column's storage class: CAST(expr AS INTEGER), REAL or NUMERIC for
// numbers; expr unchanged for text, dates and times (which SQLite stores as text: a NUMERIC
// cast would turn 2024-01-02 into 2024), JSON and blobs. A boolean column accepts 0/1,
// true/false, t/f, yes/no, y/n and on/off in any case and stores 1 or 0; anything else gives
// NULL. expr appears once, so a ? stays one parameter.
func (Dialect) Cast(expr string, col tandem.Column) string {
	switch classify(col.Type) {
	case kindInteger:
		return "CAST(" + expr + " AS INTEGER)"
	case kindReal:
		return "CAST(" + expr + " AS REAL)"
	case kindNumeric:
		return "CAST(" + expr + " AS NUMERIC)"
	case kindBool:
		return "CASE lower(" + expr + ") WHEN '1' THEN 1 WHEN 't' THEN 1 WHEN 'true' THEN 1 WHEN 'y' THEN 1 WHEN 'yes' THEN 1 WHEN 'on' THEN 1" +
			" WHEN '0' THEN 0 WHEN 'f' THEN 0 WHEN 'false' THEN 0 WHEN 'n' THEN 0 WHEN 'no' THEN 0 WHEN 'off' THEN 0 END"
	}
	return expr
}

// CheckValue reports whether v, the text of a static data value, is a value of col's declared
// type by the affinity SQLite gives that type, since Cast takes any text (CAST('eighty' AS
// INTEGER) is 0): INTEGER affinity takes whole numbers; REAL and NUMERIC affinity numbers;
// booleans the spellings Cast knows; dates and times, stored as the text written, a calendar
// date YYYY-MM-DD, a time of day HH:MM[:SS[.fff]] or both, the time optionally followed by a
// zone (Z or +HH:MM), as SQLite's date functions read them; JSON valid JSON. Text and blob
// columns take anything. The error says how to write the value.
func (Dialect) CheckValue(col tandem.Column, v string) error {
	switch classify(col.Type) {
	case kindInteger:
		if _, whole, ok := literal.Integer(v); !ok {
			if whole {
				return errors.New("the number is out of the range of a 64-bit integer")
			}
			return errors.New("write a whole number, such as 42")
		}
	case kindReal:
		if !literal.Number(v) {
			return errors.New("write a number, such as 1.5, -2 or 1e3 (with a point, not a comma)")
		}
	case kindNumeric:
		if !literal.Number(v) {
			t := strings.ToUpper(col.Type)
			if strings.Contains(t, "NUM") || strings.Contains(t, "DEC") {
				return errors.New("write a number, such as 1.5 or -2 (with a point, not a comma)")
			}
			return fmt.Errorf("write a number: SQLite gives the declared type %s NUMERIC affinity, and tandem stores such values as numbers; declare the column TEXT to keep text in it", col.Type)
		}
	case kindBool:
		if !literal.Bool(v) {
			return errors.New(literal.BoolHint)
		}
	case kindTime:
		if !timeValue(v) {
			return errors.New("write a date as YYYY-MM-DD, a time as HH:MM:SS, or both as YYYY-MM-DD HH:MM:SS")
		}
	case kindJSON:
		if !json.Valid([]byte(v)) {
			return errors.New("write valid JSON")
		}
	}
	return nil
}

var zoneRe = regexp.MustCompile(`(Z|[+-][0-9]{2}:[0-9]{2})$`)

// timeValue reports whether v is a date, a time or both in a form SQLite's date functions read
// (https://sqlite.org/lang_datefunc.html#time_values, without "now" and day numbers, which
// make no sense in data kept in a file).
func timeValue(v string) bool {
	if literal.DateTime(v) || literal.Clock(v) {
		return true
	}
	loc := zoneRe.FindStringIndex(v)
	if loc == nil {
		return false
	}
	t := v[:loc[0]]
	// a zone follows a time, not a bare date
	return (len(t) > 10 && literal.DateTime(t)) || literal.Clock(t)
}

// CastText renders CAST(expr AS TEXT), except for booleans, which read back as true (any
// non-zero value) and false like PostgreSQL's, so that one CSV serves every database.
func (Dialect) CastText(expr string, col tandem.Column) string {
	if classify(col.Type) == kindBool {
		return "CASE (" + expr + ") <> 0 WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"
	}
	return "CAST(" + expr + " AS TEXT)"
}
