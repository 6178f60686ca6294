package postgres

import (
	"context"
	"fmt"

	"github.com/tandem-db/tandem"
)

// catalogName is a catalog row that matched a (schema, name) lookup.
type catalogName struct {
	schema, name string
	exact        int // how many of schema and name matched exactly, not only case-insensitively
	kind         string
	extra        string // identity arguments of a routine, the table of a trigger
}

// best keeps the rows that match most exactly. Lookups compare lower(); a name that matches
// exactly wins over one that differs in case, so "Foo" and "foo" are never both taken for foo.
func best(rows []catalogName) []catalogName {
	top := -1
	for _, r := range rows {
		top = max(top, r.exact)
	}
	var out []catalogName
	for _, r := range rows {
		if r.exact == top {
			out = append(out, r)
		}
	}
	return out
}

func queryNames(ctx context.Context, q tandem.Querier, query, schema, name string) ([]catalogName, error) {
	rows, err := q.QueryContext(ctx, query, schema, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []catalogName
	for rows.Next() {
		var r catalogName
		if err := rows.Scan(&r.schema, &r.name, &r.exact, &r.kind, &r.extra); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// schemaArg is the SQL for the schema parameter: an empty schema means current_schema().
const schemaArg = `coalesce(nullif($1, ''), current_schema())`

const (
	routinesQuery = `SELECT n.nspname, p.proname,
       (n.nspname = ` + schemaArg + `)::int + (p.proname = $2)::int,
       p.prokind::text, pg_get_function_identity_arguments(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE lower(n.nspname) = lower(` + schemaArg + `) AND lower(p.proname) = lower($2)
ORDER BY 5`
	relationsQuery = `SELECT n.nspname, c.relname,
       (n.nspname = ` + schemaArg + `)::int + (c.relname = $2)::int,
       c.relkind::text, ''
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE lower(n.nspname) = lower(` + schemaArg + `) AND lower(c.relname) = lower($2)
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')`
	triggersQuery = `SELECT n.nspname, t.tgname,
       (n.nspname = ` + schemaArg + `)::int + (t.tgname = $2)::int,
       '', c.relname
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND lower(n.nspname) = lower(` + schemaArg + `) AND lower(t.tgname) = lower($2)
ORDER BY 5`
	typesQuery = `SELECT n.nspname, t.typname,
       (n.nspname = ` + schemaArg + `)::int + (t.typname = $2)::int,
       t.typtype::text, ''
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE lower(n.nspname) = lower(` + schemaArg + `) AND lower(t.typname) = lower($2)
  AND (t.typtype IN ('e', 'd', 'r')
       OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))`
)

// DropObject drops every object of typ named name in schema (the current schema when empty).
// Names are looked up case-insensitively, as unquoted identifiers fold to lower case, and the
// object is dropped by its catalog name. A function or procedure is dropped in all its
// overloads, each by its identity arguments; a view may be a materialized view; a trigger is
// dropped on whichever table carries it; a type may be an enum, composite, range or domain.
func (d Dialect) DropObject(ctx context.Context, q tandem.Querier, schema string, typ tandem.ObjectType, name string) error {
	var (
		query string
		stmt  func(r catalogName) (string, bool)
	)
	switch typ {
	case tandem.Function, tandem.Procedure:
		query = routinesQuery
		stmt = func(r catalogName) (string, bool) {
			kw := map[string]string{"f": "FUNCTION", "w": "FUNCTION", "a": "AGGREGATE", "p": "PROCEDURE"}[r.kind]
			if (typ == tandem.Procedure) != (r.kind == "p") {
				return "", false
			}
			return fmt.Sprintf("DROP %s %s(%s)", kw, d.Qualify(r.schema, r.name), r.extra), true
		}
	case tandem.View, tandem.Table, tandem.Sequence:
		query = relationsQuery
		stmt = func(r catalogName) (string, bool) {
			kw, ok := map[tandem.ObjectType]map[string]string{
				tandem.View:     {"v": "VIEW", "m": "MATERIALIZED VIEW"},
				tandem.Table:    {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE"},
				tandem.Sequence: {"S": "SEQUENCE"},
			}[typ][r.kind]
			return "DROP " + kw + " " + d.Qualify(r.schema, r.name), ok
		}
	case tandem.Trigger:
		query = triggersQuery
		stmt = func(r catalogName) (string, bool) {
			return "DROP TRIGGER " + d.QuoteIdent(r.name) + " ON " + d.Qualify(r.schema, r.extra), true
		}
	case tandem.UserType:
		query = typesQuery
		stmt = func(r catalogName) (string, bool) {
			if r.kind == "d" {
				return "DROP DOMAIN " + d.Qualify(r.schema, r.name), true
			}
			return "DROP TYPE " + d.Qualify(r.schema, r.name), true
		}
	default:
		return fmt.Errorf("postgres: drop %s %q: a %s is not a database object tandem drops", typ, name, typ)
	}
	rows, err := queryNames(ctx, q, query, schema, name)
	if err != nil {
		return fmt.Errorf("postgres: drop %s %q: look up the catalog: %w", typ, name, err)
	}
	var match []catalogName
	for _, r := range rows {
		if _, ok := stmt(r); ok {
			match = append(match, r)
		}
	}
	for _, r := range best(match) {
		s, _ := stmt(r)
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("postgres: drop %s %q: %s: %w", typ, name, s, err)
		}
	}
	return nil
}
