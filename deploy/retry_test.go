package deploy_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/syncbuf"
)

// A change that waits for a table lock held by application traffic gives up after the lock
// timeout, instead of queueing the traffic behind it, and is retried until the lock is free.
func TestLockTimeoutRetries(t *testing.T) {
	forEachDB(t, func(t *testing.T, tg target) {
		if !tg.dialect.Capabilities().LockTimeout {
			t.Skipf("%s has no lock timeout", tg.name)
		}
		e := tg.engine(t)
		files := shop()
		deployOK(t, e, load(t, files), "")

		// Another session holds a lock on countries for a while.
		ctx := context.Background()
		holder, err := e.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Close()
		// PostgreSQL: an open transaction that read the table (AccessShare lock). MySQL: one that
		// updated it (a shared metadata lock). Either makes ALTER TABLE wait.
		touch := "SELECT COUNT(*) FROM " + tg.table("countries")
		if tg.name == "mysql" {
			touch = "UPDATE " + tg.table("countries") + " SET name = name"
		}
		if _, err := holder.ExecContext(ctx, "BEGIN"); err != nil {
			t.Fatal(err)
		}
		if _, err := holder.ExecContext(ctx, touch); err != nil {
			t.Fatal(err)
		}
		var logs syncbuf.Buffer
		// The lock is held until the deploy has given up on it once (at most 10s), not for a
		// fixed time: on a loaded machine a fixed time could end before the deploy even starts.
		go func() {
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) && !strings.Contains(logs.String(), "lock wait timed out; retrying") {
				time.Sleep(20 * time.Millisecond)
			}
			_, _ = holder.ExecContext(ctx, "COMMIT")
		}()

		e.Log = slog.New(slog.NewTextHandler(&logs, nil))
		e.LockTimeout = 300 * time.Millisecond
		e.Retries = 8
		files["app/table/countries.sql"].Data = append(files["app/table/countries.sql"].Data, []byte("\n-- tandem:change add_region\nalter table countries add column region varchar(20);\n")...)
		res := deployOK(t, e, load(t, files), "")
		equalStrings(t, "steps", actions(res), []string{"apply countries/add_region", "data countries"})
		if !strings.Contains(logs.String(), "lock wait timed out; retrying") {
			t.Errorf("the deploy did not retry after a lock timeout; log:\n%s", logs.String())
		}
	})
}
