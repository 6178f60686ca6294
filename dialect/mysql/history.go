package mysql

import "github.com/tandem-db/tandem"

// tableOptions make the history tables transactional (InnoDB), able to hold any text
// (utf8mb4) and compare names exactly as PostgreSQL and SQLite do (binary collation).
const tableOptions = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

// HistoryDDL creates tandem_runs, tandem_changes and tandem_events if they do not exist.
//
// Key columns are VARCHAR, as InnoDB cannot index TEXT, and sized so that the changes table's
// primary key (64 + 32 + 255 + 255 characters of 4 bytes) stays within InnoDB's 3072-byte
// index limit. SQL text is LONGTEXT. Text columns are NOT NULL with an empty default, so that
// readers can scan into plain strings. Timestamps are DATETIME(6): TIMESTAMP would stop in 2038
// and, on older servers, update itself on every UPDATE.
func (d Dialect) HistoryDDL(schema string) []string {
	runs := d.Qualify(schema, tandem.RunsTable)
	changes := d.Qualify(schema, tandem.ChangesTable)
	events := d.Qualify(schema, tandem.EventsTable)
	var stmts []string
	if s := d.CreateSchema(schema); s != "" {
		stmts = append(stmts, s)
	}
	return append(stmts,
		`CREATE TABLE IF NOT EXISTS `+runs+` (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    environment  VARCHAR(255) NOT NULL DEFAULT '',
    command      VARCHAR(64) NOT NULL DEFAULT '',
    tag          VARCHAR(255) NOT NULL DEFAULT '',
    started_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    ended_at     DATETIME(6) NULL,
    status       VARCHAR(32) NOT NULL DEFAULT '',
    user_name    VARCHAR(255) NOT NULL DEFAULT '',
    host         VARCHAR(255) NOT NULL DEFAULT '',
    tool_version VARCHAR(64) NOT NULL DEFAULT '',
    app_version  VARCHAR(255) NOT NULL DEFAULT '',
    detail       LONGTEXT NOT NULL DEFAULT ('')
)`+tableOptions,
		`CREATE TABLE IF NOT EXISTS `+changes+` (
    object_schema VARCHAR(64) NOT NULL,
    object_type   VARCHAR(32) NOT NULL,
    object_name   VARCHAR(255) NOT NULL,
    change_name   VARCHAR(255) NOT NULL,
    hash          VARCHAR(128) NOT NULL DEFAULT '',
    status        VARCHAR(32) NOT NULL DEFAULT 'applied',
    done          INT NOT NULL DEFAULT 0,
    done_hash     VARCHAR(128) NOT NULL DEFAULT '',
    rollback_sql  LONGTEXT NOT NULL DEFAULT (''),
    definition    LONGTEXT NOT NULL DEFAULT (''),
    run_id        BIGINT NOT NULL DEFAULT 0,
    applied_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    applied_by    VARCHAR(255) NOT NULL DEFAULT '',
    tool_version  VARCHAR(64) NOT NULL DEFAULT '',
    app_version   VARCHAR(255) NOT NULL DEFAULT '',
    file          VARCHAR(1024) NOT NULL DEFAULT '',
    kind          VARCHAR(32) NOT NULL DEFAULT '',
    PRIMARY KEY (object_schema, object_type, object_name, change_name)
)`+tableOptions,
		`CREATE TABLE IF NOT EXISTS `+events+` (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    run_id        BIGINT NOT NULL DEFAULT 0,
    action        VARCHAR(32) NOT NULL,
    object_schema VARCHAR(64) NOT NULL DEFAULT '',
    object_type   VARCHAR(32) NOT NULL DEFAULT '',
    object_name   VARCHAR(255) NOT NULL DEFAULT '',
    change_name   VARCHAR(255) NOT NULL DEFAULT '',
    hash          VARCHAR(128) NOT NULL DEFAULT '',
    sql_text      LONGTEXT NOT NULL DEFAULT (''),
    rollback_sql  LONGTEXT NOT NULL DEFAULT (''),
    at            DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    kind          VARCHAR(32) NOT NULL DEFAULT ''
)`+tableOptions,
	)
}
