package mysql

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// Inspect describes the tables, views, routines, triggers and (MariaDB) sequences of the given
// databases from information_schema, leaving out tandem's own history tables.
//
// A table lists its columns in order (type, nullability, default, extra, collation when it is
// not the table's, generation expression), then its indexes, foreign keys and check
// constraints sorted by name, then its engine and collation. Values that change with the data
// (AUTO_INCREMENT counters) and with who ran the DDL (DEFINER) are left out, and the
// database's own name is removed from view definitions, so that two databases built from the
// same DDL describe equal. Objects are sorted by schema, type and name.
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
	slices.SortStableFunc(snap.Objects, func(a, b tandem.SnapshotObject) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Type.Rank(), b.Type.Rank()), cmp.Compare(a.Name, b.Name))
	})
	return snap, nil
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

type table struct {
	schema, name string
	tail         string
	columns      []string
	named        []string
}

type tkey struct{ schema, name string }

func inspectTables(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	tables := map[tkey]*table{}
	var order []tkey
	err := scanAll(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME, COALESCE(ENGINE, ''), COALESCE(TABLE_COLLATION, '')
FROM information_schema.TABLES
WHERE TABLE_SCHEMA IN `+list+` AND TABLE_TYPE = 'BASE TABLE'
  AND TABLE_NAME NOT IN ('`+tandem.ChangesTable+`', '`+tandem.EventsTable+`', '`+tandem.RunsTable+`')`,
		func(c []string) {
			k := tkey{c[0], c[1]}
			tables[k] = &table{schema: c[0], name: c[1], tail: "ENGINE=" + c[2] + " COLLATE=" + c[3]}
			order = append(order, k)
		})
	if err != nil || len(tables) == 0 {
		return err
	}
	err = scanAll(ctx, q, `SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE,
       c.COLUMN_DEFAULT, c.EXTRA, COALESCE(c.COLLATION_NAME, ''), COALESCE(t.TABLE_COLLATION, ''),
       COALESCE(c.GENERATION_EXPRESSION, ''), CASE WHEN c.COLUMN_DEFAULT IS NULL THEN 'null' ELSE '' END
FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA IN `+list+` AND t.TABLE_TYPE = 'BASE TABLE'
ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`, func(c []string) {
		t := tables[tkey{c[0], c[1]}]
		if t == nil {
			return
		}
		s := "COLUMN " + quoteIdent(c[2]) + " " + c[3]
		if c[7] != "" && c[7] != c[8] {
			s += " COLLATE " + c[7]
		}
		if c[4] == "NO" {
			s += " NOT NULL"
		}
		if c[10] == "" {
			s += " DEFAULT " + c[5]
		}
		if c[9] != "" {
			s += " AS (" + c[9] + ")"
		}
		if c[6] != "" {
			s += " " + strings.ToUpper(c[6])
		}
		t.columns = append(t.columns, s)
	})
	if err != nil {
		return err
	}
	// Indexes, one row per column: gather them in order, then render.
	type index struct {
		unique bool
		kind   string
		cols   []string
	}
	idx := map[tkey]map[string]*index{}
	err = scanAll(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COALESCE(COLUMN_NAME, ''),
       COALESCE(SUB_PART, ''), COALESCE(INDEX_TYPE, ''), COALESCE(COLLATION, '')
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA IN `+list+`
ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, func(c []string) {
		k := tkey{c[0], c[1]}
		if tables[k] == nil {
			return
		}
		if idx[k] == nil {
			idx[k] = map[string]*index{}
		}
		ix := idx[k][c[2]]
		if ix == nil {
			ix = &index{unique: c[3] == "0", kind: c[6]}
			idx[k][c[2]] = ix
		}
		col := quoteIdent(c[4])
		if c[5] != "" {
			col += "(" + c[5] + ")"
		}
		if c[7] == "D" {
			col += " DESC"
		}
		ix.cols = append(ix.cols, col)
	})
	if err != nil {
		return err
	}
	for k, m := range idx {
		for name, ix := range m {
			s := "INDEX " + quoteIdent(name)
			if ix.unique {
				s = "UNIQUE " + s
			}
			tables[k].named = append(tables[k].named, s+" ("+strings.Join(ix.cols, ", ")+") USING "+ix.kind)
		}
	}
	fks := map[tkey]map[string]*[4]string{} // name -> cols, ref table, ref cols, rules
	var fkOrder []struct {
		k    tkey
		name string
	}
	err = scanAll(ctx, q, `SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME,
       k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA IN `+list+` AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`, func(c []string) {
		k := tkey{c[0], c[1]}
		if tables[k] == nil {
			return
		}
		if fks[k] == nil {
			fks[k] = map[string]*[4]string{}
		}
		fk := fks[k][c[2]]
		if fk == nil {
			ref := quoteIdent(c[5])
			if c[4] != c[0] {
				ref = quoteIdent(c[4]) + "." + ref
			}
			fk = &[4]string{"", ref, "", "ON UPDATE " + c[7] + " ON DELETE " + c[8]}
			fks[k][c[2]] = fk
			fkOrder = append(fkOrder, struct {
				k    tkey
				name string
			}{k, c[2]})
		}
		fk[0] = joinNonEmpty(fk[0], quoteIdent(c[3]))
		fk[2] = joinNonEmpty(fk[2], quoteIdent(c[6]))
	})
	if err != nil {
		return err
	}
	for _, f := range fkOrder {
		fk := fks[f.k][f.name]
		tables[f.k].named = append(tables[f.k].named,
			"CONSTRAINT "+quoteIdent(f.name)+" FOREIGN KEY ("+fk[0]+") REFERENCES "+fk[1]+" ("+fk[2]+") "+fk[3])
	}
	if err := inspectChecks(ctx, q, list, func(schema, tbl, name, clause string) {
		if t := tables[tkey{schema, tbl}]; t != nil {
			t.named = append(t.named, "CONSTRAINT "+quoteIdent(name)+" CHECK ("+clause+")")
		}
	}); err != nil {
		return err
	}
	for _, k := range order {
		t := tables[k]
		slices.Sort(t.named)
		lines := append(append(t.columns, t.named...), t.tail)
		snap.Objects = append(snap.Objects, tandem.SnapshotObject{Schema: t.schema, Type: tandem.Table, Name: t.name, Definition: strings.Join(lines, "\n")})
	}
	return nil
}

// inspectChecks reads check constraints. MariaDB's CHECK_CONSTRAINTS has a TABLE_NAME column
// (its check names are per table); MySQL's does not (its names are per database) and is joined
// with TABLE_CONSTRAINTS instead. Servers without CHECK_CONSTRAINTS (MySQL before 8.0.16)
// ignore checks, as they do when enforcing.
func inspectChecks(ctx context.Context, q tandem.Querier, list string, fn func(schema, table, name, clause string)) error {
	err := scanAll(ctx, q, `SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN `+list, func(c []string) { fn(c[0], c[1], c[2], c[3]) })
	if err == nil {
		return nil
	}
	err = scanAll(ctx, q, `SELECT tc.TABLE_SCHEMA, tc.TABLE_NAME, tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc
  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND tc.TABLE_SCHEMA IN `+list, func(c []string) { fn(c[0], c[1], c[2], c[3]) })
	if err != nil && strings.Contains(err.Error(), "CHECK_CONSTRAINTS") {
		return nil
	}
	return err
}

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

func inspectViews(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	return scanAll(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE
FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN `+list, func(c []string) {
		def := strings.ReplaceAll(c[2], quoteIdent(c[0])+".", "")
		snap.Objects = append(snap.Objects, tandem.SnapshotObject{Schema: c[0], Type: tandem.View, Name: c[1],
			Definition: "VIEW AS " + def + "\nCHECK OPTION " + c[3] + "\nSQL SECURITY " + c[4]})
	})
}

func inspectRoutines(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	params := map[[3]string][]string{}
	err := scanAll(ctx, q, `SELECT SPECIFIC_SCHEMA, SPECIFIC_NAME, ROUTINE_TYPE, COALESCE(PARAMETER_MODE, ''),
       COALESCE(PARAMETER_NAME, ''), DTD_IDENTIFIER
FROM information_schema.PARAMETERS
WHERE SPECIFIC_SCHEMA IN `+list+` AND ORDINAL_POSITION > 0
ORDER BY SPECIFIC_SCHEMA, SPECIFIC_NAME, ORDINAL_POSITION`, func(c []string) {
		k := [3]string{c[0], c[1], c[2]}
		p := strings.TrimSpace(c[3] + " " + quoteIdent(c[4]) + " " + c[5])
		params[k] = append(params[k], p)
	})
	if err != nil {
		return err
	}
	return scanAll(ctx, q, `SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, COALESCE(DTD_IDENTIFIER, ''),
       COALESCE(ROUTINE_DEFINITION, ''), IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE
FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN `+list, func(c []string) {
		typ := tandem.Function
		if c[2] == "PROCEDURE" {
			typ = tandem.Procedure
		}
		def := c[2] + " " + quoteIdent(c[1]) + "(" + strings.Join(params[[3]string{c[0], c[1], c[2]}], ", ") + ")"
		if c[3] != "" {
			def += " RETURNS " + c[3]
		}
		def += "\nDETERMINISTIC " + c[5] + "\n" + c[6] + "\nSQL SECURITY " + c[7] + "\n" + c[4]
		snap.Objects = append(snap.Objects, tandem.SnapshotObject{Schema: c[0], Type: typ, Name: c[1], Definition: def})
	})
}

func inspectTriggers(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	return scanAll(ctx, q, `SELECT TRIGGER_SCHEMA, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, EVENT_OBJECT_TABLE,
       ACTION_ORDER, ACTION_STATEMENT
FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN `+list, func(c []string) {
		snap.Objects = append(snap.Objects, tandem.SnapshotObject{Schema: c[0], Type: tandem.Trigger, Name: c[1],
			Definition: "TRIGGER " + c[2] + " " + c[3] + " ON " + quoteIdent(c[4]) + " FOR EACH ROW (order " + c[5] + ")\n" + c[6]})
	})
}

// inspectSequences describes MariaDB sequences (tables of type SEQUENCE) by their settings,
// leaving out the next value, which moves with use. MySQL has none.
func inspectSequences(ctx context.Context, q tandem.Querier, list string, snap *tandem.Snapshot) error {
	var seqs []tkey
	err := scanAll(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA IN `+list+` AND TABLE_TYPE = 'SEQUENCE'`, func(c []string) { seqs = append(seqs, tkey{c[0], c[1]}) })
	if err != nil {
		return err
	}
	for _, k := range seqs {
		err := scanAll(ctx, q, `SELECT start_value, minimum_value, maximum_value, increment, cycle_option, cache_size FROM `+
			Dialect{}.Qualify(k.schema, k.name), func(c []string) {
			cycle := " NOCYCLE"
			if c[4] == "1" {
				cycle = " CYCLE"
			}
			snap.Objects = append(snap.Objects, tandem.SnapshotObject{Schema: k.schema, Type: tandem.Sequence, Name: k.name,
				Definition: "SEQUENCE START " + c[0] + " MINVALUE " + c[1] + " MAXVALUE " + c[2] + " INCREMENT " + c[3] + " CACHE " + c[5] + cycle})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func quoteIdent(s string) string { return Dialect{}.QuoteIdent(s) }
