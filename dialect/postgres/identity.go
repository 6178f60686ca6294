package postgres

import (
	"context"
	"fmt"

	"github.com/tandem-db/tandem"
)

// DatabaseIdentity names the database q reaches: the cluster's system identifier (fixed when
// the cluster was created, the same over every address and port it listens on) and the
// current database's oid.
func (Dialect) DatabaseIdentity(ctx context.Context, q tandem.Querier) (string, error) {
	var system, oid string
	err := q.QueryRowContext(ctx, `SELECT (SELECT system_identifier::text FROM pg_control_system()),
  (SELECT oid::text FROM pg_database WHERE datname = current_database())`).Scan(&system, &oid)
	if err != nil {
		return "", fmt.Errorf("postgres: read the cluster's system identifier and the database's oid: %w", err)
	}
	return "postgres " + system + " " + oid, nil
}
