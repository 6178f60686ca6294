package move

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/internal/syncbuf"
	"github.com/tandem-db/tandem/project"
)

var kills = flag.Int("kills", 10, "how many times TestBackfillKilled kills the backfill")

// The kill test re-runs the test binary as a backfill process, selected by these variables.
const (
	helperEnv  = "TANDEM_MOVE_HELPER" // the target's name
	helperAEnv = "TANDEM_MOVE_A"      // A's URL
	helperBEnv = "TANDEM_MOVE_B"      // B's URL
	helperWEnv = "TANDEM_MOVE_WORKERS"
)

// runHelper runs a backfill of the fixture to the end in this process, with tiny batches so
// that a kill lands in the middle of many of them.
func runHelper() int {
	tg, ok := targetNamed(os.Getenv(helperEnv))
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown target", os.Getenv(helperEnv))
		return 2
	}
	open := func(raw string) *sql.DB {
		u, err := dburl.Parse(raw, "")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		db, err := sql.Open(u.Driver, u.DSN)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return db
	}
	def, err := project.ParseMove("moves/users_to_accounts.yaml", []byte(fixtureYAML))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	a, b := tg.sides(open(os.Getenv(helperAEnv)), open(os.Getenv(helperBEnv)))
	m := &Move{Def: def, A: a, B: b, Shared: tg.shared}
	workers, _ := strconv.Atoi(os.Getenv(helperWEnv))
	bf := &Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 10, Target: time.Nanosecond}, Parts: 4, Workers: workers}
	if err := bf.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestBackfillKilled kills a backfill process (SIGKILL) at random moments, then finishes the
// backfill: B must equal mapping(A) exactly, and the checkpoint must count every row once. The
// backfill has four parts; every other process copies two at once.
func TestBackfillKilled(t *testing.T) {
	const rows = 20000
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			ua, ub := tg.urls(t)
			a, b := tg.sides(testdbOpen(t, ua), testdbOpen(t, ub))
			def, err := project.ParseMove("moves/users_to_accounts.yaml", []byte(fixtureYAML))
			if err != nil {
				t.Fatal(err)
			}
			m := setupMove(t, tg, def, a, b)
			insertUsers(t, m.A, 1, rows)
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			killed := 0
			for i := 0; i < *kills; i++ {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), helperEnv+"="+tg.name, helperAEnv+"="+ua, helperBEnv+"="+ub, fmt.Sprintf("%s=%d", helperWEnv, 1+i%2))
				var stderr syncbuf.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Duration(50+rand.IntN(250)) * time.Millisecond)
				if err := cmd.Process.Signal(syscall.SIGKILL); err == nil {
					killed++
				}
				midway := killed
				err := cmd.Wait()
				if ee, ok := err.(*exec.ExitError); ok && !ee.Sys().(syscall.WaitStatus).Signaled() {
					t.Fatalf("backfill process failed: %v\n%s", err, stderr.String())
				}
				// The dead client's server session may still be finishing a COMMIT it sent
				// before the kill; batch and checkpoint commit together, so once it is done the
				// two agree. Compare until they settle (2s at most).
				var cp Checkpoint
				var got int64
				for settle := 0; settle < 20; settle++ {
					if cp, err = m.Checkpoint(ctx); err != nil {
						t.Fatal(err)
					}
					if got = int64(len(readAccounts(t, m.B))); got == cp.RowsCopied {
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				if got != cp.RowsCopied {
					t.Fatalf("after kill %d: B has %d rows, the checkpoint says %d were copied", i+1, got, cp.RowsCopied)
				}
				if cp.Done {
					// The backfill finished before this kill: kills before it landed mid-way.
					killed = midway - 1
					break
				}
			}
			cp, _ := m.Checkpoint(ctx)
			t.Logf("%d kills mid-way; %d of %d rows copied before the last run", killed, cp.RowsCopied, rows)
			if killed < min(*kills, 5) {
				t.Fatalf("only %d kills landed mid-way (checkpoint %+v); the test proves little", killed, cp)
			}
			if err := (&Backfiller{Move: m}).Run(ctx); err != nil {
				t.Fatal(err)
			}
			cp, _ = m.Checkpoint(ctx)
			if !cp.Done || cp.RowsCopied != rows || cp.RowsScanned != rows {
				t.Fatalf("final checkpoint %+v; want %d rows copied and scanned, each once", cp, rows)
			}
			diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
		})
	}
}
