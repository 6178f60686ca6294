package postgres

import (
	"context"
	"fmt"

	"github.com/tandem-db/tandem"
)

// DefaultSchema returns the schema a fresh session creates unqualified objects in (the first
// existing schema of search_path, usually public). The deploy engine keeps its history there
// unless the environment names a history schema.
func (Dialect) DefaultSchema(ctx context.Context, q tandem.Querier) (string, error) {
	var s *string
	if err := q.QueryRowContext(ctx, "SELECT current_schema()").Scan(&s); err != nil {
		return "", fmt.Errorf("postgres: current schema: %w", err)
	}
	if s == nil {
		return "public", nil
	}
	return *s, nil
}
