package deploy

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tandem-db/tandem"
)

// The kind column (tandem.RecordKind) of the changes and events tables was added after their
// first release: history tables created before have no such column until a command that writes
// adds it (addKindColumns), and their rows have no kind until legacyKind derives it.

// kindDDL is the kind column as added to a table created without it: VARCHAR(32) reads the same
// on every database tandem supports, and the empty default marks the rows written before.
const kindDDL = "kind VARCHAR(32) NOT NULL DEFAULT ''"

// addKindColumns adds the kind column to the changes and events tables where they lack it
// (tables created by an earlier version of tandem). The caller holds the deploy lock.
func (h history) addKindColumns(ctx context.Context, q tandem.Querier) error {
	for _, t := range []string{tandem.ChangesTable, tandem.EventsTable} {
		col, err := h.kindColumn(ctx, q, t)
		if err != nil || col == "kind" {
			return err
		}
		if _, err := q.ExecContext(ctx, "ALTER TABLE "+h.table(t)+" ADD COLUMN "+kindDDL); err != nil {
			return fmt.Errorf("add the kind column to history table %s: %w", t, err)
		}
		if h.kinds != nil {
			h.kinds[t] = true
		}
	}
	return nil
}

// kindColumn is what to select for the kind of a row of table: the column "kind", or, for a
// table created before that column (read by a command that does not write, such as plan), an
// empty text that makes every row take the legacy path. It asks the database once per table
// and session, with a query that reads no row (cheaper than the catalog on MySQL); reads run
// on the session's connection, outside any transaction, so the failing probe of an old table
// aborts nothing.
func (h history) kindColumn(ctx context.Context, q tandem.Querier, table string) (string, error) {
	present, known := h.kinds[table]
	if !known {
		rows, err := q.QueryContext(ctx, "SELECT kind FROM "+h.table(table)+" WHERE 1 = 0")
		if err == nil {
			err = rows.Close()
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("read history table %s: %w", table, ctx.Err())
		}
		present = err == nil
		if h.kinds != nil {
			h.kinds[table] = present
		}
	}
	if present {
		return "kind", nil
	}
	return "''", nil
}

// legacyKind is the legacy path: the kind of a history row written before the kind column
// existed, derived once, when the row is read, from the object type and the text the row
// holds. Static data rows were kept as the JSON of a tandem.Data, static data scripts as
// their SQL, which is never a JSON object; every other row is a change of a stateful object or
// a stateless object's definition, as its type says. Rows written since carry their kind.
func legacyKind(typ tandem.ObjectType, text string) tandem.RecordKind {
	switch {
	case typ == tandem.StaticData:
		var d tandem.Data
		if json.Unmarshal([]byte(text), &d) == nil {
			return tandem.KindDataRows
		}
		return tandem.KindDataScript
	case typ.Stateful():
		return tandem.KindChange
	}
	return tandem.KindDefinition
}
