package dialecttest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

// The history columns as documented on tandem.Record, tandem.Event and tandem.Run.
var historyColumns = map[string][]string{
	tandem.ChangesTable: {"object_schema", "object_type", "object_name", "change_name", "hash", "status", "done", "done_hash",
		"rollback_sql", "definition", "run_id", "applied_at", "applied_by", "tool_version", "app_version", "file", "kind"},
	tandem.EventsTable: {"id", "run_id", "action", "object_schema", "object_type", "object_name", "change_name", "hash",
		"sql_text", "rollback_sql", "at", "kind"},
	tandem.RunsTable: {"id", "environment", "command", "tag", "started_at", "ended_at", "status", "user_name", "host",
		"tool_version", "app_version", "detail"},
}

func (s *suite) insert(t *testing.T, table string, cols []string, args ...any) error {
	t.Helper()
	ph := make([]string, len(cols))
	for i := range cols {
		ph[i] = s.d.Placeholder(i + 1)
	}
	q := "INSERT INTO " + s.d.Qualify(s.schema, table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ")"
	_, err := s.db.ExecContext(ctxT(t), q, args...)
	return err
}

func (s *suite) testHistory(t *testing.T) {
	ctx := ctxT(t)
	for round := 1; round <= 2; round++ { // idempotent
		for _, st := range s.d.HistoryDDL(s.schema) {
			if _, err := s.db.ExecContext(ctx, st); err != nil {
				t.Fatalf("HistoryDDL round %d: %s: %v", round, st, err)
			}
		}
	}
	for table, want := range historyColumns {
		cols, err := s.d.Columns(ctx, s.db, s.schema, table)
		if err != nil {
			t.Fatalf("Columns(%s): %v", table, err)
		}
		var got []string
		for _, c := range cols {
			got = append(got, c.Name)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("columns of %s (-documented +created):\n%s", table, diff)
		}
	}
	at := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	big := strings.Repeat("SELECT 'ünïcødé';\n", 10000) // beyond any VARCHAR
	t.Run("runs", func(t *testing.T) {
		cols := historyColumns[tandem.RunsTable][1:]
		if err := s.insert(t, tandem.RunsTable, cols, "prod", "deploy", "v1", at, nil, "running", "ann", "db1", "0.1", "app-2", big); err != nil {
			t.Fatal(err)
		}
		if err := s.insert(t, tandem.RunsTable, cols, "prod", "deploy", "", at, at.Add(time.Minute), "ok", "", "", "", "", ""); err != nil {
			t.Fatal(err)
		}
		rows, err := s.db.QueryContext(ctx, "SELECT id, environment, started_at, ended_at, detail FROM "+s.d.Qualify(s.schema, tandem.RunsTable)+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		var summary []string
		for rows.Next() {
			var (
				id      int64
				env     string
				started time.Time
				ended   *time.Time
				detail  string
			)
			if err := rows.Scan(&id, &env, &started, &ended, &detail); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			summary = append(summary, fmt.Sprintf("%s %v %v %d", env, started.Equal(at), ended != nil && ended.Equal(at.Add(time.Minute)), len(detail)))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 2 || ids[0] >= ids[1] {
			t.Errorf("run ids %v, want two ascending", ids)
		}
		want := []string{fmt.Sprintf("prod true false %d", len(big)), "prod true true 0"}
		if diff := cmp.Diff(want, summary); diff != "" {
			t.Errorf("runs read back (-want +got):\n%s", diff)
		}
	})
	t.Run("changes", func(t *testing.T) {
		cols := historyColumns[tandem.ChangesTable]
		row := []any{"sales", "table", "orders", "init", "h1", "applied", 0, "", "DROP TABLE orders", big, int64(1), at, "ann", "0.1", "", "sales/table/orders.sql", "change"}
		if err := s.insert(t, tandem.ChangesTable, cols, row...); err != nil {
			t.Fatal(err)
		}
		if err := s.insert(t, tandem.ChangesTable, cols, row...); err == nil {
			t.Errorf("a second row with the same (object_schema, object_type, object_name, change_name) was accepted")
		}
		row[3] = "Init" // names compare exactly
		if err := s.insert(t, tandem.ChangesTable, cols, row...); err != nil {
			t.Errorf("change names differing in case: %v", err)
		}
		var (
			def     string
			applied time.Time
			done    int
			status  string
		)
		q := "SELECT definition, applied_at, done, status FROM " + s.d.Qualify(s.schema, tandem.ChangesTable) +
			" WHERE object_name = " + s.d.Placeholder(1) + " AND change_name = " + s.d.Placeholder(2)
		if err := s.db.QueryRowContext(ctx, q, "orders", "init").Scan(&def, &applied, &done, &status); err != nil {
			t.Fatal(err)
		}
		if def != big || !applied.Equal(at) || done != 0 || status != "applied" {
			t.Errorf("read back definition of %d bytes, applied_at %v, done %d, status %q", len(def), applied, done, status)
		}
	})
	t.Run("events", func(t *testing.T) {
		cols := historyColumns[tandem.EventsTable][1:]
		for i := range 3 {
			if err := s.insert(t, tandem.EventsTable, cols, int64(1), "apply", "sales", "table", "orders", fmt.Sprint("c", i), "h", big, "", at, "change"); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := s.db.QueryContext(ctx, "SELECT id, change_name, at FROM "+s.d.Qualify(s.schema, tandem.EventsTable)+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		var last int64
		for rows.Next() {
			var (
				id     int64
				change string
				when   time.Time
			)
			if err := rows.Scan(&id, &change, &when); err != nil {
				t.Fatal(err)
			}
			if id <= last {
				t.Errorf("event ids not ascending: %d after %d", id, last)
			}
			last = id
			got = append(got, fmt.Sprint(change, " ", when.Equal(at)))
		}
		if diff := cmp.Diff([]string{"c0 true", "c1 true", "c2 true"}, got); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
}
