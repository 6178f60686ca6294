package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// copyIn runs a COPY ... FROM STDIN statement with the data block that follows it in the file,
// on the session's connection (inside the transaction open on it, if any). A rejected data
// line is reported at its line in the file.
func (s *session) copyIn(ctx context.Context, st statement) (line int, err error) {
	cr, ok := s.e.Dialect.(tandem.CopyRunner)
	if !ok {
		return st.line, fmt.Errorf("a COPY ... FROM stdin data block needs PostgreSQL; %s cannot run it: load the rows with INSERT statements", s.e.Dialect.Name())
	}
	_, err = cr.CopyFrom(ctx, s.conn, st.text, strings.NewReader(st.data))
	if errors.Is(err, tandem.ErrNotSupported) {
		return st.line, fmt.Errorf("the database driver cannot stream COPY data: %w", err)
	}
	line = st.line
	var de *tandem.DataLineError
	if errors.As(err, &de) && de.Line > 0 {
		line = st.dataLine + de.Line - 1
	}
	return line, err
}
