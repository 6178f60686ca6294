package postgres

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tandem-db/tandem"
)

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

// CopyFrom runs a COPY ... FROM STDIN statement with its data (pgconn's CopyFrom, the text the
// file holds sent as it is), inside the transaction open on conn. A connection from another
// driver than pgx's gives tandem.ErrNotSupported.
func (Dialect) CopyFrom(ctx context.Context, conn *sql.Conn, stmt string, data io.Reader) (int64, error) {
	var n int64
	err := conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return tandem.ErrNotSupported
		}
		tag, err := sc.Conn().PgConn().CopyFrom(ctx, data, stmt)
		n = tag.RowsAffected()
		if line := copyLine(err); line > 0 {
			return &tandem.DataLineError{Line: line, Err: err}
		}
		return err
	})
	return n, err
}

// copyLineRE finds the data line in the context of an error COPY reports ("COPY t, line 3,
// column b: ...").
var copyLineRE = regexp.MustCompile(`^COPY .*?, line (\d+)`)

// copyLine returns the 1-based line of the COPY data that err is about, or 0.
func copyLine(err error) int {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return 0
	}
	m := copyLineRE.FindStringSubmatch(pe.Where)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
