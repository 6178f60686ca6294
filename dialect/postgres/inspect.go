package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// Inspect describes the tables, views, materialized views, sequences, functions, procedures,
// aggregates, triggers and types of the given schemas as a typed tandem.Snapshot, leaving out
// objects that belong to an extension and tandem's own history tables.
//
// Besides the typed fields, constraints, indexes, views, routines and triggers keep the text
// of the catalog's own deparsers (format_type, pg_get_constraintdef, pg_get_indexdef,
// pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef), so two databases built from the same
// DDL describe equal, and any change shows. Names that the deparsers qualify depend on the
// session's search_path: compare snapshots taken with the same one.
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
		inspectRelations, inspectSequences, inspectRoutines, inspectTriggers, inspectTypes, inspectDomainChecks,
	} {
		if err := step(ctx, q, list, snap); err != nil {
			return nil, fmt.Errorf("postgres: inspect schemas %s: %w", strings.Join(schemas, ", "), err)
		}
	}
	snap.Sort()
	return snap, nil
}

// notExtension filters out catalog rows that an extension created.
func notExtension(oid string) string {
	return `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = ` + oid + ` AND e.deptype = 'e')`
}

// unitSep separates the items of a list that a query aggregates into one column (chr(31)),
// recordSep the records of a list of records (chr(30)).
const (
	unitSep   = "\x1f"
	recordSep = "\x1e"
)

// split undoes string_agg(..., chr(31)): an empty column is an empty list.
func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, unitSep)
}

// relations gathers tables and views by oid while their parts are read.
type relations struct {
	tables map[string]*tandem.TableDesc
	views  map[string]*tandem.ViewDesc
	order  []string
}

func inspectRelations(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	rels := &relations{tables: map[string]*tandem.TableDesc{}, views: map[string]*tandem.ViewDesc{}}
	err := tandem.ScanStrings(ctx, q, `SELECT c.oid::text, n.nspname, c.relname, c.relkind::text,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
       CASE WHEN c.relispartition THEN (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i
            JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
            WHERE i.inhrelid = c.oid) || ' ' || pg_get_expr(c.relpartbound, c.oid) END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN `+list+` AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND `+notExtension("c.oid")+`
  AND NOT (c.relkind = 'r' AND c.relname IN ('`+tandem.ChangesTable+`', '`+tandem.EventsTable+`', '`+tandem.RunsTable+`'))`,
		func(c []string) error {
			switch c[3] {
			case "v", "m":
				rels.views[c[0]] = &tandem.ViewDesc{Schema: c[1], Name: c[2], Materialized: c[3] == "m", Definition: strings.TrimSpace(c[4])}
			default:
				t := &tandem.TableDesc{Schema: c[1], Name: c[2], PartitionBy: c[5], PartitionOf: c[6]}
				switch c[3] {
				case "p":
					t.Kind = tandem.PartitionedTable
				case "f":
					t.Kind = tandem.ForeignTable
				}
				rels.tables[c[0]] = t
			}
			rels.order = append(rels.order, c[0])
			return nil
		})
	if err != nil || len(rels.order) == 0 {
		return err
	}
	for _, step := range []func(context.Context, tandem.Querier, string, *relations) error{
		inspectColumns, inspectConstraints, inspectIndexes,
	} {
		if err := step(ctx, q, list, rels); err != nil {
			return err
		}
	}
	for _, oid := range rels.order {
		if t := rels.tables[oid]; t != nil {
			snap.Tables = append(snap.Tables, *t)
		} else {
			snap.Views = append(snap.Views, *rels.views[oid])
		}
	}
	return nil
}

// inspectColumns reads the columns of tables and views. Columns of views are part of the
// view's definition; listing them as well shows a change of column type that the view text
// alone may not.
func inspectColumns(ctx context.Context, q tandem.Querier, list string, rels *relations) error {
	return tandem.ScanStrings(ctx, q, `SELECT a.attrelid::text, a.attname, format_type(a.atttypid, a.atttypmod),
       CASE WHEN a.attnotnull THEN 'f' ELSE 't' END,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
       CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
       CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' ELSE '' END,
       CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(co.collname) ELSE '' END
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE n.nspname IN `+list+` AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`, func(c []string) error {
		col := tandem.ColumnDesc{Name: c[1], Type: c[2], Nullable: c[3] == "t", Default: c[4],
			Generated: c[5], GeneratedStored: c[5] != "", Identity: c[6], Collation: c[7]}
		if t := rels.tables[c[0]]; t != nil {
			t.Columns = append(t.Columns, col)
		} else if v := rels.views[c[0]]; v != nil {
			v.Columns = append(v.Columns, col)
		}
		return nil
	})
}
