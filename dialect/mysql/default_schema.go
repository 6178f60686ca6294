package mysql

import (
	"context"
	"errors"
	"fmt"

	"github.com/tandem-db/tandem"
)

// DefaultSchema returns the database named in the connection URL, which is where the deploy
// engine keeps its history unless the environment names a history schema.
func (Dialect) DefaultSchema(ctx context.Context, q tandem.Querier) (string, error) {
	var s *string
	if err := q.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&s); err != nil {
		return "", fmt.Errorf("mysql: current database: %w", err)
	}
	if s == nil {
		return "", errors.New("mysql: the URL names no database; add one, e.g. mysql://user@host:3306/app")
	}
	return *s, nil
}
