package mysql

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
)

// Limits reads information_schema.COLUMNS: a column with a default, AUTO_INCREMENT or generated
// fills itself; char(n) and varchar(n) hold n characters (trailing spaces aside), binary(n) and
// varbinary(n) n bytes, tinytext to mediumtext and their blobs 255 to 16777215 bytes; integers
// their signed or unsigned ranges; decimal(p,s) p digits, s of them after the point. These are
// what a strict sql_mode (MariaDB's and MySQL's default) refuses.
func (Dialect) Limits(ctx context.Context, q tandem.Querier, schema, table string) (*tandem.TableLimits, error) {
	names, err := lookup(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA = `+schemaArg+` AND LOWER(TABLE_NAME) = LOWER(?)`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("mysql: limits of %s: %w", describe(schema, table), err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("mysql: table %s: %w", describe(schema, table), tandem.ErrNotFound)
	}
	rows, err := q.QueryContext(ctx, `SELECT COLUMN_NAME, COLUMN_TYPE,
       COLUMN_DEFAULT IS NOT NULL OR EXTRA LIKE '%auto_increment%' OR EXTRA LIKE '%GENERATED%'
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION`, names[0][0], names[0][1])
	if err != nil {
		return nil, fmt.Errorf("mysql: limits of %s: %w", describe(schema, table), err)
	}
	defer rows.Close()
	out := &tandem.TableLimits{}
	for rows.Next() {
		var (
			lim tandem.ColumnLimits
			typ string
		)
		if err := rows.Scan(&lim.Name, &typ, &lim.Filled); err != nil {
			return nil, fmt.Errorf("mysql: limits of %s: %w", describe(schema, table), err)
		}
		typeLimits(typ, &lim)
		out.Columns = append(out.Columns, lim)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mysql: limits of %s: %w", describe(schema, table), err)
	}
	return out, nil
}

// byteTypes are the sizes of the text and blob types, in bytes.
var byteTypes = map[string]int64{
	"tinytext": 255, "tinyblob": 255, "text": 65535, "blob": 65535, "mediumtext": 16777215, "mediumblob": 16777215,
}

// typeLimits fills the limits a COLUMN_TYPE sets.
func typeLimits(typ string, lim *tandem.ColumnLimits) {
	base, args, unsigned := parseType(typ)
	if r, ok := intRanges[base]; ok {
		lim.Min, lim.Max = strconv.FormatInt(r.min, 10), strconv.FormatInt(r.max, 10)
		if unsigned {
			lim.Min, lim.Max = "0", strconv.FormatUint(r.umax, 10)
		}
		return
	}
	if n, ok := byteTypes[base]; ok {
		lim.Bytes = n
		return
	}
	switch base {
	case "char", "varchar":
		lim.Chars, _ = strconv.Atoi(args)
	case "binary", "varbinary":
		n, _ := strconv.Atoi(args)
		lim.Bytes = int64(n)
	case "decimal", "numeric", "dec", "fixed":
		p, s, _ := strings.Cut(args, ",")
		lim.Precision, _ = strconv.Atoi(strings.TrimSpace(p))
		lim.Scale, _ = strconv.Atoi(strings.TrimSpace(s))
		if lim.Precision == 0 {
			lim.Precision = 10 // DECIMAL alone is DECIMAL(10,0)
		}
	}
}
