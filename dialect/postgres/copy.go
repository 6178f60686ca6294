package postgres

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tandem-db/tandem"
)

var _ tandem.BulkLoader = Dialect{}

// LoadRows copies rows into schema.table with COPY FROM STDIN (pgx's CopyFrom, binary format),
// inside the transaction open on conn. A connection from another driver than pgx's gives
// tandem.ErrNotSupported.
func (Dialect) LoadRows(ctx context.Context, conn *sql.Conn, schema, table string, cols []string, rows [][]any) error {
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return tandem.ErrNotSupported
		}
		name := pgx.Identifier{table}
		if schema != "" {
			name = pgx.Identifier{schema, table}
		}
		_, err := sc.Conn().CopyFrom(ctx, name, cols, pgx.CopyFromRows(rows))
		return err
	})
}
