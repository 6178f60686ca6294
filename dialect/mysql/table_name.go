package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tandem-db/tandem"
)

// TableName returns the catalog's spelling of a table written as table. Table names are
// case-sensitive on most MySQL servers on Linux, so a file named TABLE_A.csv finds table_a only
// through this lookup. An exact match wins over a case-insensitive one.
func (Dialect) TableName(ctx context.Context, q tandem.Querier, schema, table string) (string, error) {
	const query = `SELECT table_name FROM information_schema.tables
WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND LOWER(table_name) = LOWER(?)
ORDER BY table_name = ? DESC LIMIT 1`
	var name string
	err := q.QueryRowContext(ctx, query, schema, table, table).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("mysql: table %s: %w", table, tandem.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("mysql: table %s: %w", table, err)
	}
	return name, nil
}
