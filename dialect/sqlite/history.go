package sqlite

import "github.com/tandem-db/tandem"

// HistoryDDL creates tandem_runs, tandem_changes and tandem_events in the main database if
// they do not exist; schema is ignored. Timestamps are declared TIMESTAMP so that
// modernc.org/sqlite reads them back as time.Time. Text columns are NOT NULL with an empty
// default, so that readers can scan into plain strings.
func (d Dialect) HistoryDDL(string) []string {
	runs := d.QuoteIdent(tandem.RunsTable)
	changes := d.QuoteIdent(tandem.ChangesTable)
	events := d.QuoteIdent(tandem.EventsTable)
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + runs + ` (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    environment  TEXT NOT NULL DEFAULT '',
    command      TEXT NOT NULL DEFAULT '',
    tag          TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    ended_at     TIMESTAMP,
    status       TEXT NOT NULL DEFAULT '',
    user_name    TEXT NOT NULL DEFAULT '',
    host         TEXT NOT NULL DEFAULT '',
    tool_version TEXT NOT NULL DEFAULT '',
    app_version  TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT ''
)`,
		`CREATE TABLE IF NOT EXISTS ` + changes + ` (
    object_schema TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_name   TEXT NOT NULL,
    change_name   TEXT NOT NULL,
    hash          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'applied',
    done          INTEGER NOT NULL DEFAULT 0,
    done_hash     TEXT NOT NULL DEFAULT '',
    rollback_sql  TEXT NOT NULL DEFAULT '',
    definition    TEXT NOT NULL DEFAULT '',
    run_id        INTEGER NOT NULL DEFAULT 0,
    applied_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    applied_by    TEXT NOT NULL DEFAULT '',
    tool_version  TEXT NOT NULL DEFAULT '',
    app_version   TEXT NOT NULL DEFAULT '',
    file          TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (object_schema, object_type, object_name, change_name)
)`,
		`CREATE TABLE IF NOT EXISTS ` + events + ` (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id        INTEGER NOT NULL DEFAULT 0,
    action        TEXT NOT NULL,
    object_schema TEXT NOT NULL DEFAULT '',
    object_type   TEXT NOT NULL DEFAULT '',
    object_name   TEXT NOT NULL DEFAULT '',
    change_name   TEXT NOT NULL DEFAULT '',
    hash          TEXT NOT NULL DEFAULT '',
    sql_text      TEXT NOT NULL DEFAULT '',
    rollback_sql  TEXT NOT NULL DEFAULT '',
    at            TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    kind          TEXT NOT NULL DEFAULT ''
)`,
	}
}
