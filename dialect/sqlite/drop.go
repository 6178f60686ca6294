package sqlite

import (
	"context"
	"fmt"

	"github.com/tandem-db/tandem"
)

// DropObject drops a view, trigger or table with DROP ... IF EXISTS (SQLite matches names
// case-insensitively itself); schema is ignored. SQLite has no functions, procedures, sequences
// or user-defined types, and asking to drop one is an error.
func (d Dialect) DropObject(ctx context.Context, q tandem.Querier, _ string, typ tandem.ObjectType, name string) error {
	var kw string
	switch typ {
	case tandem.View:
		kw = "VIEW"
	case tandem.Trigger:
		kw = "TRIGGER"
	case tandem.Table:
		kw = "TABLE"
	case tandem.Function, tandem.Procedure, tandem.Sequence, tandem.UserType:
		return fmt.Errorf("sqlite: drop %s %q: SQLite has no %ss; exclude the object from SQLite with includeDialects or excludeDialects", typ, name, typ)
	default:
		return fmt.Errorf("sqlite: drop %s %q: a %s is not a database object tandem drops", typ, name, typ)
	}
	s := "DROP " + kw + " IF EXISTS " + d.QuoteIdent(name)
	if _, err := q.ExecContext(ctx, s); err != nil {
		return fmt.Errorf("sqlite: drop %s %q: %s: %w", typ, name, s, err)
	}
	return nil
}
