package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
)

// sessionVariables are the session variables a change may set for the rest of its session
// (mysqldump's preamble sets most of them) and that SessionRestore brings back. The character
// sets come before collation_connection, which setting character_set_connection resets.
var sessionVariables = []string{
	"sql_mode", "foreign_key_checks", "unique_checks", "sql_notes", "sql_safe_updates", "time_zone",
	"autocommit", "auto_increment_increment", "auto_increment_offset",
	"character_set_client", "character_set_results", "character_set_connection", "collation_connection",
	"lock_wait_timeout", "innodb_lock_wait_timeout",
}

// SessionRestore reads the session variables a change may set (sql_mode, foreign_key_checks,
// unique_checks, time_zone, the character sets of SET NAMES, the lock timeouts the deploy set,
// ...) and renders the one SET that gives them back their values. The database a USE moved to
// is restored by the engine, which points the session at each change's schema.
func (d Dialect) SessionRestore(ctx context.Context, q tandem.Querier) ([]string, error) {
	cols := make([]string, len(sessionVariables))
	for i, v := range sessionVariables {
		cols[i] = "@@SESSION." + v
	}
	vals := make([]sql.NullString, len(sessionVariables))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := q.QueryRowContext(ctx, "SELECT "+strings.Join(cols, ", ")).Scan(ptrs...); err != nil {
		return nil, fmt.Errorf("read session variables: %w", err)
	}
	sets := make([]string, len(sessionVariables))
	for i, v := range sessionVariables {
		sets[i] = "SESSION " + v + " = " + variableValue(vals[i])
	}
	iso, err := isolationVariable(ctx, q)
	if err != nil {
		return nil, err
	}
	return []string{"SET " + strings.Join(append(sets, iso), ", ")}, nil
}

// isolationVariable renders the assignment that restores the session's isolation level (SET
// SESSION TRANSACTION ISOLATION LEVEL), whose variable is transaction_isolation on MySQL 8
// and tx_isolation on MariaDB before 11.1.
// ClientCheck returns nothing: MySQL and MariaDB have no setting that ends a statement whose
// client went away.
func (Dialect) ClientCheck() []string { return nil }

func isolationVariable(ctx context.Context, q tandem.Querier) (string, error) {
	var errs []error
	for _, v := range []string{"transaction_isolation", "tx_isolation"} {
		var level string
		err := q.QueryRowContext(ctx, "SELECT @@SESSION."+v).Scan(&level)
		if err == nil {
			return "SESSION " + v + " = " + quoteLiteral(level), nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("read the session's isolation level: %w", errors.Join(errs...))
}

// variableValue renders a session variable's value as SET accepts it back: numbers bare (a
// boolean variable refuses '1'), NULL as NULL, anything else quoted.
func variableValue(v sql.NullString) string {
	if !v.Valid {
		return "NULL"
	}
	if _, err := strconv.ParseInt(v.String, 10, 64); err == nil {
		return v.String
	}
	return quoteLiteral(v.String)
}
