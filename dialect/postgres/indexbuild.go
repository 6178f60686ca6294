package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// buildScope says which indexes an online index build can leave invalid.
type buildScope int

const (
	scopeTable    buildScope = iota + 1 // the indexes of one table ($1: the table)
	scopeIndex                          // the indexes of the table an index is on ($1: the index)
	scopeSchema                         // the indexes in one schema ($1: its name)
	scopeDatabase                       // every index of the database
)

// onlineBuild is what the text of an online index build names.
type onlineBuild struct {
	scope   buildScope
	target  string // regclass text of the table or index, or the schema's name
	index   string // the index a CREATE INDEX names, as PostgreSQL folds it; "" when none
	rebuild bool   // REINDEX: the build makes copies of existing indexes
}

// rebuildCopy matches the names REINDEX CONCURRENTLY gives the copy it builds and the old
// index it swaps out ("orders_pkey_ccnew", "orders_pkey_ccold1"), quoted or not.
var rebuildCopy = regexp.MustCompile(`_cc(new|old)[0-9]*"?$`)

// parseOnlineBuild reads CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] [name] ON [ONLY]
// table and REINDEX [(options)] {INDEX|TABLE|SCHEMA|DATABASE} [CONCURRENTLY] name. Any other
// statement gives nil.
func parseOnlineBuild(stmt string) *onlineBuild {
	var ids []sqllex.Ident
	sqllex.Identifiers(stmt, sqllex.Postgres, func(id sqllex.Ident) {
		if len(ids) < 24 {
			ids = append(ids, id)
		}
	})
	word := func(i int) string { // the upper-cased keyword at i, or ""
		if i >= len(ids) || ids[i].Quoted || len(ids[i].Parts) != 1 {
			return ""
		}
		return strings.ToUpper(ids[i].Parts[0])
	}
	if len(ids) == 0 {
		return nil
	}
	switch word(0) {
	case "CREATE":
		i := 1
		if word(i) == "UNIQUE" {
			i++
		}
		if word(i) != "INDEX" || word(i+1) != "CONCURRENTLY" {
			return nil
		}
		i += 2
		if word(i) == "IF" && word(i+1) == "NOT" && word(i+2) == "EXISTS" {
			i += 3
		}
		b := &onlineBuild{scope: scopeTable}
		if word(i) != "ON" {
			if i >= len(ids) || len(ids[i].Parts) != 1 {
				return nil
			}
			b.index = fold(ids[i])[0]
			i++
		}
		if word(i) != "ON" {
			return nil
		}
		i++
		if word(i) == "ONLY" {
			i++
		}
		if i >= len(ids) {
			return nil
		}
		b.target = regclassText(ids[i])
		return b
	case "REINDEX":
		concurrent := false
		for i := 1; i < len(ids); i++ {
			switch word(i) {
			case "CONCURRENTLY":
				concurrent = true
			case "INDEX", "TABLE", "SCHEMA", "DATABASE":
				kind, j := word(i), i+1
				if word(j) == "CONCURRENTLY" {
					concurrent, j = true, j+1
				}
				if !concurrent {
					return nil
				}
				switch kind {
				case "DATABASE":
					return &onlineBuild{scope: scopeDatabase, rebuild: true}
				case "SCHEMA":
					if j >= len(ids) {
						return nil
					}
					return &onlineBuild{scope: scopeSchema, target: fold(ids[j])[0], rebuild: true}
				}
				if j >= len(ids) {
					return nil
				}
				scope := scopeTable
				if kind == "INDEX" {
					scope = scopeIndex
				}
				return &onlineBuild{scope: scope, target: regclassText(ids[j]), rebuild: true}
			}
		}
	}
	return nil
}

// fold returns an identifier's parts as PostgreSQL resolves them: unquoted names lower-cased.
func fold(id sqllex.Ident) []string {
	if id.Quoted {
		return id.Parts
	}
	out := make([]string, len(id.Parts))
	for i, p := range id.Parts {
		out[i] = strings.ToLower(p)
	}
	return out
}

// regclassText renders a (qualified) name as regclass input.
func regclassText(id sqllex.Ident) string {
	parts := fold(id)
	for i, p := range parts {
		parts[i] = Dialect{}.QuoteIdent(p)
	}
	return strings.Join(parts, ".")
}

// invalidIndexes lists invalid indexes on the tables that %[1]s selects (with i.indrelid for
// the table). Builds in progress in other sessions are left out: their index is invalid until
// they finish.
const invalidIndexes = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid AND %[1]s
AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p
                WHERE p.index_relid = i.indexrelid AND p.pid <> pg_backend_pid())
ORDER BY 1`

// tables renders the condition on i.indrelid that selects the tables a build works on.
func (b *onlineBuild) tables() (cond string, args []any) {
	switch b.scope {
	case scopeTable:
		return "i.indrelid = to_regclass($1)", []any{b.target}
	case scopeIndex:
		return "i.indrelid = (SELECT x.indrelid FROM pg_index x WHERE x.indexrelid = to_regclass($1))", []any{b.target}
	case scopeSchema:
		return "i.indrelid IN (SELECT t.oid FROM pg_class t JOIN pg_namespace tn ON tn.oid = t.relnamespace WHERE tn.nspname = $1)", []any{b.target}
	}
	return "i.indrelid IN (SELECT t.oid FROM pg_class t JOIN pg_namespace tn ON tn.oid = t.relnamespace " +
		"WHERE tn.nspname NOT IN ('pg_catalog', 'information_schema') AND tn.nspname NOT LIKE 'pg\\_toast%')", nil
}

// IndexBuild describes a CREATE INDEX CONCURRENTLY or REINDEX ... CONCURRENTLY statement: the
// index it creates, the invalid indexes on the tables it builds on, and the builds other
// sessions run on them.
func (d Dialect) IndexBuild(ctx context.Context, q tandem.Querier, stmt string) (*tandem.IndexBuild, error) {
	b := parseOnlineBuild(stmt)
	if b == nil {
		return nil, nil
	}
	cond, args := b.tables()
	out := &tandem.IndexBuild{}
	var err error
	if out.Invalid, err = queryStrings(ctx, q, fmt.Sprintf(invalidIndexes, cond), args...); err != nil {
		return nil, fmt.Errorf("postgres: list invalid indexes: %w", err)
	}
	if b.index != "" {
		// The index goes into its table's schema; a table that does not exist yet leaves it
		// unnamed (the statement will fail on the table).
		var index *string
		err := q.QueryRowContext(ctx, `SELECT (SELECT quote_ident(n.nspname) || '.' || quote_ident($2)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1))`, b.target, b.index).Scan(&index)
		if err != nil {
			return nil, fmt.Errorf("postgres: find the schema of %s: %w", b.target, err)
		}
		if index != nil {
			out.Index = *index
		}
	}
	for _, x := range out.Invalid {
		switch {
		case b.index != "":
			if x == out.Index {
				out.Leftovers = append(out.Leftovers, x)
			}
		case b.scope == scopeTable && !b.rebuild:
			out.Leftovers = append(out.Leftovers, x)
		case rebuildCopy.MatchString(x):
			out.Leftovers = append(out.Leftovers, x)
		}
	}
	return out, nil
}

// DropIndex renders DROP INDEX CONCURRENTLY IF EXISTS, which waits for the transactions using
// the table but never blocks its writes.
func (Dialect) DropIndex(index string) string {
	return "DROP INDEX CONCURRENTLY IF EXISTS " + index
}

// queryStrings runs a query of one text column and returns its rows.
func queryStrings(ctx context.Context, q tandem.Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Running lists the other sessions of the database running stmt. pg_stat_activity keeps the
// first track_activity_query_size bytes of a query (1kB by default), so a long statement is
// matched by that prefix.
func (Dialect) Running(ctx context.Context, q tandem.Querier, stmt string) ([]string, error) {
	out, err := queryStrings(ctx, q, `SELECT 'session ' || pid || ' (' || coalesce(nullif(application_name, ''), 'no application_name') || '), running for ' || date_trunc('second', now() - query_start)
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
AND (query = $1 OR (length(query) >= 1000 AND starts_with($1, query)))
ORDER BY pid`, stmt)
	if err != nil {
		return nil, fmt.Errorf("postgres: list running statements: %w", err)
	}
	return out, nil
}
