package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// connectionPragmas are the settings of one SQLite connection that a change may set with a
// PRAGMA and that SessionRestore brings back. query_only comes first, so that the others can
// be set again after a change made the connection read-only.
var connectionPragmas = []string{
	"query_only", "foreign_keys", "defer_foreign_keys", "recursive_triggers", "ignore_check_constraints",
	"legacy_alter_table", "reverse_unordered_selects", "automatic_index", "trusted_schema",
	"writable_schema", "cell_size_check", "busy_timeout", "synchronous", "temp_store", "cache_size",
}

// ClientCheck returns nothing: SQLite runs in the process that sends a statement, and a
// statement ends with it.
func (Dialect) ClientCheck() []string { return nil }

// Running returns nothing: a statement runs in the process that sent it and ends with it, so no
// other session can be running one a killed deploy sent.
func (Dialect) Running(context.Context, tandem.Querier, string) ([]string, error) { return nil, nil }

// SessionRestore reads the connection's PRAGMA settings (foreign_keys, recursive_triggers,
// legacy_alter_table, busy_timeout, ...) and renders the PRAGMAs that set them back.
func (Dialect) SessionRestore(ctx context.Context, q tandem.Querier) ([]string, error) {
	out := make([]string, 0, len(connectionPragmas))
	for _, p := range connectionPragmas {
		var v sql.NullString
		if err := q.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue // a pragma this build of SQLite does not have
			}
			return nil, fmt.Errorf("read PRAGMA %s: %w", p, err)
		}
		if v.Valid {
			out = append(out, "PRAGMA "+p+" = "+quoteLiteral(v.String))
		}
	}
	return out, nil
}

// GuardChange turns foreign keys off for the change when the connection has them on, as
// SQLite's table rebuild procedure requires (PRAGMA foreign_keys is a no-op inside a
// transaction, so it runs before the change's BEGIN). With them off on the connection already,
// the change runs as it is and nothing is checked.
func (Dialect) GuardChange(ctx context.Context, q tandem.Querier) ([]string, error) {
	var on int
	if err := q.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
		return nil, fmt.Errorf("read PRAGMA foreign_keys: %w", err)
	}
	if on == 0 {
		return nil, nil
	}
	return []string{"PRAGMA foreign_keys = OFF"}, nil
}

// Guards reports DROP TABLE: with foreign keys on it deletes the table's rows first, through
// every foreign key that references it (ON DELETE CASCADE empties the children), which is what
// breaks the rebuild procedure. A change without one keeps foreign keys on, which check its
// statements as they run.
func (Dialect) Guards(stmt string) bool {
	w := sqllex.Keywords(stmt, sqllex.SQLite, 2)
	return len(w) == 2 && w[0] == "DROP" && w[1] == "TABLE"
}

// AsksGuard reports PRAGMA foreign_keys = OFF (or 0, false, no, in any case, also written
// PRAGMA foreign_keys(OFF)): what GuardChange does for a change.
func (Dialect) AsksGuard(stmt string) bool {
	w := sqllex.Keywords(stmt, sqllex.SQLite, 3)
	if len(w) < 2 || w[0] != "PRAGMA" || w[1] != "FOREIGN_KEYS" {
		return false
	}
	i := strings.LastIndexAny(stmt, "=(")
	if i < 0 {
		return false
	}
	switch strings.ToLower(strings.Trim(stmt[i+1:], " \t\r\n);'\"")) {
	case "off", "0", "false", "no":
		return true
	}
	return false
}

// maxViolations bounds the foreign key violations an error names.
const maxViolations = 5

// CheckChange runs PRAGMA foreign_key_check in the change's transaction and fails with every
// violation it finds (up to five named): a row whose parent row is missing.
func (Dialect) CheckChange(ctx context.Context, q tandem.Querier) error {
	rows, err := q.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("sqlite: PRAGMA foreign_key_check: %w", err)
	}
	defer rows.Close()
	var found []string
	n := 0
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("sqlite: PRAGMA foreign_key_check: %w", err)
		}
		n++
		if len(found) < maxViolations {
			row := "a row"
			if rowid.Valid {
				row = fmt.Sprintf("rowid %d", rowid.Int64)
			}
			found = append(found, fmt.Sprintf("%s of table %s references a missing row of %s (foreign key %d)", row, table, parent, fkid))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: PRAGMA foreign_key_check: %w", err)
	}
	if n == 0 {
		return nil
	}
	more := ""
	if n > len(found) {
		more = fmt.Sprintf("; and %d more", n-len(found))
	}
	return fmt.Errorf("sqlite: the change leaves %d foreign key violation(s), so it was rolled back (it runs with foreign keys off, as a table rebuild needs, and is checked before commit): %s%s; make the change keep every parent row its children reference", n, strings.Join(found, "; "), more)
}
