package deploy_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/internal/syncbuf"
	"github.com/tandem-db/tandem/internal/testdb"
)

// indexTarget is a fresh PostgreSQL database with the users table of indexProject deployed.
func indexTarget(t *testing.T, d tandem.Dialect) (target, *deploy.Engine) {
	t.Helper()
	tg := target{name: "postgres", url: testdb.Postgres(t), dialect: d, schema: "app"}
	e := tg.engine(t)
	deployOK(t, e, load(t, indexProject("")), "")
	return tg, e
}

// indexProject is a users table with 2,000 rows, and more changes of the table.
func indexProject(more string) fstest.MapFS {
	return fstest.MapFS{
		"tandem.yaml": {Data: []byte("schemas: [app]\n")},
		"app/table/users.sql": {Data: []byte(`-- tandem:change create
create table users (id bigint primary key, email text not null, nick text);
insert into users select g, 'u' || g || '@example.com', 'n' || g from generate_series(1, 2000) g;
` + more)},
	}
}

// holdSnapshot opens a REPEATABLE READ transaction that has taken its snapshot, as a long
// report query does: CREATE INDEX CONCURRENTLY waits for it to end before it can finish. The
// transaction ends when release is called (or the test ends).
func holdSnapshot(t *testing.T, db *sql.DB) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"BEGIN ISOLATION LEVEL REPEATABLE READ", "SELECT 1"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var once atomic.Bool
	release = func() {
		if once.CompareAndSwap(false, true) {
			_, _ = conn.ExecContext(ctx, "COMMIT")
			_ = conn.Close()
		}
	}
	t.Cleanup(release)
	return release
}

// indexes lists the indexes of app.users with their validity, "name:valid" or "name:INVALID".
func indexes(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'app.users'::regclass ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		var valid bool
		if err := rows.Scan(&name, &valid); err != nil {
			t.Fatal(err)
		}
		if valid {
			out = append(out, name+":valid")
		} else {
			out = append(out, name+":INVALID")
		}
	}
	return out
}

// recorded returns the status and progress of the history row of a change of users, or "none".
func recorded(t *testing.T, tg target, e *deploy.Engine, change string) string {
	t.Helper()
	var status string
	var done int
	err := e.DB.QueryRow("SELECT status, done FROM "+tg.historyTable("tandem_changes")+
		" WHERE object_name = 'users' AND change_name = $1", change).Scan(&status, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return "none"
	}
	if err != nil {
		t.Fatal(err)
	}
	if status == string(tandem.Partial) {
		return fmt.Sprintf("%s %d", status, done)
	}
	return status
}

func deployErr(t *testing.T, e *deploy.Engine, p *tandem.Project) error {
	t.Helper()
	_, err := e.Deploy(context.Background(), p, deploy.Options{})
	if err == nil {
		t.Fatal("deploy succeeded; want an error")
	}
	return err
}

// A CREATE INDEX CONCURRENTLY cancelled by the lock timeout, while an older transaction is open,
// leaves no invalid index behind and nothing recorded, whether or not it says IF NOT EXISTS, and
// the next deploy (once the transaction is gone) builds a valid index.
func TestConcurrentIndexTimedOut(t *testing.T) {
	for _, ifNotExists := range []string{"", "if not exists "} {
		t.Run("create index concurrently "+ifNotExists, func(t *testing.T) {
			tg, e := indexTarget(t, postgres.New())
			release := holdSnapshot(t, e.DB)
			e.LockTimeout = 300 * time.Millisecond
			e.Retries = 2
			files := indexProject("-- tandem:change email_idx transaction=off\ncreate unique index concurrently " + ifNotExists + "users_email on users (email);\n")
			err := deployErr(t, e, load(t, files))
			msg := err.Error()
			for _, want := range []string{"lock timeout", "the failed build left app.users_email invalid; tandem dropped it", "nothing of this step was recorded"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the error does not say %q:\n%s", want, msg)
				}
			}
			equalStrings(t, "indexes after the failed deploy", indexes(t, e.DB), []string{"users_pkey:valid"})
			if got := recorded(t, tg, e, "email_idx"); got != "none" {
				t.Errorf("history of email_idx after the failed deploy: %s, want none", got)
			}

			release()
			deployOK(t, e, load(t, files), "")
			equalStrings(t, "indexes after the second deploy", indexes(t, e.DB), []string{"users_email:valid", "users_pkey:valid"})
			if got := recorded(t, tg, e, "email_idx"); got != "applied" {
				t.Errorf("history of email_idx: %s, want applied", got)
			}
		})
	}
}

// A build that times out is retried after dropping what it left, and succeeds once the old
// transaction ends; the retry's warning says the first statement of the change stays recorded.
func TestConcurrentIndexRetried(t *testing.T) {
	tg, e := indexTarget(t, postgres.New())
	release := holdSnapshot(t, e.DB)
	go func() {
		time.Sleep(1500 * time.Millisecond)
		release()
	}()
	var logs syncbuf.Buffer
	e.Log = slog.New(slog.NewTextHandler(&logs, nil))
	e.LockTimeout = 300 * time.Millisecond
	e.Retries = 8
	files := indexProject(`-- tandem:change nick_idx transaction=off
update users set nick = upper(nick);
create index concurrently users_nick on users (nick);
`)
	deployOK(t, e, load(t, files), "")
	equalStrings(t, "indexes", indexes(t, e.DB), []string{"users_nick:valid", "users_pkey:valid"})
	if got := recorded(t, tg, e, "nick_idx"); got != "applied" {
		t.Errorf("history of nick_idx: %s, want applied", got)
	}
	log := logs.String()
	for _, want := range []string{"lock wait timed out; retrying", "tandem dropped it", "statement 2 of 2", "statements 1-1 were applied and are recorded as partly applied"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "nothing of this step was recorded") {
		t.Errorf("the log claims nothing was recorded, but statement 1 was:\n%s", log)
	}
}

// makeInvalidIndex leaves an invalid index named name on app.users, as an interrupted build
// does: a CREATE INDEX CONCURRENTLY cancelled by its lock timeout while a snapshot is held.
func makeInvalidIndex(t *testing.T, db *sql.DB, name string) {
	t.Helper()
	release := holdSnapshot(t, db)
	defer release()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET lock_timeout = '200ms'"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "CREATE INDEX CONCURRENTLY "+name+" ON app.users (email)"); err == nil {
		t.Fatal("the index build did not time out")
	}
	if got := indexes(t, db); !strings.Contains(strings.Join(got, " "), name+":INVALID") {
		t.Fatalf("no invalid index %s was left: %v", name, got)
	}
}

// An invalid index of the name a build creates (an earlier build interrupted) is dropped and
// built again: without IF NOT EXISTS the build no longer fails on "already exists", and with it
// the build no longer "succeeds" leaving the invalid index.
func TestConcurrentIndexReplacesInvalidLeftover(t *testing.T) {
	for _, ifNotExists := range []string{"", "if not exists "} {
		t.Run("create index concurrently "+ifNotExists, func(t *testing.T) {
			tg, e := indexTarget(t, postgres.New())
			makeInvalidIndex(t, e.DB, "users_email")
			var logs syncbuf.Buffer
			e.Log = slog.New(slog.NewTextHandler(&logs, nil))
			files := indexProject("-- tandem:change email_idx transaction=off\ncreate index concurrently " + ifNotExists + "users_email on users (email);\n")
			deployOK(t, e, load(t, files), "")
			equalStrings(t, "indexes", indexes(t, e.DB), []string{"users_email:valid", "users_pkey:valid"})
			if got := recorded(t, tg, e, "email_idx"); got != "applied" {
				t.Errorf("history of email_idx: %s, want applied", got)
			}
			if !strings.Contains(logs.String(), "an invalid index of the name this build creates exists") {
				t.Errorf("the log does not say the leftover was dropped:\n%s", logs.String())
			}
		})
	}
}

// firstDropsFail is PostgreSQL whose first n index drops do nothing, so that a leftover survives
// into the build and the engine's check after the build is what catches it.
type firstDropsFail struct {
	postgres.Dialect
	noop, fail atomic.Int32
}

func (d *firstDropsFail) DropIndex(index string) string {
	if d.noop.Add(-1) >= 0 {
		return "SELECT 1"
	}
	if d.fail.Add(-1) >= 0 {
		return "SELECT 1/0"
	}
	return d.Dialect.DropIndex(index)
}

// A build that reports success while its index is invalid (IF NOT EXISTS next to an invalid
// leftover that was not dropped) fails the change: the invalid index is dropped, nothing is
// recorded, and the next deploy builds it.
func TestConcurrentIndexSuccessButInvalid(t *testing.T) {
	d := &firstDropsFail{Dialect: postgres.New()}
	tg, e := indexTarget(t, d)
	makeInvalidIndex(t, e.DB, "users_email")
	d.noop.Store(1)
	files := indexProject("-- tandem:change email_idx transaction=off\ncreate index concurrently if not exists users_email on users (email);\n")
	err := deployErr(t, e, load(t, files))
	for _, want := range []string{"the build reported success but left app.users_email invalid", "tandem dropped it", "nothing of this step was recorded"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	equalStrings(t, "indexes after the failed deploy", indexes(t, e.DB), []string{"users_pkey:valid"})
	if got := recorded(t, tg, e, "email_idx"); got != "none" {
		t.Errorf("history of email_idx: %s, want none", got)
	}
	deployOK(t, e, load(t, files), "")
	equalStrings(t, "indexes", indexes(t, e.DB), []string{"users_email:valid", "users_pkey:valid"})
}

// When the invalid leftover cannot be dropped, the deploy stops before the build, records
// nothing, and says which statement drops it by hand.
func TestConcurrentIndexLeftoverNotDropped(t *testing.T) {
	d := &firstDropsFail{Dialect: postgres.New()}
	tg, e := indexTarget(t, d)
	makeInvalidIndex(t, e.DB, "users_email")
	d.fail.Store(1)
	files := indexProject("-- tandem:change email_idx transaction=off\ncreate index concurrently if not exists users_email on users (email);\n")
	err := deployErr(t, e, load(t, files))
	for _, want := range []string{"drop the invalid index app.users_email left by an earlier build", "division by zero",
		"drop it before deploying again: DROP INDEX CONCURRENTLY IF EXISTS app.users_email", "nothing of this step was recorded"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	if got := recorded(t, tg, e, "email_idx"); got != "none" {
		t.Errorf("history of email_idx: %s, want none", got)
	}
	equalStrings(t, "indexes", indexes(t, e.DB), []string{"users_email:INVALID", "users_pkey:valid"})
}

// REINDEX CONCURRENTLY that times out leaves its invalid _ccnew copy, which is dropped.
func TestReindexConcurrentlyTimedOut(t *testing.T) {
	tg, e := indexTarget(t, postgres.New())
	deployOK(t, e, load(t, indexProject("-- tandem:change nick_idx transaction=off\ncreate index concurrently users_nick on users (nick);\n")), "")
	release := holdSnapshot(t, e.DB)
	defer release()
	e.LockTimeout = 300 * time.Millisecond
	e.Retries = -1
	files := indexProject("-- tandem:change nick_idx transaction=off\ncreate index concurrently users_nick on users (nick);\n" +
		"-- tandem:change rebuild transaction=off\nreindex index concurrently users_nick;\n")
	err := deployErr(t, e, load(t, files))
	if !strings.Contains(err.Error(), "the failed build left app.users_nick_ccnew invalid; tandem dropped it") {
		t.Errorf("the error does not name the dropped copy:\n%v", err)
	}
	equalStrings(t, "indexes", indexes(t, e.DB), []string{"users_nick:valid", "users_pkey:valid"})
	if got := recorded(t, tg, e, "rebuild"); got != "none" {
		t.Errorf("history of rebuild: %s, want none", got)
	}
}
