package mysql

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// Inspect describes the tables, views, routines, triggers and (MariaDB) sequences of the given
// databases from information_schema as a typed tandem.Snapshot, leaving out tandem's own
// history tables.
//
// A table has its columns in order (type, nullability, default, extra, collation when it is
// not the table's, generation expression), its indexes (the primary key's too, which also
// fills PrimaryKey), foreign keys and check constraints, its engine and collation. Values that
// change with the data (AUTO_INCREMENT counters) and with who ran the DDL (DEFINER) are left
// out, and the database's own name is removed from view definitions, so that two databases
// built from the same DDL describe equal.
func (d Dialect) Inspect(ctx context.Context, q tandem.Querier, schemas []string) (*tandem.Snapshot, error) {
	snap := &tandem.Snapshot{}
	if len(schemas) == 0 {
		return snap, nil
	}
	in := make([]string, len(schemas))
	for i, s := range schemas {
		in[i] = quoteLiteral(s)
	}
	list := "(" + strings.Join(in, ", ") + ")"
	for _, step := range []func(context.Context, tandem.Querier, string, *tandem.Snapshot) error{
		inspectTables, inspectViews, inspectRoutines, inspectTriggers, inspectSequences,
	} {
		if err := step(ctx, q, list, snap); err != nil {
			return nil, fmt.Errorf("mysql: inspect databases %s: %w", strings.Join(schemas, ", "), err)
		}
	}
	snap.Sort()
	return snap, nil
}

// scanAll calls fn for every row of query, its columns as strings (NULL as ""): the catalog
// readers here never stop early, so fn returns nothing.
func scanAll(ctx context.Context, q tandem.Querier, query string, fn func(cols []string)) error {
	return tandem.ScanStrings(ctx, q, query, func(cols []string) error { fn(cols); return nil })
}

type tkey struct{ schema, name string }

// tableSet gathers tables by schema and name while their parts are read.
type tableSet struct {
	byKey map[tkey]*tandem.TableDesc
	order []tkey
}

func inspectTables(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	ts := &tableSet{byKey: map[tkey]*tandem.TableDesc{}}
	err := scanAll(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME, COALESCE(ENGINE, ''), COALESCE(TABLE_COLLATION, '')
FROM information_schema.TABLES
WHERE TABLE_SCHEMA IN `+list+` AND TABLE_TYPE = 'BASE TABLE'
  AND TABLE_NAME NOT IN ('`+tandem.ChangesTable+`', '`+tandem.EventsTable+`', '`+tandem.RunsTable+`')`,
		func(c []string) {
			k := tkey{c[0], c[1]}
			ts.byKey[k] = &tandem.TableDesc{Schema: c[0], Name: c[1], Engine: c[2], Collation: c[3]}
			ts.order = append(ts.order, k)
		})
	if err != nil || len(ts.order) == 0 {
		return err
	}
	for _, step := range []func(context.Context, tandem.Querier, string, *tableSet) error{
		inspectColumns, inspectIndexes, inspectForeignKeys, inspectTableChecks,
	} {
		if err := step(ctx, q, list, ts); err != nil {
			return err
		}
	}
	for _, k := range ts.order {
		snap.Tables = append(snap.Tables, *ts.byKey[k])
	}
	return nil
}

func inspectColumns(ctx context.Context, q tandem.Querier, list string, ts *tableSet) error {
	return scanAll(ctx, q, `SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE,
       c.COLUMN_DEFAULT, c.EXTRA, COALESCE(c.COLLATION_NAME, ''), COALESCE(t.TABLE_COLLATION, ''),
       COALESCE(c.GENERATION_EXPRESSION, ''), CASE WHEN c.COLUMN_DEFAULT IS NULL THEN 'null' ELSE '' END
FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA IN `+list+` AND t.TABLE_TYPE = 'BASE TABLE'
ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`, func(c []string) {
		t := ts.byKey[tkey{c[0], c[1]}]
		if t == nil {
			return
		}
		col := tandem.ColumnDesc{Name: c[2], Type: c[3], Nullable: c[4] != "NO", Generated: c[9], Enum: enumValues(c[3])}
		if c[7] != "" && c[7] != c[8] {
			col.Collation = c[7]
		}
		if c[10] == "" {
			col.Default = c[5]
			if col.Default == "" {
				col.Default = "''" // MySQL writes an empty string default bare
			}
		}
		col.AutoIncrement, col.GeneratedStored, col.Extra = splitExtra(c[6])
		t.Columns = append(t.Columns, col)
	})
}

// splitExtra takes AUTO_INCREMENT and the kind of generated column out of a column's EXTRA,
// leaving the rest (ON UPDATE ..., INVISIBLE) upper-cased.
func splitExtra(extra string) (autoIncrement, stored bool, rest string) {
	var kept []string
	words := strings.Fields(extra)
	for i := 0; i < len(words); i++ {
		w := strings.ToUpper(words[i])
		switch {
		case w == "AUTO_INCREMENT":
			autoIncrement = true
		case (w == "STORED" || w == "PERSISTENT" || w == "VIRTUAL") && i+1 < len(words) && strings.EqualFold(words[i+1], "GENERATED"):
			stored = w != "VIRTUAL"
			i++
		default:
			kept = append(kept, w)
		}
	}
	return autoIncrement, stored, strings.Join(kept, " ")
}

// enumValues reads the values of an enum(...) or set(...) column type, whose quotes are
// doubled inside values; nil for any other type.
func enumValues(typ string) []string {
	lower := strings.ToLower(typ)
	var body string
	switch {
	case strings.HasPrefix(lower, "enum(") && strings.HasSuffix(typ, ")"):
		body = typ[len("enum(") : len(typ)-1]
	case strings.HasPrefix(lower, "set(") && strings.HasSuffix(typ, ")"):
		body = typ[len("set(") : len(typ)-1]
	default:
		return nil
	}
	values := []string{}
	for i := 0; i < len(body); i++ {
		if body[i] != '\'' {
			continue
		}
		var b strings.Builder
		for i++; i < len(body); i++ {
			if body[i] == '\'' {
				if i+1 < len(body) && body[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				break
			}
			b.WriteByte(body[i])
		}
		values = append(values, b.String())
	}
	return values
}

func quoteIdent(s string) string { return Dialect{}.QuoteIdent(s) }
