package mysql

import (
	"context"
	"fmt"

	"github.com/tandem-db/tandem"
)

// Running lists the other connections running stmt, from PROCESSLIST, which keeps a statement's
// whole text. The server runs a statement on to its end when its client is killed.
func (Dialect) Running(ctx context.Context, q tandem.Querier, stmt string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT CONCAT('connection ', ID, ' (', USER, '), running for ', TIME, 's')
FROM information_schema.PROCESSLIST
WHERE ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO = ?
ORDER BY ID`, stmt)
	if err != nil {
		return nil, fmt.Errorf("mysql: list running statements: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("mysql: list running statements: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mysql: list running statements: %w", err)
	}
	return out, nil
}
