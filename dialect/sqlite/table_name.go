package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tandem-db/tandem"
)

// DefaultSchema returns "": SQLite has no schemas, and everything lives in the main database.
func (Dialect) DefaultSchema(context.Context, tandem.Querier) (string, error) { return "", nil }

// TableName returns the catalog's spelling of the table or view written as table (SQLite
// compares names case-insensitively, so a file named TABLE_A.csv finds table_a). An exact
// match wins over a case-insensitive one. schema is ignored.
func (Dialect) TableName(ctx context.Context, q tandem.Querier, _, table string) (string, error) {
	const query = `SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND lower(name) = lower(?)
ORDER BY name = ? DESC, name LIMIT 1`
	var name string
	err := q.QueryRowContext(ctx, query, table, table).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite: table %s: %w", table, tandem.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: table %s: %w", table, err)
	}
	return name, nil
}
