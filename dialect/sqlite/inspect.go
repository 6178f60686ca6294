package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// Inspect describes the tables, views and triggers of the main database from sqlite_schema;
// schemas is ignored and every object has an empty Schema. A definition is the CREATE
// statement as SQLite keeps it (the text as written, updated by ALTER TABLE), and a table's
// also lists its indexes, so two databases built from the same DDL
// describe equal. Internal objects (sqlite_*, autoindexes) and tandem's history tables are
// left out.
func (Dialect) Inspect(ctx context.Context, q tandem.Querier, _ []string) (*tandem.Snapshot, error) {
	rows, err := q.QueryContext(ctx, `SELECT type, name, tbl_name, sql FROM sqlite_schema
WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite!_%' ESCAPE '!'
  AND tbl_name NOT IN (`+quoteLiteral(tandem.ChangesTable)+`, `+quoteLiteral(tandem.EventsTable)+`, `+quoteLiteral(tandem.RunsTable)+`)
ORDER BY type, name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect: %w", err)
	}
	defer rows.Close()
	type object struct {
		typ     tandem.ObjectType
		name    string
		sql     string
		indexes []string
	}
	objs := map[string]*object{} // by lower-case table name, for attaching indexes
	var list []*object
	var indexes [][2]string
	for rows.Next() {
		var typ, name, tbl, sql string
		if err := rows.Scan(&typ, &name, &tbl, &sql); err != nil {
			return nil, fmt.Errorf("sqlite: inspect: %w", err)
		}
		var o *object
		switch typ {
		case "table":
			o = &object{typ: tandem.Table, name: name, sql: sql}
			objs[strings.ToLower(name)] = o
		case "view":
			o = &object{typ: tandem.View, name: name, sql: sql}
		case "trigger":
			o = &object{typ: tandem.Trigger, name: name, sql: sql}
		case "index":
			indexes = append(indexes, [2]string{tbl, sql})
			continue
		default:
			continue
		}
		list = append(list, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: inspect: %w", err)
	}
	for _, ix := range indexes {
		if o := objs[strings.ToLower(ix[0])]; o != nil {
			o.indexes = append(o.indexes, ix[1])
		}
	}
	snap := &tandem.Snapshot{}
	for _, o := range list {
		slices.Sort(o.indexes)
		snap.Objects = append(snap.Objects, tandem.SnapshotObject{
			Type: o.typ, Name: o.name, Definition: strings.Join(append([]string{o.sql}, o.indexes...), "\n"),
		})
	}
	slices.SortStableFunc(snap.Objects, func(a, b tandem.SnapshotObject) int {
		return cmp.Or(cmp.Compare(a.Type.Rank(), b.Type.Rank()), cmp.Compare(a.Name, b.Name))
	})
	return snap, nil
}
