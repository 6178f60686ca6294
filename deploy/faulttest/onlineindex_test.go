package faulttest

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/testdb"
)

// onlineIndexModel is a table with rows, and a change with transaction=off whose second
// statement builds an index concurrently.
func onlineIndexModel() *model {
	create := "create table t (id integer primary key, v text not null, w integer not null default 0);"
	fill := "insert into t select g, 'v' || g, 0 from generate_series(1, 5000) g;"
	mark := "update t set w = 1 where id = 1;"
	build := "create index concurrently t_v on t (v);"
	return &model{
		files: map[string]string{"app/table/t.sql": "-- tandem:change create\n" + create + "\n" + fill + "\n\n" +
			"-- tandem:change idx transaction=off\n" + mark + "\n" + build + "\n"},
		changes: []*change{
			{typ: tandem.Table, object: "t", name: "create", stmts: []probe{
				{stmt: create, query: func(d *database) string { return "SELECT COUNT(*) + 1 FROM " + d.object("t") }},
				{stmt: fill, query: func(d *database) string { return "SELECT COUNT(*) FROM " + d.object("t") }, want: 5000},
			}},
			{typ: tandem.Table, object: "t", name: "idx", stmts: []probe{
				{stmt: mark, query: func(d *database) string { return "SELECT COUNT(*) FROM " + d.object("t") + " WHERE w = 1" }},
				{stmt: build, alone: true, query: func(d *database) string { return d.indexQuery("t_v") }},
			}},
		},
	}
}

// TestKillDuringConcurrentIndex kills a deploy with SIGKILL while its CREATE INDEX
// CONCURRENTLY waits for an old snapshot (a long report query), at the moment a random kill
// is least likely to find. The server side of the killed deploy notices within a second that
// its client is gone and cancels the build, which leaves an invalid index. The history must
// not record the build, and the rerun must drop the invalid index and build a valid one:
//
//   - "rerun later": the rerun starts once the killed deploy's session has ended;
//   - "rerun at once": the rerun starts while the killed build is still running, and must wait
//     for it instead of judging the half-built index;
//   - "snapshot ends": the old transaction ends right after the kill, so the killed build may
//     complete on its own; the rerun must then count it as done, not build it again.
func TestKillDuringConcurrentIndex(t *testing.T) {
	var pg kind
	for _, k := range kinds {
		if k.name == "postgres" {
			pg = k
		}
	}
	for _, mode := range []string{"rerun later", "rerun at once", "snapshot ends"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			m := onlineIndexModel()
			y := newDatabase(t, pg, m)
			// The build must wait for the snapshot, not time out on it.
			yaml := filepath.Join(y.dir, "tandem.yaml")
			text, err := os.ReadFile(yaml)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(yaml, append(text, "    lock_timeout: 60s\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
			release := openSnapshot(ctx, t, y.url)

			cmd := y.tandem(ctx, "deploy")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(ctx, t, y.db, "the index build to wait for the old snapshot",
				"SELECT COUNT(*) FROM pg_stat_progress_create_index WHERE datname = current_database() AND phase LIKE 'waiting for old snapshots%'")
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()

			switch mode {
			case "snapshot ends":
				release()
			case "rerun later":
				waitFor(ctx, t, y.db, "the killed build to be cancelled",
					"SELECT 1 - COUNT(*) FROM pg_stat_progress_create_index WHERE datname = current_database()")
				var invalid int
				if err := y.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_index WHERE NOT indisvalid AND indexrelid = 'app.t_v'::regclass").Scan(&invalid); err != nil || invalid != 1 {
					t.Fatalf("the cancelled build did not leave the invalid index t_v (%d, %v): the scenario tests nothing", invalid, err)
				}
				if v, err := y.check(ctx, m); err != nil || len(v.bugs) > 0 {
					t.Fatalf("after the kill, the history disagrees with the database: %v %v", err, v.bugs)
				}
				release()
			case "rerun at once":
				go func() {
					time.Sleep(3 * time.Second)
					release()
				}()
			}

			o, err := y.deploy(ctx)
			if err != nil || o.code != 0 {
				t.Fatalf("the rerun failed (exit %d, %v):\n%s\nkilled deploy's output:\n%s", o.code, err, o.output, out.String())
			}
			v, err := y.check(ctx, m)
			if err != nil || len(v.bugs)+len(v.ahead) > 0 || v.records != len(m.changes) {
				t.Fatalf("after the rerun (%d records): %v %v %v\n%s", v.records, err, v.bugs, v.ahead, o.output)
			}
			var invalid int
			if err := y.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_index WHERE NOT indisvalid").Scan(&invalid); err != nil || invalid != 0 {
				t.Errorf("%d invalid indexes remain after the rerun (%v)", invalid, err)
			}
			events, err := y.eventCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if bad := once(events, m); len(bad) > 0 {
				t.Errorf("the changes were not applied exactly once:\n%s", strings.Join(bad, "\n"))
			}
			t.Logf("rerun output:\n%s", o.output)
		})
	}
}

// openSnapshot opens a connection of its own to url holding a REPEATABLE READ transaction
// that has taken its snapshot. release (or the test's end) ends the transaction.
func openSnapshot(ctx context.Context, t *testing.T, url string) (release func()) {
	t.Helper()
	db := testdb.Open(t, url)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"BEGIN ISOLATION LEVEL REPEATABLE READ", "SELECT 1"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_, _ = conn.ExecContext(ctx, "ROLLBACK")
			_ = conn.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// waitFor polls query, which returns a count, until it is positive, for up to 30 seconds.
func waitFor(ctx context.Context, t *testing.T, db *sql.DB, what, query string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := db.QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatalf("wait for %s: %v", what, err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after 30s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
