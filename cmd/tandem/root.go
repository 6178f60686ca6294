package main

// The command line is parsed by github.com/spf13/cobra (with spf13/pflag for GNU-style flags).
// Cobra rather than kong: it generates bash, zsh, fish (and PowerShell) completion itself, with
// dynamic completion of move and environment names through the same binary; it accepts the
// global (persistent) flags before or after the command, and provides "help CMD" and
// --version. Kong needs a third-party module for completion (jotaen/kong-completion v0.0.x or
// willabides/kongplete, both pre-1.0, built on posener/complete), which adds a dependency and
// still gives no zsh/fish script of its own. The hand-written parser lacked all of this.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandem-db/tandem/internal/dburl"
)

// unknownCommand is a command name tandem does not have.
type unknownCommand struct{ name string }

func (e unknownCommand) Error() string {
	return fmt.Sprintf("unknown command %q; run \"tandem help\" for the list", dburl.Redact(e.name))
}

// unexpectedArg is a positional argument a command does not take.
type unexpectedArg struct{ command, arg string }

func (e unexpectedArg) Error() string {
	// The argument may be a URL given without --url.
	return fmt.Sprintf("unexpected argument %q (run \"tandem %s -h\" for its flags; the project folder is --project DIR)", dburl.Redact(e.arg), e.command)
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := &cli{stdout: stdout, stderr: stderr}
	// A URL from the environment is a secret even where tandem does not use it.
	c.secrets.add(os.Getenv(envURL))
	c.secrets.add(os.Getenv(envDatabase))
	root := newRoot(ctx, c)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err != nil {
		return c.commandLineError(cmd, err)
	}
	if c.ran {
		return c.finish(c.err)
	}
	return c.code
}

// commandLineError prints why the command line cannot run, once, and returns exit code 2.
func (c *cli) commandLineError(cmd *cobra.Command, err error) int {
	name := commandName(cmd)
	var uc unknownCommand
	var ua unexpectedArg
	if errors.As(err, new(usageError)) {
		// Said by tandem's own checks of the arguments and flags (moveNameArg,
		// misplacedMoveFlag): printed as a command's usage error, in JSON too with --json.
		c.command = name
		return c.finish(err)
	}
	switch {
	case errors.As(err, &uc):
		fmt.Fprintf(c.stderr, "tandem: %s\n", c.scrub(err.Error()))
	case errors.As(err, &ua):
		fmt.Fprintf(c.stderr, "tandem %s: %s\n", name, c.scrub(err.Error()))
	case name == "":
		fmt.Fprintf(c.stderr, "tandem: %s (run \"tandem -h\" for the flags)\n", c.scrub(err.Error()))
	default:
		fmt.Fprintf(c.stderr, "tandem %s: %s (run \"tandem %s -h\" for its flags)\n", name, c.scrub(err.Error()), name)
	}
	return exitUsage
}

// commandName is the command's path without "tandem": "deploy", "move advance"; "" for the
// root.
func commandName(cmd *cobra.Command) string {
	if cmd == nil || !cmd.HasParent() {
		return ""
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// maxArgs refuses more than n positional arguments.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return unexpectedArg{commandName(cmd), args[n]}
		}
		return nil
	}
}

// newRoot builds the command tree around c, which receives the global flags; every command's
// body is a runner of its own (moveSubcommands' for tandem move), which receives its flags.
func newRoot(ctx context.Context, c *cli) *cobra.Command {
	cobra.EnableCommandSorting = false // the commands in the order of the list, not alphabetical
	root := &cobra.Command{
		Use:     "tandem",
		Short:   "tandem keeps a database and the code that uses it consistent.",
		Version: toolVersion(),
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand{args[0]}
			}
			return nil
		},
		// Bare tandem: the usage, on stderr, exit code 2.
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(c.stderr)
			c.code = exitUsage
			return cmd.Help()
		},
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	root.SetVersionTemplate("tandem {{.Version}}\n")
	c.globalFlags(root.PersistentFlags())
	c.completeGlobalFlags(root)
	for _, spec := range commands {
		if spec.name == "move" {
			root.AddCommand(c.moveCommand(ctx, spec))
			continue
		}
		root.AddCommand(c.newCommand(ctx, spec))
	}
	root.SetHelpCommand(helpCommand())
	root.InitDefaultVersionFlag() // after -v is taken by --verbose
	root.InitDefaultCompletionCmd()
	if comp, _, err := root.Find([]string{"completion"}); err == nil && comp != root {
		comp.Short = "print the shell completion script: bash, zsh, fish or powershell"
	}
	walk(root, func(cmd *cobra.Command) {
		// Defined now rather than when the command runs, so that "tandem help CMD" lists
		// them as "tandem CMD --help" does.
		cmd.InitDefaultHelpFlag()
		cmd.SetUsageTemplate(usageTemplate)
		cmd.SetHelpTemplate(helpTemplate)
	})
	return root
}

// newCommand builds one command (not move) from its entry in commands.
func (c *cli) newCommand(ctx context.Context, spec command) *cobra.Command {
	use := spec.name
	if spec.args != "" {
		use += " " + spec.args
	}
	body := spec.newRunner()
	cmd := &cobra.Command{
		Use:   use,
		Short: spec.summary,
		Args:  spec.positional,
		RunE: func(cmd *cobra.Command, args []string) error {
			c.start(cmd)
			c.err = body.run(ctx, c, args)
			return nil
		},
	}
	cmd.ValidArgsFunction = cobra.NoFileCompletions
	if spec.name == "init" {
		cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		}
	}
	body.flags(cmd.Flags())
	return cmd
}

// start records that a command runs, and applies the environment variables to its flags.
func (c *cli) start(cmd *cobra.Command) {
	c.ran = true
	c.command = commandName(cmd)
	c.bindEnv(cmd)
}

// helpCommand is "tandem help [command]": the command's help on stdout, as with --help; an
// unknown command is a usage error.
func helpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "print the help of tandem or of a command (as tandem CMD --help)",
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			target, _, err := cmd.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, sub := range target.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name()+"\t"+sub.Short)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return unknownCommand{strings.Join(args, " ")}
			}
			target.SetOut(cmd.OutOrStdout())
			return target.Help()
		},
	}
}

// walk calls f for cmd and every command below it.
func walk(cmd *cobra.Command, f func(*cobra.Command)) {
	f(cmd)
	for _, sub := range cmd.Commands() {
		walk(sub, f)
	}
}
