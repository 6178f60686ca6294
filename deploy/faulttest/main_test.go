// Package faulttest checks that tandem deploys survive being killed and being run several at once.
//
// The tests drive the real tandem binary (built once by TestMain) against fresh SQLite,
// PostgreSQL and MariaDB databases from internal/testdb:
//
//   - TestKillAndRerun kills deploys with SIGKILL at random moments, reruns them, and checks
//     after every kill that the history never records a change that did not apply, and after
//     every finished deploy that schema and history equal those of an uninterrupted deploy.
//   - TestConcurrentDeploys starts 2, 4 and 8 deploys at once and checks that each change was
//     applied exactly once.
//
// go test ./deploy/faulttest -faults=50 raises the number of kills per database (default 5, to
// keep CI fast); -faultseed=N replays the kill delays of an earlier run (each run logs its seed).
package faulttest

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var (
	faults    = flag.Int("faults", 5, "how many deploys TestKillAndRerun kills on each database")
	faultSeed = flag.Uint64("faultseed", 0, "seed of the kill delays (0: taken from the clock and logged)")
)

// tandemBin is the tandem binary built for this run.
var tandemBin string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "tandem-faulttest-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "faulttest: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	tandemBin = filepath.Join(dir, "tandem")
	build := exec.Command("go", "build", "-o", tandemBin, "github.com/tandem-db/tandem/cmd/tandem")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "faulttest: build the tandem binary: %v\n", err)
		return 1
	}
	return m.Run()
}
