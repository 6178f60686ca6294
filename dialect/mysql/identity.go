package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tandem-db/tandem"
)

// DatabaseIdentity names the database q reaches: the server (its host name, port and data
// directory, which two servers on one host never share) and the database the connection uses.
func (Dialect) DatabaseIdentity(ctx context.Context, q tandem.Querier) (string, error) {
	var host, port, dir string
	var db sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT @@hostname, @@port, @@datadir, DATABASE()").Scan(&host, &port, &dir, &db); err != nil {
		return "", fmt.Errorf("mysql: read the server's host name, port and data directory: %w", err)
	}
	return fmt.Sprintf("mysql %s:%s %s %s", host, port, dir, db.String), nil
}
