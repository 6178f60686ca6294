package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// LockClause renders LOCK IN SHARE MODE (also for LockKeyShare: InnoDB has nothing weaker) or
// FOR UPDATE.
func (Dialect) LockClause(mode tandem.LockMode) string {
	if mode == tandem.LockUpdate {
		return " FOR UPDATE"
	}
	return " LOCK IN SHARE MODE"
}

// ColumnType names longtext, a binary-collated varchar(255) (the database's default collation
// may ignore case), datetime(6) and an AUTO_INCREMENT key.
func (Dialect) ColumnType(k tandem.ColumnKind) string {
	switch k {
	case tandem.KeyColumn:
		return "varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
	case tandem.TimeColumn:
		return "datetime(6)"
	case tandem.SerialKeyColumn:
		return "bigint NOT NULL AUTO_INCREMENT PRIMARY KEY"
	}
	return "longtext"
}

// UniqueIndexes reads information_schema.STATISTICS (expression parts have no column name and
// leave their index out).
func (Dialect) UniqueIndexes(ctx context.Context, q tandem.Querier, schema, table string) ([]tandem.Index, error) {
	const stmt = `SELECT INDEX_NAME, COALESCE(COLUMN_NAME, '') FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND LOWER(TABLE_NAME) = LOWER(?)
  AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY'
ORDER BY INDEX_NAME, SEQ_IN_INDEX`
	return tandem.ScanIndexes(ctx, q, stmt, schema, table)
}

// RowHashSum sums the first 64 bits of the md5 of each row's values, each length-prefixed and
// NULL marked, as an unsigned integer summed as DECIMAL.
func (d Dialect) RowHashSum(exprs []string, cols []tandem.Column) string {
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		t := d.CastText(e, cols[i])
		parts[i] = "IFNULL(CONCAT(CHAR_LENGTH(" + t + "), ':', " + t + "), 'N')"
	}
	return "CAST(COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', " + strings.Join(parts, ", ") + ")), 1, 16), 16, 10) AS UNSIGNED)), 0) AS CHAR)"
}

// ReplicaLagQuery returns "": a MySQL or MariaDB primary does not know its replicas' lag.
func (Dialect) ReplicaLagQuery() string { return "" }

// ActiveSessionsQuery counts the other sessions of the current database running a statement.
func (Dialect) ActiveSessionsQuery() string {
	return "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump', 'Binlog Dump GTID') AND DB = DATABASE() AND ID <> CONNECTION_ID()"
}

// AlignSequence raises the table's AUTO_INCREMENT to past+1 when it is lower (ALTER TABLE
// could also lower it down to the largest key in use, reusing the keys of deleted rows).
func (d Dialect) AlignSequence(ctx context.Context, q tandem.Querier, schema, table, _ string, past int64) error {
	var next sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND TABLE_NAME = ?", schema, table).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !next.Valid) {
		return nil // no AUTO_INCREMENT column
	}
	if err != nil || next.Int64 > past {
		return err
	}
	_, err = q.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s AUTO_INCREMENT = %d", d.Qualify(schema, table), past+1))
	return err
}
