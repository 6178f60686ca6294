package tandem

import (
	"context"
	"database/sql"
	"fmt"
	"io"
)

// CopyRunner is implemented by dialects that run a COPY ... FROM STDIN statement of a change
// file with the data block that follows it in the file, as psql does (PostgreSQL). It is
// optional: where it is missing, such a statement is a plan problem, found before any change
// runs.
type CopyRunner interface {
	// CopyFrom runs stmt (the COPY statement, without its ";") on conn, inside the
	// transaction open on it if there is one, streaming data (the block's lines, each ending
	// in a newline, without the "\." line) to the server. It returns the rows copied. A
	// connection from a driver that cannot stream COPY data gives ErrNotSupported.
	CopyFrom(ctx context.Context, conn *sql.Conn, stmt string, data io.Reader) (int64, error)
}

// DataLineError is returned by CopyFrom when the server rejects a line of the data: Line is
// its 1-based line within the data block.
type DataLineError struct {
	Line int
	Err  error
}

// Error renders the error as "data line 3: ...".
func (e *DataLineError) Error() string { return fmt.Sprintf("data line %d: %v", e.Line, e.Err) }

// Unwrap returns the server's error.
func (e *DataLineError) Unwrap() error { return e.Err }
