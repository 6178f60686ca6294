package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// Inspect describes the tables, views, materialized views, sequences, functions, procedures,
// aggregates, triggers and types of the given schemas, leaving out objects that belong to an
// extension and tandem's own history tables.
//
// Definitions come from the catalog's own deparsers (format_type, pg_get_constraintdef,
// pg_get_indexdef, pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef), so two databases
// built from the same DDL describe equal, and any change shows. Names that the deparsers
// qualify depend on the session's search_path: compare snapshots taken with the same one.
// Objects are sorted by schema, type (in tandem.ObjectTypes order) and name.
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
		inspectRelations, inspectSequences, inspectRoutines, inspectTriggers, inspectTypes,
	} {
		if err := step(ctx, q, list, snap); err != nil {
			return nil, fmt.Errorf("postgres: inspect schemas %s: %w", strings.Join(schemas, ", "), err)
		}
	}
	slices.SortStableFunc(snap.Objects, func(a, b tandem.SnapshotObject) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Type.Rank(), b.Type.Rank()), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Definition, b.Definition))
	})
	return snap, nil
}

// notExtension filters out catalog rows that an extension created.
func notExtension(oid string) string {
	return `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = ` + oid + ` AND e.deptype = 'e')`
}

// scanAll runs query and calls fn for every row with its columns as strings (NULL as "").
func scanAll(ctx context.Context, q tandem.Querier, query string, fn func(cols []string)) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		vals := make([]*string, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		cols := make([]string, len(names))
		for i, v := range vals {
			if v != nil {
				cols[i] = *v
			}
		}
		fn(cols)
	}
	return rows.Err()
}

type relation struct {
	schema, name, kind string
	lines              []string // columns in order, then the header of a view
	named              []string // constraints and indexes, sorted before output
}

func inspectRelations(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	rels := map[string]*relation{}
	var order []string
	err := scanAll(ctx, q, `SELECT c.oid::text, n.nspname, c.relname, c.relkind::text,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
       CASE WHEN c.relispartition THEN (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i
            JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
            WHERE i.inhrelid = c.oid) || ' ' || pg_get_expr(c.relpartbound, c.oid) END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN `+list+` AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND `+notExtension("c.oid")+`
  AND NOT (c.relkind = 'r' AND c.relname IN ('`+tandem.ChangesTable+`', '`+tandem.EventsTable+`', '`+tandem.RunsTable+`'))`,
		func(c []string) {
			r := &relation{schema: c[1], name: c[2], kind: c[3]}
			switch c[3] {
			case "v":
				r.lines = append(r.lines, "VIEW AS "+strings.TrimSpace(c[4]))
			case "m":
				r.lines = append(r.lines, "MATERIALIZED VIEW AS "+strings.TrimSpace(c[4]))
			case "f":
				r.lines = append(r.lines, "FOREIGN TABLE")
			}
			if c[5] != "" {
				r.lines = append(r.lines, "PARTITION BY "+c[5])
			}
			if c[6] != "" {
				r.lines = append(r.lines, "PARTITION OF "+c[6])
			}
			rels[c[0]] = r
			order = append(order, c[0])
		})
	if err != nil {
		return err
	}
	if len(rels) == 0 {
		return nil
	}
	// Columns of views are part of the view's definition; listing them as well shows a change
	// of column type that the view text alone may not.
	err = scanAll(ctx, q, `SELECT a.attrelid::text, a.attname, format_type(a.atttypid, a.atttypmod),
       CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
       coalesce(CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
                     ELSE ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) END, ''),
       CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END,
       CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE n.nspname IN `+list+` AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`, func(c []string) {
		if r := rels[c[0]]; r != nil {
			r.lines = append(r.lines, "COLUMN "+quoteIdent(c[1])+" "+c[2]+c[6]+c[3]+c[4]+c[5])
		}
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, q, `SELECT k.conrelid::text, k.conname, pg_get_constraintdef(k.oid, true)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN `+list+` AND k.contype IN ('p', 'u', 'f', 'c', 'x')`, func(c []string) {
		if r := rels[c[0]]; r != nil {
			r.named = append(r.named, "CONSTRAINT "+quoteIdent(c[1])+" "+c[2])
		}
	})
	if err != nil {
		return err
	}
	// An invalid index (a concurrent build that failed) is told apart from the valid one of the
	// same definition: queries do not use it.
	err = scanAll(ctx, q, `SELECT i.indrelid::text, ci.relname,
       pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END
FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ci.relnamespace
WHERE n.nspname IN `+list+` AND NOT EXISTS (SELECT 1 FROM pg_constraint k
      WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))`, func(c []string) {
		if r := rels[c[0]]; r != nil {
			r.named = append(r.named, "INDEX "+quoteIdent(c[1])+" "+c[2])
		}
	})
	if err != nil {
		return err
	}
	for _, oid := range order {
		r := rels[oid]
		slices.Sort(r.named)
		typ := tandem.Table
		if r.kind == "v" || r.kind == "m" {
			typ = tandem.View
		}
		snap.Objects = append(snap.Objects, tandem.SnapshotObject{
			Schema: r.schema, Type: typ, Name: r.name,
			Definition: strings.Join(append(r.lines, r.named...), "\n"),
		})
	}
	return nil
}

func inspectSequences(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	return scanAll(ctx, q, `SELECT n.nspname, c.relname,
       'SEQUENCE AS ' || format_type(s.seqtypid, NULL) || ' START ' || s.seqstart || ' INCREMENT ' || s.seqincrement
       || ' MINVALUE ' || s.seqmin || ' MAXVALUE ' || s.seqmax || ' CACHE ' || s.seqcache
       || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END
       || coalesce((SELECT ' OWNED BY ' || quote_ident(tc.relname) || '.' || quote_ident(ta.attname)
                    FROM pg_depend dep JOIN pg_class tc ON tc.oid = dep.refobjid
                    JOIN pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid
                    WHERE dep.objid = c.oid AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'a'
                      AND dep.refclassid = 'pg_class'::regclass), '')
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN `+list+` AND `+notExtension("c.oid")+`
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = c.oid AND dep.classid = 'pg_class'::regclass AND dep.deptype = 'i')`,
		func(c []string) {
			snap.Objects = append(snap.Objects, tandem.SnapshotObject{Schema: c[0], Type: tandem.Sequence, Name: c[1], Definition: c[2]})
		})
}

// inspectRoutines makes one object per routine name: overloads are listed together, sorted by
// their arguments, because a project keeps them in one file.
func inspectRoutines(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	type key struct {
		schema, name string
		typ          tandem.ObjectType
	}
	defs := map[key][]string{}
	var order []key
	err := scanAll(ctx, q, `SELECT n.nspname, p.proname, p.prokind::text, pg_get_function_identity_arguments(p.oid),
       CASE WHEN p.prokind = 'a' THEN
            (SELECT 'AGGREGATE ' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ') (SFUNC = '
                    || a.aggtransfn::regproc::text || ', STYPE = ' || format_type(a.aggtranstype, NULL)
                    || coalesce(', FINALFUNC = ' || nullif(a.aggfinalfn, 0)::regproc::text, '')
                    || coalesce(', INITCOND = ' || quote_literal(a.agginitval), '') || ')'
             FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
       ELSE pg_get_functiondef(p.oid) END
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN `+list+` AND `+notExtension("p.oid"), func(c []string) {
		typ := tandem.Function
		if c[2] == "p" {
			typ = tandem.Procedure
		}
		k := key{c[0], c[1], typ}
		if _, ok := defs[k]; !ok {
			order = append(order, k)
		}
		defs[k] = append(defs[k], c[3]+"\x00"+strings.TrimSpace(c[4]))
	})
	if err != nil {
		return err
	}
	for _, k := range order {
		ds := defs[k]
		slices.Sort(ds)
		for i, s := range ds {
			_, ds[i], _ = strings.Cut(s, "\x00")
		}
		snap.Objects = append(snap.Objects, tandem.SnapshotObject{Schema: k.schema, Type: k.typ, Name: k.name, Definition: strings.Join(ds, "\n\n")})
	}
	return nil
}

func inspectTriggers(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	type key struct{ schema, name string }
	defs := map[key][]string{}
	var order []key
	err := scanAll(ctx, q, `SELECT n.nspname, t.tgname, pg_get_triggerdef(t.oid, true)
         || CASE t.tgenabled WHEN 'D' THEN ' (DISABLED)' WHEN 'R' THEN ' (REPLICA)' WHEN 'A' THEN ' (ALWAYS)' ELSE '' END
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN `+list+` AND NOT t.tgisinternal`, func(c []string) {
		k := key{c[0], c[1]}
		if _, ok := defs[k]; !ok {
			order = append(order, k)
		}
		defs[k] = append(defs[k], c[2])
	})
	if err != nil {
		return err
	}
	for _, k := range order {
		ds := defs[k]
		slices.Sort(ds)
		snap.Objects = append(snap.Objects, tandem.SnapshotObject{Schema: k.schema, Type: tandem.Trigger, Name: k.name, Definition: strings.Join(ds, "\n")})
	}
	return nil
}

func inspectTypes(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	return scanAll(ctx, q, `SELECT n.nspname, t.typname, CASE t.typtype
   WHEN 'e' THEN 'ENUM (' || coalesce((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                       FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
   WHEN 'd' THEN 'DOMAIN AS ' || format_type(t.typbasetype, t.typtypmod)
                 || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                 || coalesce(' DEFAULT ' || t.typdefault, '')
                 || coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid, true), '' ORDER BY k.conname)
                              FROM pg_constraint k WHERE k.contypid = t.oid), '')
   WHEN 'r' THEN 'RANGE (SUBTYPE = ' || (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) || ')'
   ELSE 'COMPOSITE (' || coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                  FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'
   END
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname IN `+list+` AND `+notExtension("t.oid")+`
  AND (t.typtype IN ('e', 'd', 'r')
       OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))`,
		func(c []string) {
			snap.Objects = append(snap.Objects, tandem.SnapshotObject{Schema: c[0], Type: tandem.UserType, Name: c[1], Definition: c[2]})
		})
}

func quoteIdent(s string) string { return Dialect{}.QuoteIdent(s) }
