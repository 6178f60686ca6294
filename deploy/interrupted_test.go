package deploy_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/syncbuf"
)

// A run left "running" by a process that died is marked interrupted by the next run that takes
// the lock, on every engine: its history table takes the status, the run gets an end time and
// a note, and the log says so.
func TestRunLeftRunningIsMarkedInterrupted(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		ctx := context.Background()
		e := tg.engine(t)
		p := load(t, shop())
		deployOK(t, e, p, "v1")
		// What a deploy killed with kill -9 after it recorded its start leaves behind.
		runs := tg.historyTable(tandem.RunsTable)
		ins := "INSERT INTO " + runs + " (id, environment, command, tag, started_at, status, user_name, host) VALUES (2, 'test', 'deploy', '', " +
			tandem.Placeholders(tg.dialect, 1, 4) + ")"
		if _, err := e.DB.ExecContext(ctx, ins, time.Now().UTC(), "running", "ann", "build-7"); err != nil {
			t.Fatal(err)
		}
		var logs syncbuf.Buffer
		e.Log = slog.New(slog.NewTextHandler(&logs, nil))
		res := deployOK(t, e, p, "")
		if res.RunID != 3 {
			t.Errorf("run id %d, want 3", res.RunID)
		}
		if !strings.Contains(logs.String(), `level=WARN msg="run 2 (deploy) by ann@build-7 started at `) || !strings.Contains(logs.String(), "was interrupted") {
			t.Errorf("log does not warn about run 2:\n%s", logs.String())
		}
		st, err := e.Status(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Runs) != 3 {
			t.Fatalf("%d runs, want 3", len(st.Runs))
		}
		r := st.Runs[1]
		if r.Status != "interrupted" || r.Ended.IsZero() || !strings.HasPrefix(r.Detail, "interrupted: the process ended without recording how the run ended") {
			t.Errorf("run 2: status %q, ended %v, detail %q; want interrupted, a time, the note", r.Status, r.Ended, r.Detail)
		}
		if st.Runs[0].Status != "ok" || st.Runs[2].Status != "ok" {
			t.Errorf("runs 1 and 3: %q, %q; want ok, ok", st.Runs[0].Status, st.Runs[2].Status)
		}
	})
}
