// Command tandem deploys database schemas kept in version control and keeps them in step with the
// code that uses them. Run "tandem help" for the commands.
//
// The command line is parsed by github.com/spf13/cobra (see root.go for why cobra).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, documented in the README and in "tandem help".
const (
	exitOK       = 0 // the command did what was asked
	exitError    = 1 // the command failed; the message says why and what to do
	exitUsage    = 2 // the command line was wrong
	exitPending  = 3 // status --exit-code: changes are waiting to be deployed
	exitProblems = 4 // deployed changes were edited or deleted, a change is partly applied, a migration is out of order, or a change file cannot run
	exitLocked   = 5 // another deploy holds the lock
)

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

// command is one subcommand; root.go turns the list into the command tree.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, c *cli, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"init", "[dir]", "create a new project (tandem.yaml and example objects)", cmdInit},
		{"plan", "[--out-of-order] [--rollback-to RUN|TAG]", "print the SQL a deploy (or a rollback --to) would run, in order, with the reason for each step", cmdPlan},
		{"deploy", "[--tag T] [--out-of-order] [--onboarding]", "bring the database up to date with the project", cmdDeploy},
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
