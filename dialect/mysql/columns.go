package mysql

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

// Columns describes a table's columns in ordinal order, with types as COLUMN_TYPE writes them
// ("int(11)", "varchar(30)", "tinyint(1)", "decimal(10,2)"). schema "" means the current
// database.
func (Dialect) Columns(ctx context.Context, q tandem.Querier, schema, table string) ([]tandem.Column, error) {
	names, err := lookup(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA = `+schemaArg+` AND LOWER(TABLE_NAME) = LOWER(?)`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("mysql: columns of %s: %w", describe(schema, table), err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("mysql: table %s: %w", describe(schema, table), tandem.ErrNotFound)
	}
	rows, err := q.QueryContext(ctx, `SELECT c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE = 'YES',
       COALESCE((SELECT k.ORDINAL_POSITION FROM information_schema.KEY_COLUMN_USAGE k
                 WHERE k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME
                   AND k.COLUMN_NAME = c.COLUMN_NAME AND k.CONSTRAINT_NAME = 'PRIMARY'), 0)
FROM information_schema.COLUMNS c
WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ?
ORDER BY c.ORDINAL_POSITION`, names[0][0], names[0][1])
	if err != nil {
		return nil, fmt.Errorf("mysql: columns of %s: %w", describe(schema, table), err)
	}
	defer rows.Close()
	var cols []tandem.Column
	for rows.Next() {
		var c tandem.Column
		if err := rows.Scan(&c.Name, &c.Type, &c.Nullable, &c.PrimaryKey); err != nil {
			return nil, fmt.Errorf("mysql: columns of %s: %w", describe(schema, table), err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mysql: columns of %s: %w", describe(schema, table), err)
	}
	return cols, nil
}

func describe(schema, name string) string {
	if schema == "" {
		return name
	}
	return schema + "." + name
}

var typeRe = regexp.MustCompile(`^([a-z ]+?)\s*(\(([^)]*)\))?\s*(unsigned)?\s*(zerofill)?$`)

// parseType splits a COLUMN_TYPE into its base name, its parenthesized arguments and whether it
// is unsigned.
func parseType(t string) (base, args string, unsigned bool) {
	m := typeRe.FindStringSubmatch(strings.ToLower(strings.TrimSpace(t)))
	if m == nil {
		return strings.ToLower(strings.TrimSpace(t)), "", false
	}
	return m[1], m[3], m[4] != ""
}

// boolWords are the spellings a boolean column accepts through Cast, in the order of
// boolValues. FIELD() finds the position; ELT() picks 0 or 1. Anything else gives NULL, which a
// NOT NULL column refuses.
const (
	boolWords  = "'0', 'f', 'false', 'n', 'no', 'off', '1', 't', 'true', 'y', 'yes', 'on'"
	boolValues = "0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1"
)

// Cast converts expr (usually a ? bound to a string) to the column's type. MySQL's CAST knows
// few targets: integers become SIGNED or UNSIGNED, decimals DECIMAL(p,s), dates and times
// DATE, DATETIME(n) or TIME(n), json JSON. Text, enum, set, float and binary types take expr
// as it is, since MySQL converts on assignment and compares them as written. tinyint(1) is
// MySQL's boolean: it accepts 0/1, true/false, t/f, yes/no, y/n and on/off in any case, so that
// data written for PostgreSQL loads unchanged. expr appears once in the result, so a ? stays
// one parameter.
func (Dialect) Cast(expr string, col tandem.Column) string {
	base, args, unsigned := parseType(col.Type)
	switch base {
	case "tinyint":
		if args == "1" {
			return "ELT(FIELD(LOWER(" + expr + "), " + boolWords + "), " + boolValues + ")"
		}
		fallthrough
	case "smallint", "mediumint", "int", "integer", "bigint":
		if unsigned {
			return "CAST(" + expr + " AS UNSIGNED)"
		}
		return "CAST(" + expr + " AS SIGNED)"
	case "bool", "boolean":
		return "ELT(FIELD(LOWER(" + expr + "), " + boolWords + "), " + boolValues + ")"
	case "decimal", "numeric", "dec", "fixed":
		if args == "" {
			return "CAST(" + expr + " AS DECIMAL)"
		}
		return "CAST(" + expr + " AS DECIMAL(" + args + "))"
	case "date":
		return "CAST(" + expr + " AS DATE)"
	case "datetime", "timestamp":
		if args != "" {
			return "CAST(" + expr + " AS DATETIME(" + args + "))"
		}
		return "CAST(" + expr + " AS DATETIME)"
	case "time":
		if args != "" {
			return "CAST(" + expr + " AS TIME(" + args + "))"
		}
		return "CAST(" + expr + " AS TIME)"
	case "json":
		// Only MySQL reports json; MariaDB's JSON is longtext and takes the text as it is.
		return "CAST(" + expr + " AS JSON)"
	}
	return expr
}

// intRanges are the ranges of MySQL's integer types: signed minimum and maximum, unsigned
// maximum.
var intRanges = map[string]struct {
	min, max int64
	umax     uint64
}{
	"tinyint":   {-1 << 7, 1<<7 - 1, 1<<8 - 1},
	"smallint":  {-1 << 15, 1<<15 - 1, 1<<16 - 1},
	"mediumint": {-1 << 23, 1<<23 - 1, 1<<24 - 1},
	"int":       {-1 << 31, 1<<31 - 1, 1<<32 - 1},
	"integer":   {-1 << 31, 1<<31 - 1, 1<<32 - 1},
	"bigint":    {-1 << 63, 1<<63 - 1, 1<<64 - 1},
}

var timeRe = regexp.MustCompile(`^-?([0-9]+ )?[0-9]{1,3}:[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$`)

// CheckValue reports whether v, the text of a static data value, is a value of col's type,
// since Cast does not refuse every value that is not (CAST('eighty' AS SIGNED) is 0 with a
// warning, and a boolean that is not one of the spellings Cast knows becomes NULL): integers
// take whole numbers in their type's range, decimals and floats numbers, booleans (tinyint(1))
// the spellings Cast knows, dates YYYY-MM-DD (a time after it is cut off), datetimes and
// timestamps a date with an optional time, times [-][D ]HH:MM[:SS[.fff]], json (MySQL's)
// valid JSON. Other types take anything here and are checked by the database as it stores them.
// The error says how to write the value.
func (Dialect) CheckValue(col tandem.Column, v string) error {
	base, args, unsigned := parseType(col.Type)
	switch base {
	case "bool", "boolean":
		if !literal.Bool(v) {
			return errors.New(literal.BoolHint)
		}
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		if base == "tinyint" && args == "1" {
			if !literal.Bool(v) {
				return errors.New(literal.BoolHint)
			}
			return nil
		}
		r := intRanges[base]
		if unsigned {
			n, whole, ok := literal.Unsigned(v)
			if !whole {
				return errors.New("write a whole number without a sign, such as 42")
			}
			if !ok || n > r.umax {
				return fmt.Errorf("the number is out of the range of %s (0 to %d)", col.Type, r.umax)
			}
			return nil
		}
		n, whole, ok := literal.Integer(v)
		if !whole {
			return errors.New("write a whole number, such as 42")
		}
		if !ok || n < r.min || n > r.max {
			return fmt.Errorf("the number is out of the range of %s (%d to %d)", col.Type, r.min, r.max)
		}
	case "decimal", "numeric", "dec", "fixed", "float", "double", "double precision", "real":
		if !literal.Number(v) {
			return errors.New("write a number, such as 1.5, -2 or 1e3 (with a point, not a comma)")
		}
	case "date":
		if !literal.DateTime(v) {
			return errors.New("write a date as YYYY-MM-DD")
		}
	case "datetime", "timestamp":
		if !literal.DateTime(v) {
			return errors.New("write a date and time as YYYY-MM-DD HH:MM:SS (or a date alone, YYYY-MM-DD)")
		}
	case "time":
		if !timeRe.MatchString(v) {
			return errors.New("write a time as HH:MM:SS")
		}
	case "json":
		if !json.Valid([]byte(v)) {
			return errors.New("write valid JSON")
		}
	}
	return nil
}

// CastText renders CAST(expr AS CHAR), except for booleans (tinyint(1)), which read back as
// true (any non-zero value) and false like PostgreSQL's, so that one CSV serves both databases.
func (Dialect) CastText(expr string, col tandem.Column) string {
	base, args, _ := parseType(col.Type)
	if (base == "tinyint" && args == "1") || base == "bool" || base == "boolean" {
		return "ELT((" + expr + " <> 0) + 1, 'false', 'true')"
	}
	return "CAST(" + expr + " AS CHAR)"
}
