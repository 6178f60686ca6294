package sqlite

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
)

// Inspect describes the tables, views and triggers of the main database as a typed
// tandem.Snapshot; schemas is ignored and every object has an empty Schema. Columns, keys,
// foreign keys and indexes come from the pragmas; checks, generated column expressions,
// collations, index expressions and predicates and trigger timing from the CREATE statements
// sqlite_schema keeps (the text as written, updated by ALTER TABLE), which also fill the
// Definition fields, so two databases built from the same DDL describe equal. Internal objects
// (sqlite_*, autoindexes) and tandem's history tables are left out.
func (Dialect) Inspect(ctx context.Context, q tandem.Querier, _ []string) (*tandem.Snapshot, error) {
	snap, err := inspect(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect: %w", err)
	}
	snap.Sort()
	return snap, nil
}

func inspect(ctx context.Context, q tandem.Querier) (*tandem.Snapshot, error) {
	snap := &tandem.Snapshot{}
	indexSQL := map[string]string{} // by index name: the CREATE INDEX statement
	err := tandem.ScanStrings(ctx, q, `SELECT type, name, tbl_name, sql FROM sqlite_schema
WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite!_%' ESCAPE '!'
  AND tbl_name NOT IN (`+quoteLiteral(tandem.ChangesTable)+`, `+quoteLiteral(tandem.EventsTable)+`, `+quoteLiteral(tandem.RunsTable)+`)
ORDER BY type, name`, func(c []string) error {
		switch c[0] {
		case "table":
			snap.Tables = append(snap.Tables, tandem.TableDesc{Name: c[1], Definition: c[3]})
		case "view":
			snap.Views = append(snap.Views, tandem.ViewDesc{Name: c[1], Definition: c[3]})
		case "trigger":
			timing, events := triggerHeader(c[3])
			snap.Triggers = append(snap.Triggers, tandem.TriggerDesc{Name: c[1], Table: c[2], Timing: timing, Events: events,
				ForEach: "ROW", Definition: c[3]})
		case "index":
			indexSQL[c[1]] = c[3]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range snap.Tables {
		t := &snap.Tables[i]
		if err := describeTable(ctx, q, t, indexSQL); err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	return snap, nil
}

// describeTable fills a table's columns, keys, foreign keys, checks and indexes.
func describeTable(ctx context.Context, q tandem.Querier, t *tandem.TableDesc, indexSQL map[string]string) error {
	parts := parseTable(t.Definition)
	var pk []string
	var pkPos []int
	err := tandem.ScanStrings(ctx, q, `SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(`+quoteLiteral(t.Name)+`)
ORDER BY cid`, func(c []string) error {
		part := parts.columns[strings.ToLower(c[0])]
		col := tandem.ColumnDesc{Name: c[0], Type: c[1], Nullable: c[2] == "0", Default: c[3],
			Collation: part.collation, AutoIncrement: part.autoIncrement}
		if c[5] == "2" || c[5] == "3" {
			col.Generated, col.GeneratedStored = part.generated, c[5] == "3"
		}
		if n, _ := strconv.Atoi(c[4]); n > 0 {
			pk, pkPos = append(pk, c[0]), append(pkPos, n)
		}
		t.Columns = append(t.Columns, col)
		return nil
	})
	if err != nil {
		return err
	}
	if len(pk) > 0 {
		ordered := make([]string, len(pk))
		for i, n := range pkPos {
			if n <= len(ordered) {
				ordered[n-1] = pk[i]
			}
		}
		t.PrimaryKey = &tandem.KeyDesc{Name: parts.pkName, Columns: ordered}
	}
	for _, ck := range parts.checks {
		t.Checks = append(t.Checks, tandem.CheckDesc{Name: ck.name, Expression: ck.expr})
	}
	if err := describeForeignKeys(ctx, q, t, parts.fkNames); err != nil {
		return err
	}
	return describeIndexes(ctx, q, t, parts.uniqNames, indexSQL)
}

// describeForeignKeys reads pragma_foreign_key_list, one row per column; SQLite numbers the
// keys from the last declared, so the names read from the statement are matched in reverse.
func describeForeignKeys(ctx context.Context, q tandem.Querier, t *tandem.TableDesc, names []string) error {
	ids := map[string]int{}
	err := tandem.ScanStrings(ctx, q, `SELECT id, "table", "from", "to", on_update, on_delete, "match"
FROM pragma_foreign_key_list(`+quoteLiteral(t.Name)+`) ORDER BY id DESC, seq`, func(c []string) error {
		i, ok := ids[c[0]]
		if !ok {
			i = len(t.ForeignKeys)
			ids[c[0]] = i
			fk := tandem.ForeignKeyDesc{RefTable: c[1], OnUpdate: c[4], OnDelete: c[5]}
			if c[6] != "NONE" {
				fk.Match = c[6]
			}
			if i < len(names) {
				fk.Name = names[i]
			}
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
		fk := &t.ForeignKeys[i]
		fk.Columns = append(fk.Columns, c[2])
		if c[3] != "" {
			fk.RefColumns = append(fk.RefColumns, c[3])
		}
		return nil
	})
	return err
}

// describeIndexes reads pragma_index_list: the primary key's index is left to PrimaryKey, a
// unique constraint's becomes one of Uniques, and created indexes are listed with their key
// parts (expressions as written in the CREATE INDEX) and predicate.
func describeIndexes(ctx context.Context, q tandem.Querier, t *tandem.TableDesc, uniqNames []string, indexSQL map[string]string) error {
	type listed struct{ name, unique, origin string }
	var list []listed
	err := tandem.ScanStrings(ctx, q, `SELECT name, "unique", origin FROM pragma_index_list(`+quoteLiteral(t.Name)+`) ORDER BY seq DESC`,
		func(c []string) error {
			list = append(list, listed{c[0], c[1], c[2]})
			return nil
		})
	if err != nil {
		return err
	}
	for _, ix := range list {
		if ix.origin == "pk" {
			continue
		}
		var keys []tandem.IndexKey
		err := tandem.ScanStrings(ctx, q, `SELECT cid, name, "desc" FROM pragma_index_xinfo(`+quoteLiteral(ix.name)+`) WHERE key = 1 ORDER BY seqno`,
			func(c []string) error {
				keys = append(keys, tandem.IndexKey{Column: c[1], Descending: c[2] == "1"})
				return nil
			})
		if err != nil {
			return fmt.Errorf("index %s: %w", ix.name, err)
		}
		if ix.origin == "u" {
			k := tandem.KeyDesc{}
			if n := len(t.Uniques); n < len(uniqNames) {
				k.Name = uniqNames[n]
			}
			for _, p := range keys {
				k.Columns = append(k.Columns, p.Column)
			}
			t.Uniques = append(t.Uniques, k)
			continue
		}
		sql := indexSQL[ix.name]
		parsed := parseIndex(sql)
		for i := range keys {
			if keys[i].Column == "" && i < len(parsed.keys) {
				keys[i].Expression = parsed.keys[i]
			}
		}
		t.Indexes = append(t.Indexes, tandem.IndexDesc{Name: ix.name, Unique: ix.unique == "1", Keys: keys,
			Where: parsed.where, Definition: sql})
	}
	return nil
}
