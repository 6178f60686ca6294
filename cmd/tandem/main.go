// Command tandem deploys database schemas kept in version control and keeps them in step with the
// code that uses them. Run "tandem help" for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/tandem-db/tandem/internal/dburl"
)

// Exit codes, documented in the README and in "tandem help".
const (
	exitOK       = 0 // the command did what was asked
	exitError    = 1 // the command failed; the message says why and what to do
	exitUsage    = 2 // the command line was wrong
	exitPending  = 3 // status --exit-code: changes are waiting to be deployed
	exitProblems = 4 // deployed changes were edited or deleted, a change is partly applied, or a migration is out of order
	exitLocked   = 5 // another deploy holds the lock
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(runInterruptible(os.Args[1:], os.Stdout, os.Stderr))
}

// runInterruptible runs a command line whose context ends on the first interrupt (Ctrl-C) or
// SIGTERM, so that a command stops cleanly (a backfill after its batch in flight); a second
// signal ends the process at once.
func runInterruptible(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the next signal takes its default action
	}()
	return run(ctx, args, stdout, stderr)
}

// command is one subcommand.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, c *cli, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"init", "[dir]", "create a new project (tandem.yaml and example objects)", cmdInit},
		{"plan", "[--out-of-order]", "print the SQL a deploy would run, in order, with the reason for each step", cmdPlan},
		{"deploy", "[--tag T] [--out-of-order]", "bring the database up to date with the project", cmdDeploy},
		{"status", "[--exit-code]", "show deployed, pending, edited and partly applied changes", cmdStatus},
		{"rollback", "--to RUN|TAG", "return the database to where it was after a run", cmdRollback},
		{"baseline", "", "record every pending change as deployed without running it (onboard a database)", cmdBaseline},
		{"rebaseline", "", "accept edits to deployed changes and forget deleted ones, without running anything", cmdRebaseline},
		{"clean", "", "drop every object in the project's schemas (only where the environment allows it)", cmdClean},
		{"graph", "[--explain OBJECT]", "print the dependency graph (Graphviz DOT) or explain one object's edges", cmdGraph},
		{"history", "", "list the runs recorded in the database", cmdHistory},
		{"move", "SUB NAME", "drive an online table move (tandem move alone lists the moves, tandem move help the SUBs)", cmdMove},
		{"version", "", "print the version", cmdVersion},
	}
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return exitOK
	}
	for _, cmd := range commands {
		if cmd.name != args[0] {
			continue
		}
		c := &cli{stdout: stdout, stderr: stderr, command: cmd.name}
		rest, err := c.parse(cmd, args[1:])
		if err != nil {
			if errors.Is(err, errHelp) {
				return exitOK
			}
			fmt.Fprintf(stderr, "tandem %s: %s (run \"tandem %s -h\" for its flags)\n", cmd.name, dburl.Scrub(err.Error()), cmd.name)
			return exitUsage
		}
		if maxArgs := strings.Count(cmd.args, "[dir]") + 2*strings.Count(cmd.args, "SUB NAME"); len(rest) > maxArgs {
			// The argument may be a URL given without --url.
			fmt.Fprintf(stderr, "tandem %s: unexpected argument %q (run \"tandem %s -h\" for its flags; the project folder is --project DIR)\n", cmd.name, dburl.Redact(rest[maxArgs]), cmd.name)
			return exitUsage
		}
		err = cmd.run(ctx, c, rest)
		return c.finish(err)
	}
	fmt.Fprintf(stderr, "tandem: unknown command %q; run \"tandem help\" for the list\n", dburl.Redact(args[0]))
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "tandem keeps a database and the code that uses it consistent.")
	fmt.Fprintln(w, "\nUsage: tandem <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %-20s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, `
Flags every command takes:
  --project DIR   the project folder, or a bare folder of numbered migrations (default: .)
  --env NAME      the environment in tandem.yaml (default: the first one)
  --url URL       the database, overriding the environment's: postgres://..., mysql://..., sqlite://path
  --json          print a JSON document for machines instead of text for people
  --lock-wait D   how long to wait for another deploy's lock (default 60s)
  --lock-timeout D  how long each statement may wait for a table lock before it is retried (default 5s)
  --app-version V the application version recorded in history (default $TANDEM_APP_VERSION)
  -v              log every step

tandem move SUB NAME drives the move in moves/NAME.yaml; SUB is check, start, advance, rollback,
backfill, verify, repair, tune, pause, resume or status ("tandem move help" describes each);
tandem move (or move list) lists every move with its phase and problems. Its flags:
  --force --reason R  advance past a gate that is not met, saying why (recorded)
  --confirm       advance into complete, which cannot be undone
  --ack-timeout D how long to wait for every instance to acknowledge a phase (default 2m)
  --grace D       wait after the acknowledgements, for requests under the old switches (default 5s; 0: none)
  --metrics ADDR  backfill: serve Prometheus metrics at http://ADDR/metrics while it runs
  --progress-every D  backfill: least time between two progress lines in a log or with --json (default 2s)
backfill shows a progress bar when stderr is a terminal, log lines otherwise (JSON with --json).

Exit codes: 0 ok, 1 error, 2 bad command line, 3 pending changes (status --exit-code),
4 edited/deleted/partly applied/out-of-order changes, 5 another deploy holds the lock.

With no environment in tandem.yaml, tandem deploys to an SQLite file in the project: .tandem/default.db.`)
}
