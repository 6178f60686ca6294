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

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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

// runner is the body of one command: it defines its own flags, bound into the options it
// passes to the library, and runs with them once cobra has parsed the command line.
type runner interface {
	flags(fs *pflag.FlagSet)
	run(ctx context.Context, c *cli, args []string) error
}

// command is one subcommand; root.go turns the list into the command tree.
type command struct {
	name, args, summary string
	// positional checks the arguments (cobra's Args).
	positional cobra.PositionalArgs
	// newRunner makes the command's body, with its flags at their defaults, once per
	// command line.
	newRunner func() runner
}

var commands []command

func init() {
	commands = []command{
		{"init", "[dir]", "create a new project (tandem.yaml and example objects)", maxArgs(1), func() runner { return &initCmd{} }},
		{"plan", "[--out-of-order] [--rollback-to RUN|TAG]", "print the SQL a deploy (or a rollback --to) would run, in order, with the reason for each step", maxArgs(0), func() runner { return &planCmd{} }},
		{"deploy", "[--tag T] [--out-of-order] [--onboarding]", "bring the database up to date with the project", maxArgs(0), func() runner { return &deployCmd{} }},
		{"status", "[--exit-code]", "show deployed, pending, edited and partly applied changes", maxArgs(0), func() runner { return &statusCmd{} }},
		{"rollback", "--to RUN|TAG", "return the database to where it was after a run", maxArgs(0), func() runner { return &rollbackCmd{} }},
		{"baseline", "", "record every pending change as deployed without running it (onboard a database)", maxArgs(0), plain(cmdBaseline)},
		{"rebaseline", "", "accept edits to deployed changes and forget deleted ones, without running anything", maxArgs(0), plain(cmdRebaseline)},
		{"clean", "", "drop every object in the project's schemas (only where the environment allows it)", maxArgs(0), plain(cmdClean)},
		{"graph", "[--explain OBJECT]", "print the dependency graph (Graphviz DOT) or explain one object's edges", maxArgs(0), func() runner { return &graphCmd{} }},
		{"history", "", "list the runs recorded in the database", maxArgs(0), plain(cmdHistory)},
		{"move", "SUB NAME", "drive an online table move (tandem move alone lists the moves, tandem move help the SUBs)", cobra.ArbitraryArgs, nil},
		{"version", "", "print the version", maxArgs(0), plain(cmdVersion)},
	}
}

// plainCmd is a command without flags of its own.
type plainCmd func(ctx context.Context, c *cli, args []string) error

func (plainCmd) flags(*pflag.FlagSet) {}

func (f plainCmd) run(ctx context.Context, c *cli, args []string) error { return f(ctx, c, args) }

// plain makes the runner of a command without flags of its own.
func plain(f plainCmd) func() runner { return func() runner { return f } }
