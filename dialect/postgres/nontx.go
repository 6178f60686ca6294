package postgres

import (
	"slices"

	"github.com/tandem-db/tandem/internal/sqllex"
)

// NonTransactional reports statements that PostgreSQL refuses inside a transaction block:
// CREATE/DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY (and REINDEX SCHEMA, DATABASE,
// SYSTEM), VACUUM, CREATE/DROP DATABASE, ALTER DATABASE ... SET TABLESPACE, ALTER SYSTEM,
// CREATE/DROP TABLESPACE, CREATE/DROP SUBSCRIPTION, ALTER TABLE ... DETACH PARTITION ...
// CONCURRENTLY or FINALIZE, CLUSTER without a table, and DISCARD ALL.
//
// ALTER TYPE ... ADD VALUE is reported too, whatever the server version: before PostgreSQL 12
// it cannot run in a transaction block, and since then the new label cannot be used until the
// transaction commits, so a change that adds a label and uses it would fail inside one
// transaction. Running it on its own is safe on every version.
//
// REFRESH MATERIALIZED VIEW CONCURRENTLY is transactional (PostgreSQL accepts it in a
// transaction block) and is not reported.
func (Dialect) NonTransactional(stmt string) bool {
	w := sqllex.Keywords(stmt, sqllex.Postgres, 12)
	if len(w) == 0 {
		return false
	}
	at := func(i int, s string) bool { return i < len(w) && w[i] == s }
	switch w[0] {
	case "VACUUM":
		return true
	case "CLUSTER":
		return len(w) == 1 || (len(w) == 2 && w[1] == "VERBOSE")
	case "DISCARD":
		return at(1, "ALL")
	case "REINDEX":
		if slices.Contains(w, "CONCURRENTLY") {
			return true
		}
		for _, x := range w[1:] {
			switch x {
			case "INDEX", "TABLE":
				return false
			case "SCHEMA", "DATABASE", "SYSTEM":
				return true
			}
		}
		return false
	case "CREATE":
		i := 1
		if at(i, "UNIQUE") {
			i++
		}
		if at(i, "INDEX") {
			return at(i+1, "CONCURRENTLY")
		}
		return at(1, "DATABASE") || at(1, "TABLESPACE") || at(1, "SUBSCRIPTION")
	case "DROP":
		if at(1, "INDEX") {
			return at(2, "CONCURRENTLY")
		}
		return at(1, "DATABASE") || at(1, "TABLESPACE") || at(1, "SUBSCRIPTION")
	case "ALTER":
		switch {
		case at(1, "SYSTEM"):
			return true
		case at(1, "TYPE"):
			i := slices.Index(w, "ADD")
			return i > 0 && at(i+1, "VALUE")
		case at(1, "DATABASE"):
			return slices.Contains(w, "SET") && slices.Contains(w, "TABLESPACE")
		case at(1, "TABLE"):
			last := w[len(w)-1]
			return slices.Contains(w, "DETACH") && slices.Contains(w, "PARTITION") && (last == "CONCURRENTLY" || last == "FINALIZE")
		}
	}
	return false
}
