package sqlite

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/tandem-db/tandem"
)

// DatabaseIdentity names the database q reaches: the main database's file, as SQLite resolved
// it, with its symbolic links resolved; "" for an in-memory or temporary database, which no
// other connection pool reaches.
func (Dialect) DatabaseIdentity(ctx context.Context, q tandem.Querier) (string, error) {
	rows, err := q.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return "", fmt.Errorf("sqlite: list the databases: %w", err)
	}
	defer rows.Close()
	file := ""
	for rows.Next() {
		var seq int
		var name, path string
		if err := rows.Scan(&seq, &name, &path); err != nil {
			return "", fmt.Errorf("sqlite: list the databases: %w", err)
		}
		if name == "main" {
			file = path
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("sqlite: list the databases: %w", err)
	}
	if file == "" {
		return "", nil
	}
	if real, err := filepath.EvalSymlinks(file); err == nil {
		file = real
	}
	return "sqlite " + file, nil
}
