package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// relationQuery finds a table, view or foreign table by name, preferring an exact match over a
// case-insensitive one.
const relationQuery = `SELECT c.oid::bigint
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE lower(n.nspname) = lower(` + schemaArg + `) AND lower(c.relname) = lower($2)
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
ORDER BY (n.nspname = ` + schemaArg + `)::int + (c.relname = $2)::int DESC, n.nspname, c.relname
LIMIT 1`

const columnsQuery = `SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       coalesce((SELECT array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1) + 1
                 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary), 0)
FROM pg_attribute a
WHERE a.attrelid::bigint = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`

// Columns describes a table's columns in ordinal order, with types as format_type writes them
// ("integer", "character varying(30)", "timestamp with time zone"). schema "" means the
// current schema.
func (Dialect) Columns(ctx context.Context, q tandem.Querier, schema, table string) ([]tandem.Column, error) {
	var oid int64
	err := q.QueryRowContext(ctx, relationQuery, schema, table).Scan(&oid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("postgres: table %s: %w", describe(schema, table), tandem.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: columns of %s: %w", describe(schema, table), err)
	}
	rows, err := q.QueryContext(ctx, columnsQuery, oid)
	if err != nil {
		return nil, fmt.Errorf("postgres: columns of %s: %w", describe(schema, table), err)
	}
	defer rows.Close()
	var cols []tandem.Column
	for rows.Next() {
		var c tandem.Column
		if err := rows.Scan(&c.Name, &c.Type, &c.Nullable, &c.PrimaryKey); err != nil {
			return nil, fmt.Errorf("postgres: columns of %s: %w", describe(schema, table), err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: columns of %s: %w", describe(schema, table), err)
	}
	return cols, nil
}

func describe(schema, name string) string {
	if schema == "" {
		return name
	}
	return schema + "." + name
}

// Cast renders CAST(expr AS type). Character types are cast to text rather than to their
// declared length: an explicit cast to varchar(3) silently truncates, while the assignment of
// text to the column reports a value that is too long.
func (Dialect) Cast(expr string, col tandem.Column) string {
	t := strings.TrimSpace(col.Type)
	if t == "" {
		return expr
	}
	if isCharType(t) {
		return "CAST(" + expr + " AS text)"
	}
	return "CAST(" + expr + " AS " + t + ")"
}

// CastText renders CAST(expr AS text): PostgreSQL's output form, in which booleans are true and
// false, timestamps follow the session's DateStyle and TimeZone, and jsonb is normalized.
func (Dialect) CastText(expr string, col tandem.Column) string {
	return "CAST(" + expr + " AS text)"
}

// CheckValue accepts every text: PostgreSQL's casts refuse what is no value of the type (and
// say which value), so the cast that canonicalises static data finds such values itself.
func (Dialect) CheckValue(tandem.Column, string) error { return nil }

func isCharType(t string) bool {
	t = strings.ToLower(t)
	for _, p := range []string{"character varying", "character", "varchar", "char", "bpchar", "text"} {
		if t == p || strings.HasPrefix(t, p+"(") {
			return true
		}
	}
	return false
}
