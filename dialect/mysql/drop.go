package mysql

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// schemaArg is the SQL for a schema parameter: an empty schema means the current database.
const schemaArg = "COALESCE(NULLIF(?, ''), DATABASE())"

// DropObject drops a view, function, procedure, trigger, table or (MariaDB) sequence in schema
// (the current database when empty). Tables, views, sequences and triggers are looked up in
// information_schema case-insensitively, preferring an exact match, because on servers with
// lower_case_table_names=0 `Foo` and `foo` are different tables; routine names are
// case-insensitive in MySQL already. Every DROP says IF EXISTS, so a concurrent drop is no
// error either.
func (d Dialect) DropObject(ctx context.Context, q tandem.Querier, schema string, typ tandem.ObjectType, name string) error {
	var (
		kw    string
		query string
	)
	switch typ {
	case tandem.Function, tandem.Procedure:
		s := "DROP " + strings.ToUpper(string(typ)) + " IF EXISTS " + d.Qualify(schema, name)
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("mysql: drop %s %q: %s: %w", typ, name, s, err)
		}
		return nil
	case tandem.Table, tandem.View, tandem.Sequence:
		kw = map[tandem.ObjectType]string{tandem.Table: "TABLE", tandem.View: "VIEW", tandem.Sequence: "SEQUENCE"}[typ]
		tableType := map[tandem.ObjectType]string{tandem.Table: "BASE TABLE", tandem.View: "VIEW", tandem.Sequence: "SEQUENCE"}[typ]
		query = `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ` + schemaArg + ` AND LOWER(TABLE_NAME) = LOWER(?) AND TABLE_TYPE = '` + tableType + `'`
	case tandem.Trigger:
		kw = "TRIGGER"
		query = `SELECT TRIGGER_SCHEMA, TRIGGER_NAME FROM information_schema.TRIGGERS
WHERE TRIGGER_SCHEMA = ` + schemaArg + ` AND LOWER(TRIGGER_NAME) = LOWER(?)`
	case tandem.UserType:
		return fmt.Errorf("mysql: drop type %q: MySQL has no user-defined types; remove the object from the project", name)
	default:
		return fmt.Errorf("mysql: drop %s %q: a %s is not a database object tandem drops", typ, name, typ)
	}
	names, err := lookup(ctx, q, query, schema, name)
	if err != nil {
		return fmt.Errorf("mysql: drop %s %q: look up information_schema: %w", typ, name, err)
	}
	for _, n := range names {
		s := "DROP " + kw + " IF EXISTS " + d.Qualify(n[0], n[1])
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("mysql: drop %s %q: %s: %w", typ, name, s, err)
		}
	}
	return nil
}

// lookup returns the (schema, name) rows of query, keeping an exact match of name when there is
// one.
func lookup(ctx context.Context, q tandem.Querier, query, schema, name string) ([][2]string, error) {
	rows, err := q.QueryContext(ctx, query, schema, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all, exact [][2]string
	for rows.Next() {
		var r [2]string
		if err := rows.Scan(&r[0], &r[1]); err != nil {
			return nil, err
		}
		all = append(all, r)
		if r[1] == name {
			exact = append(exact, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(exact) > 0 {
		return exact, nil
	}
	return all, nil
}
