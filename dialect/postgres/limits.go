package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/tandem-db/tandem"
)

const limitsQuery = `SELECT a.attname, format_type(a.atttypid, a.atttypmod),
       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '',
       coalesce(pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid::bigint = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`

// Limits reads the catalog: a column with a default (serial's nextval included), an identity
// or a generated column fills itself; character(n) and character varying(n) hold n characters,
// trailing spaces aside; smallint, integer and bigint their ranges; numeric(p,s) p digits, s
// of them after the point. Arrays and domains are not looked into.
func (Dialect) Limits(ctx context.Context, q tandem.Querier, schema, table string) (*tandem.TableLimits, error) {
	var oid int64
	err := q.QueryRowContext(ctx, relationQuery, schema, table).Scan(&oid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("postgres: table %s: %w", describe(schema, table), tandem.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: limits of %s: %w", describe(schema, table), err)
	}
	rows, err := q.QueryContext(ctx, limitsQuery, oid)
	if err != nil {
		return nil, fmt.Errorf("postgres: limits of %s: %w", describe(schema, table), err)
	}
	defer rows.Close()
	out := &tandem.TableLimits{}
	for rows.Next() {
		var (
			lim tandem.ColumnLimits
			typ string
		)
		if err := rows.Scan(&lim.Name, &typ, &lim.Filled, &lim.Default); err != nil {
			return nil, fmt.Errorf("postgres: limits of %s: %w", describe(schema, table), err)
		}
		typeLimits(typ, &lim)
		out.Columns = append(out.Columns, lim)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: limits of %s: %w", describe(schema, table), err)
	}
	return out, nil
}

var (
	charRe    = regexp.MustCompile(`^(?:character varying|character)\((\d+)\)$`)
	numericRe = regexp.MustCompile(`^numeric\((\d+)(?:,(-?\d+))?\)$`)
)

// typeLimits fills the limits a type, as format_type writes it, sets.
func typeLimits(typ string, lim *tandem.ColumnLimits) {
	switch typ {
	case "smallint":
		lim.Min, lim.Max = "-32768", "32767"
		return
	case "integer":
		lim.Min, lim.Max = "-2147483648", "2147483647"
		return
	case "bigint":
		lim.Min, lim.Max = "-9223372036854775808", "9223372036854775807"
		return
	}
	if m := charRe.FindStringSubmatch(typ); m != nil {
		lim.Chars, _ = strconv.Atoi(m[1])
	} else if m := numericRe.FindStringSubmatch(typ); m != nil {
		lim.Precision, _ = strconv.Atoi(m[1])
		lim.Scale, _ = strconv.Atoi(m[2]) // "" (no scale) is 0
	}
}
