package postgres

import "github.com/tandem-db/tandem"

// HistoryDDL creates tandem_runs, tandem_changes and tandem_events if they do not exist. Text
// columns are NOT NULL with an empty default, so that readers can scan into plain strings.
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
    id           bigserial PRIMARY KEY,
    environment  text NOT NULL DEFAULT '',
    command      text NOT NULL DEFAULT '',
    tag          text NOT NULL DEFAULT '',
    started_at   timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    status       text NOT NULL DEFAULT '',
    user_name    text NOT NULL DEFAULT '',
    host         text NOT NULL DEFAULT '',
    tool_version text NOT NULL DEFAULT '',
    app_version  text NOT NULL DEFAULT '',
    detail       text NOT NULL DEFAULT ''
)`,
		`CREATE TABLE IF NOT EXISTS `+changes+` (
    object_schema text NOT NULL,
    object_type   text NOT NULL,
    object_name   text NOT NULL,
    change_name   text NOT NULL,
    hash          text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'applied',
    done          integer NOT NULL DEFAULT 0,
    done_hash     text NOT NULL DEFAULT '',
    rollback_sql  text NOT NULL DEFAULT '',
    definition    text NOT NULL DEFAULT '',
    run_id        bigint NOT NULL DEFAULT 0,
    applied_at    timestamptz NOT NULL DEFAULT now(),
    applied_by    text NOT NULL DEFAULT '',
    tool_version  text NOT NULL DEFAULT '',
    app_version   text NOT NULL DEFAULT '',
    file          text NOT NULL DEFAULT '',
    kind          text NOT NULL DEFAULT '',
    PRIMARY KEY (object_schema, object_type, object_name, change_name)
)`,
		`CREATE TABLE IF NOT EXISTS `+events+` (
    id            bigserial PRIMARY KEY,
    run_id        bigint NOT NULL DEFAULT 0,
    action        text NOT NULL,
    object_schema text NOT NULL DEFAULT '',
    object_type   text NOT NULL DEFAULT '',
    object_name   text NOT NULL DEFAULT '',
    change_name   text NOT NULL DEFAULT '',
    hash          text NOT NULL DEFAULT '',
    sql_text      text NOT NULL DEFAULT '',
    rollback_sql  text NOT NULL DEFAULT '',
    at            timestamptz NOT NULL DEFAULT now(),
    kind          text NOT NULL DEFAULT ''
)`,
	)
}
