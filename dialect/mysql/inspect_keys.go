package mysql

import (
	"context"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
)

// inspectIndexes reads every index, one row per key part. The primary key is an index named
// PRIMARY: it is listed with the others and also fills the table's PrimaryKey.
func inspectIndexes(ctx context.Context, q tandem.Querier, list string, ts *tableSet) error {
	type ikey struct {
		table tkey
		name  string
	}
	found := map[ikey]*tandem.IndexDesc{}
	var order []ikey
	err := scanAll(ctx, q, `SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COALESCE(COLUMN_NAME, ''),
       COALESCE(SUB_PART, ''), COALESCE(INDEX_TYPE, ''), COALESCE(COLLATION, '')
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA IN `+list+`
ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, func(c []string) {
		k := ikey{tkey{c[0], c[1]}, c[2]}
		if ts.byKey[k.table] == nil {
			return
		}
		ix := found[k]
		if ix == nil {
			ix = &tandem.IndexDesc{Name: c[2], Unique: c[3] == "0", Method: c[6]}
			found[k] = ix
			order = append(order, k)
		}
		part := tandem.IndexKey{Column: c[4], Descending: c[7] == "D"}
		part.Prefix, _ = strconv.Atoi(c[5])
		ix.Keys = append(ix.Keys, part)
	})
	if err != nil {
		return err
	}
	for _, k := range order {
		ix, t := found[k], ts.byKey[k.table]
		if ix.Name == "PRIMARY" {
			pk := &tandem.KeyDesc{Name: ix.Name}
			for _, p := range ix.Keys {
				pk.Columns = append(pk.Columns, p.Column)
			}
			t.PrimaryKey = pk
		}
		t.Indexes = append(t.Indexes, *ix)
	}
	return nil
}

// inspectForeignKeys reads foreign keys, one row per column. A key to a table of the same
// database leaves RefSchema empty.
func inspectForeignKeys(ctx context.Context, q tandem.Querier, list string, ts *tableSet) error {
	type fkey struct {
		table tkey
		name  string
	}
	found := map[fkey]*tandem.ForeignKeyDesc{}
	var order []fkey
	err := scanAll(ctx, q, `SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME,
       k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA IN `+list+` AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`, func(c []string) {
		k := fkey{tkey{c[0], c[1]}, c[2]}
		if ts.byKey[k.table] == nil {
			return
		}
		fk := found[k]
		if fk == nil {
			fk = &tandem.ForeignKeyDesc{Name: c[2], RefTable: c[5], OnUpdate: c[7], OnDelete: c[8]}
			if c[4] != c[0] {
				fk.RefSchema = c[4]
			}
			found[k] = fk
			order = append(order, k)
		}
		fk.Columns = append(fk.Columns, c[3])
		fk.RefColumns = append(fk.RefColumns, c[6])
	})
	if err != nil {
		return err
	}
	for _, k := range order {
		t := ts.byKey[k.table]
		t.ForeignKeys = append(t.ForeignKeys, *found[k])
	}
	return nil
}

// inspectTableChecks reads check constraints. MariaDB's CHECK_CONSTRAINTS has a TABLE_NAME
// column (its check names are per table); MySQL's does not (its names are per database) and
// is joined with TABLE_CONSTRAINTS instead. Servers without CHECK_CONSTRAINTS (MySQL before
// 8.0.16) ignore checks, as they do when enforcing.
func inspectTableChecks(ctx context.Context, q tandem.Querier, list string, ts *tableSet) error {
	add := func(c []string) {
		if t := ts.byKey[tkey{c[0], c[1]}]; t != nil {
			t.Checks = append(t.Checks, tandem.CheckDesc{Name: c[2], Expression: c[3]})
		}
	}
	err := scanAll(ctx, q, `SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN `+list, add)
	if err == nil {
		return nil
	}
	err = scanAll(ctx, q, `SELECT tc.TABLE_SCHEMA, tc.TABLE_NAME, tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc
  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND tc.TABLE_SCHEMA IN `+list, add)
	if err != nil && strings.Contains(err.Error(), "CHECK_CONSTRAINTS") {
		return nil
	}
	return err
}
