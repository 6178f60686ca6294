package tandem

import "context"

// Catalog reads the database's catalog: the objects of schemas, a table's columns, unique
// indexes and limits, the default schema and the spelling of table names; and drops objects.
// Reverse engineering and drift detection extend it.
type Catalog interface {
	// Inspect describes every object in the given physical schemas, for drift checks and for
	// tests that compare two databases.
	Inspect(ctx context.Context, q Querier, schemas []string) (*Snapshot, error)
	// Columns describes a table's columns in ordinal order, or returns an error wrapping
	// ErrNotFound when the table does not exist.
	Columns(ctx context.Context, q Querier, schema, table string) ([]Column, error)
	IndexReader
	LimitReader
	DefaultSchemaReader
	DatabaseIdentifier
	TableNamer
	ObjectDropper
}

// DefaultSchemaReader tells the schema a fresh session resolves unqualified names to, where the
// deploy engine keeps its history unless the environment names a history schema.
type DefaultSchemaReader interface {
	// DefaultSchema returns that schema (PostgreSQL: the first existing schema of search_path;
	// MySQL: the database the URL names), or "" for a database without schemas (SQLite).
	DefaultSchema(ctx context.Context, q Querier) (string, error)
}

// DatabaseIdentifier tells which database a connection reaches, asked of the database itself:
// two URLs spelled differently (localhost and 127.0.0.1, a relative and an absolute file
// path, parameters in another order) reach the same one. A move whose tables are in one
// database copies and checks them in one transaction (move.Move.Shared).
type DatabaseIdentifier interface {
	// DatabaseIdentity returns a text equal for two connections to the same database and
	// different for two different databases: PostgreSQL, the cluster's system identifier and
	// the database's oid; MySQL, the server (host name, port, data directory) and the database
	// the connection uses; SQLite, the main database's file (none for an in-memory database,
	// which only its own connection pool reaches).
	DatabaseIdentity(ctx context.Context, q Querier) (string, error)
}

// TableNamer tells how the catalog spells a table whose name was written in another case (an
// unquoted TABLE_A is table_a in PostgreSQL), so that a static data file named after a table
// finds it.
type TableNamer interface {
	// TableName returns the catalog's spelling of the table or view written as table in schema
	// ("" means the default schema), an exact match winning over a case-insensitive one, or an
	// error wrapping ErrNotFound when there is none.
	TableName(ctx context.Context, q Querier, schema, table string) (string, error)
}

// ObjectDropper drops objects the deploy engine replaces or removes.
type ObjectDropper interface {
	// DropObject drops a stateless object (every overload of a function or procedure) or a
	// table or sequence, in the given physical schema. An object that does not exist is not an
	// error; any other failure is.
	DropObject(ctx context.Context, q Querier, schema string, typ ObjectType, name string) error
}

// Index is an index of a table: its name and its columns in order.
type Index struct {
	Name    string
	Columns []string
}

// IndexReader lists a table's unique indexes (moves read the keys a copy must keep unique).
type IndexReader interface {
	// UniqueIndexes lists the unique indexes of schema.table other than its primary key, on
	// plain columns only (not expressions, not partial), in name order.
	UniqueIndexes(ctx context.Context, q Querier, schema, table string) ([]Index, error)
}

// ScanIndexes runs stmt, which returns (index name, column name) rows ordered by index and
// column position, and groups them into indexes. An index with a part whose column name is
// empty (an expression) is left out. Dialects share it to implement IndexReader.
func ScanIndexes(ctx context.Context, q Querier, stmt string, args ...any) ([]Index, error) {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		out  []Index
		skip = map[string]bool{}
	)
	for rows.Next() {
		var name, col string
		if err := rows.Scan(&name, &col); err != nil {
			return nil, err
		}
		if col == "" {
			skip[name] = true
		}
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, Index{Name: name})
		}
		out[len(out)-1].Columns = append(out[len(out)-1].Columns, col)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, ix := range out {
		if !skip[ix.Name] {
			kept = append(kept, ix)
		}
	}
	return kept, nil
}

// ScanStrings runs query and calls fn for every row with its columns as strings (NULL as ""),
// stopping at the first error fn returns. Dialects share it to read their catalogs.
func ScanStrings(ctx context.Context, q Querier, query string, fn func(cols []string) error) error {
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
		if err := fn(cols); err != nil {
			return err
		}
	}
	return rows.Err()
}
