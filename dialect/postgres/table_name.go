package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tandem-db/tandem"
)

const tableNameQuery = `SELECT c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE lower(n.nspname) = lower(` + schemaArg + `) AND lower(c.relname) = lower($2)
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
ORDER BY (n.nspname = ` + schemaArg + `)::int + (c.relname = $2)::int DESC, n.nspname, c.relname
LIMIT 1`

// TableName returns the catalog's spelling of a table written as table: an unquoted TABLE_A is
// table_a in PostgreSQL. An exact match wins over a case-insensitive one.
func (Dialect) TableName(ctx context.Context, q tandem.Querier, schema, table string) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, tableNameQuery, schema, table).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("postgres: table %s: %w", describe(schema, table), tandem.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("postgres: table %s: %w", describe(schema, table), err)
	}
	return name, nil
}
