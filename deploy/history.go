package deploy

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
)

// history reads and writes tandem's history tables through one dialect. It holds no connection:
// every call takes the Querier to use, so that a history row is written in the same transaction
// as the change it records.
type history struct {
	d      tandem.Dialect
	schema string // physical schema of the history tables ("" on databases without schemas)
	// kinds says, per table, whether it has the kind column, once kindColumn has asked; nil
	// asks every time.
	kinds map[string]bool
}

func (h history) table(name string) string { return h.d.Qualify(h.schema, name) }

// ph renders n placeholders starting at first, comma-separated.
func (h history) ph(first, n int) string { return tandem.Placeholders(h.d, first, n) }

// recordColumns are the columns of the changes table that insert writes, in recordArgs' order;
// recordColumnsRead are those records reads from a table of before the kind column.
const (
	recordColumnsRead = "object_schema, object_type, object_name, change_name, hash, status, done, done_hash, rollback_sql, definition, run_id, applied_at, applied_by, tool_version, app_version, file"
	recordColumns     = recordColumnsRead + ", kind"
)

// ensure creates the history tables if they do not exist. The schema exists already.
func (h history) ensure(ctx context.Context, q tandem.Querier) error {
	// Running DDL only when needed keeps a routine deploy from waiting on metadata locks. All
	// three tables are checked: a deploy killed while creating them leaves some.
	if ok, err := h.allExist(ctx, q); err != nil || ok {
		if err != nil {
			return err
		}
		return h.addKindColumns(ctx, q)
	}
	for _, stmt := range h.d.HistoryDDL(h.schema) {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create history tables: %w", err)
		}
	}
	return nil
}

// exists reports whether the changes table exists, without creating it (status and plan must not
// write to a database).
func (h history) exists(ctx context.Context, q tandem.Querier) (bool, error) {
	_, err := h.d.Columns(ctx, q, h.schema, tandem.ChangesTable)
	if err == nil {
		return true, nil
	}
	if isNotFound(err) {
		return false, nil
	}
	return false, fmt.Errorf("read history: %w", err)
}

// allExist reports whether all three history tables exist.
func (h history) allExist(ctx context.Context, q tandem.Querier) (bool, error) {
	for _, t := range []string{tandem.RunsTable, tandem.ChangesTable, tandem.EventsTable} {
		_, err := h.d.Columns(ctx, q, h.schema, t)
		if isNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read history: %w", err)
		}
	}
	return true, nil
}

// records returns every row of the changes table, each with its kind (legacyKind for rows
// written before the kind column).
func (h history) records(ctx context.Context, q tandem.Querier) ([]tandem.Record, error) {
	kind, err := h.kindColumn(ctx, q, tandem.ChangesTable)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT "+recordColumnsRead+", "+kind+" FROM "+h.table(tandem.ChangesTable)+" ORDER BY applied_at, object_schema, object_type, object_name, change_name")
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	var out []tandem.Record
	for rows.Next() {
		var r tandem.Record
		var typ, status string
		var doneHash, rollback, def, by, tool, app, file, kind sql.NullString
		var at timeValue
		if err := rows.Scan(&r.Schema, &typ, &r.Object, &r.Change, &r.Hash, &status, &r.Done, &doneHash, &rollback, &def, &r.RunID, &at, &by, &tool, &app, &file, &kind); err != nil {
			return nil, fmt.Errorf("read history: %w", err)
		}
		r.Type, r.Status = tandem.ObjectType(typ), tandem.RecordStatus(status)
		r.DoneHash, r.Rollback, r.Definition = doneHash.String, rollback.String, def.String
		r.AppliedBy, r.Tool, r.App, r.File = by.String, tool.String, app.String, file.String
		r.AppliedAt = at.t
		r.Kind = tandem.RecordKind(kind.String)
		if r.Kind == "" {
			r.Kind = legacyKind(r.Type, r.Definition)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// put inserts or replaces the record of one change.
func (h history) put(ctx context.Context, q tandem.Querier, r *tandem.Record) error {
	if err := h.delete(ctx, q, r.Key(), r.Change); err != nil {
		return err
	}
	return h.insert(ctx, q, r)
}

// insert adds the record of a change that has none: one statement fewer than put on the path
// every new change takes.
func (h history) insert(ctx context.Context, q tandem.Querier, r *tandem.Record) error {
	stmt := "INSERT INTO " + h.table(tandem.ChangesTable) + " (" + recordColumns + ") VALUES (" + h.ph(1, 17) + ")"
	_, err := q.ExecContext(ctx, stmt, recordArgs(r)...)
	if err != nil {
		return fmt.Errorf("record %s/%s: %w", r.Key(), r.Change, err)
	}
	return nil
}

func recordArgs(r *tandem.Record) []any {
	return []any{r.Schema, string(r.Type), r.Object, r.Change, r.Hash, string(r.Status), r.Done,
		r.DoneHash, r.Rollback, r.Definition, r.RunID, r.AppliedAt.UTC(), r.AppliedBy, r.Tool, r.App, r.File, string(r.Kind)}
}

func eventArgs(e *tandem.Event) []any {
	return []any{e.RunID, string(e.Action), e.Schema, string(e.Type), e.Object, e.Change, e.Hash, e.SQL, e.Rollback, e.At.UTC(), string(e.Kind)}
}

const eventColumns = "run_id, action, object_schema, object_type, object_name, change_name, hash, sql_text, rollback_sql, at, kind"

// insertWithEvent adds the record of a new change and its event; where the database allows, in
// one round trip (the path every new change takes, so it sets the pace of a long deploy).
func (h history) insertWithEvent(ctx context.Context, q tandem.Querier, r *tandem.Record, e *tandem.Event) error {
	if !h.d.Capabilities().DataModifyingCTE {
		if err := h.insert(ctx, q, r); err != nil {
			return err
		}
		return h.event(ctx, q, e)
	}
	stmt := h.recordWithEvent(h.ph(1, 17), h.ph(18, 11))
	if _, err := q.ExecContext(ctx, stmt, append(recordArgs(r), eventArgs(e)...)...); err != nil {
		return fmt.Errorf("record %s/%s: %w", r.Key(), r.Change, err)
	}
	return nil
}

// insertWithEventText renders what insertWithEvent runs as one statement with literal values,
// for a dialect that sends several statements in one round trip (tandem.Pipeliner).
func (h history) insertWithEventText(lit tandem.Pipeliner, r *tandem.Record, e *tandem.Event) (string, error) {
	values := func(args []any) (string, error) {
		parts := make([]string, len(args))
		for i, a := range args {
			l, err := lit.Literal(a)
			if err != nil {
				return "", fmt.Errorf("record %s/%s: %w", r.Key(), r.Change, err)
			}
			parts[i] = l
		}
		return strings.Join(parts, ", "), nil
	}
	rv, err := values(recordArgs(r))
	if err != nil {
		return "", err
	}
	ev, err := values(eventArgs(e))
	if err != nil {
		return "", err
	}
	return h.recordWithEvent(rv, ev), nil
}

// recordWithEvent renders one statement that adds a change's record and its event, given the
// two VALUES lists (placeholders or literals), for databases with data-modifying CTEs.
func (h history) recordWithEvent(record, event string) string {
	return "WITH c AS (INSERT INTO " + h.table(tandem.ChangesTable) + " (" + recordColumns + ") VALUES (" + record +
		")) INSERT INTO " + h.table(tandem.EventsTable) + " (" + eventColumns + ") VALUES (" + event + ")"
}

// delete removes the record of one change.
func (h history) delete(ctx context.Context, q tandem.Querier, k tandem.ObjectKey, change string) error {
	stmt := fmt.Sprintf("DELETE FROM %s WHERE object_schema = %s AND object_type = %s AND object_name = %s AND change_name = %s",
		h.table(tandem.ChangesTable), h.d.Placeholder(1), h.d.Placeholder(2), h.d.Placeholder(3), h.d.Placeholder(4))
	if _, err := q.ExecContext(ctx, stmt, k.Schema, string(k.Type), k.Name, change); err != nil {
		return fmt.Errorf("remove record %s/%s: %w", k, change, err)
	}
	return nil
}

// event appends one row to the events table.
func (h history) event(ctx context.Context, q tandem.Querier, e *tandem.Event) error {
	stmt := "INSERT INTO " + h.table(tandem.EventsTable) + " (" + eventColumns + ") VALUES (" + h.ph(1, 11) + ")"
	_, err := q.ExecContext(ctx, stmt, eventArgs(e)...)
	if err != nil {
		return fmt.Errorf("record event %s %s/%s: %w", e.Action, e.Object, e.Change, err)
	}
	return nil
}

// events returns the events of runs after afterRun (exclusive), oldest first.
func (h history) events(ctx context.Context, q tandem.Querier, afterRun int64) ([]tandem.Event, error) {
	return h.readEvents(ctx, q, "run_id > ", afterRun)
}

// eventsUpTo returns the events of runs up to upTo (inclusive), oldest first: what
// plan.DefinitionsAt folds into the definitions in force at the end of run upTo.
func (h history) eventsUpTo(ctx context.Context, q tandem.Querier, upTo int64) ([]tandem.Event, error) {
	return h.readEvents(ctx, q, "run_id <= ", upTo)
}

// readEvents returns the events whose run_id satisfies cond (a comparison ending in its
// operator) with run, oldest first, each with its kind (legacyKind for rows written before the
// kind column).
func (h history) readEvents(ctx context.Context, q tandem.Querier, cond string, run int64) ([]tandem.Event, error) {
	kind, err := h.kindColumn(ctx, q, tandem.EventsTable)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT id, run_id, action, object_schema, object_type, object_name, change_name, hash, sql_text, rollback_sql, at, "+kind+" FROM "+
		h.table(tandem.EventsTable)+" WHERE "+cond+h.d.Placeholder(1)+" ORDER BY id", run)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []tandem.Event
	for rows.Next() {
		var e tandem.Event
		var action, typ string
		var hash, sqlText, rollback, kind sql.NullString
		var at timeValue
		if err := rows.Scan(&e.ID, &e.RunID, &action, &e.Schema, &typ, &e.Object, &e.Change, &hash, &sqlText, &rollback, &at, &kind); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		e.Action, e.Type = tandem.EventAction(action), tandem.ObjectType(typ)
		e.Hash, e.SQL, e.Rollback, e.At = hash.String, sqlText.String, rollback.String, at.t
		e.Kind = tandem.RecordKind(kind.String)
		if e.Kind == "" {
			e.Kind = legacyKind(e.Type, e.SQL)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const runColumns = "id, environment, command, tag, started_at, ended_at, status, user_name, host, tool_version, app_version, detail"

// startRun records a new run and returns its id. The caller holds the deploy lock, so the next id
// cannot be taken by anyone else.
func (h history) startRun(ctx context.Context, q tandem.Querier, r *tandem.Run) error {
	var max sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT MAX(id) FROM "+h.table(tandem.RunsTable)).Scan(&max); err != nil {
		return fmt.Errorf("start run: %w", err)
	}
	r.ID = max.Int64 + 1
	stmt := "INSERT INTO " + h.table(tandem.RunsTable) + " (id, environment, command, tag, started_at, status, user_name, host, tool_version, app_version, detail) VALUES (" + h.ph(1, 11) + ")"
	if _, err := q.ExecContext(ctx, stmt, r.ID, r.Environment, r.Command, r.Tag, r.Started.UTC(), r.Status, r.User, r.Host, r.Tool, r.App, r.Detail); err != nil {
		return fmt.Errorf("start run: %w", err)
	}
	return nil
}

// endRun records how a run ended.
func (h history) endRun(ctx context.Context, q tandem.Querier, r *tandem.Run) error {
	stmt := fmt.Sprintf("UPDATE %s SET ended_at = %s, status = %s, detail = %s WHERE id = %s", h.table(tandem.RunsTable),
		h.d.Placeholder(1), h.d.Placeholder(2), h.d.Placeholder(3), h.d.Placeholder(4))
	if _, err := q.ExecContext(ctx, stmt, r.Ended.UTC(), r.Status, r.Detail, r.ID); err != nil {
		return fmt.Errorf("end run %d: %w", r.ID, err)
	}
	return nil
}

// markInterrupted closes the runs left "running" by a process that died and returns them, as
// they were: the caller holds the lock, so no other run can be live. Each gets status
// "interrupted", ended_at now and a note in detail saying what happened.
func (h history) markInterrupted(ctx context.Context, q tandem.Querier, now time.Time) ([]tandem.Run, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+runColumns+" FROM "+h.table(tandem.RunsTable)+" WHERE status = 'running' ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("find interrupted runs: %w", err)
	}
	stale, err := scanRuns(rows)
	if err != nil {
		return nil, fmt.Errorf("find interrupted runs: %w", err)
	}
	stmt := fmt.Sprintf("UPDATE %s SET status = 'interrupted', ended_at = %s, detail = %s WHERE id = %s AND status = 'running'",
		h.table(tandem.RunsTable), h.d.Placeholder(1), h.d.Placeholder(2), h.d.Placeholder(3))
	for _, r := range stale {
		note := fmt.Sprintf("interrupted: the process ended without recording how the run ended; marked at %s by the next run to take the lock", now.UTC().Format(time.RFC3339))
		if r.Detail != "" {
			note += "\n" + r.Detail
		}
		if _, err := q.ExecContext(ctx, stmt, now.UTC(), note, r.ID); err != nil {
			return nil, fmt.Errorf("mark run %d interrupted: %w", r.ID, err)
		}
	}
	return stale, nil
}

// runs returns every run, oldest first.
func (h history) runs(ctx context.Context, q tandem.Querier) ([]tandem.Run, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+runColumns+" FROM "+h.table(tandem.RunsTable)+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read runs: %w", err)
	}
	return scanRuns(rows)
}

// scanRuns reads rows of runColumns and closes rows.
func scanRuns(rows *sql.Rows) ([]tandem.Run, error) {
	defer rows.Close()
	var out []tandem.Run
	for rows.Next() {
		var r tandem.Run
		var tag, user, host, tool, app, detail sql.NullString
		var started, ended timeValue
		if err := rows.Scan(&r.ID, &r.Environment, &r.Command, &tag, &started, &ended, &r.Status, &user, &host, &tool, &app, &detail); err != nil {
			return nil, fmt.Errorf("read runs: %w", err)
		}
		r.Tag, r.User, r.Host, r.Tool, r.App, r.Detail = tag.String, user.String, host.String, tool.String, app.String, detail.String
		r.Started, r.Ended = started.t, ended.t
		out = append(out, r)
	}
	return out, rows.Err()
}

// timeValue scans a timestamp from any of the three drivers: pgx and go-sql-driver (with
// parseTime) give time.Time; SQLite may give text.
type timeValue struct{ t time.Time }

func (v *timeValue) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		v.t = time.Time{}
	case time.Time:
		v.t = x
	case string:
		return v.parse(x)
	case []byte:
		return v.parse(string(x))
	default:
		return fmt.Errorf("unexpected timestamp %T", src)
	}
	return nil
}

func (v *timeValue) parse(s string) error {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			v.t = t
			return nil
		}
	}
	return fmt.Errorf("unreadable timestamp %q", s)
}
