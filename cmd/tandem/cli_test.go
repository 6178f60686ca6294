package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// cmdPasswd sets a variable to a URL from another one with a password in its user info, for
// scripts that check the password is never printed:
//
//	passwd NAME FROM PASSWORD
func cmdPasswd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: passwd NAME FROM PASSWORD")
	}
	u, err := url.Parse(ts.Getenv(args[1]))
	if err != nil || u.User == nil {
		ts.Fatalf("passwd: $%s is not a URL with a user: %v", args[1], err)
	}
	u.User = url.UserPassword(u.User.Username(), args[2])
	ts.Setenv(args[0], u.String())
}

// TestEveryFlagInHelp walks the command tree: every flag of every command has a usage string
// and appears, as --name, in the output of "tandem CMD --help" and of "tandem help CMD"; a
// hidden flag (a move flag on a subcommand it does not apply to) is listed by another move
// subcommand.
func TestEveryFlagInHelp(t *testing.T) {
	root := newRoot(context.Background(), &cli{})
	shown := map[string]bool{} // move flags some subcommand lists
	var hidden []string
	walk(root, func(cmd *cobra.Command) {
		if cmd.Hidden || cmd.Name() == "__complete" || cmd.Name() == "__completeNoDesc" {
			return
		}
		path := strings.Fields(cmd.CommandPath())[1:]
		name := strings.Join(path, " ")
		helpOut := runHelp(t, append(append([]string{}, path...), "--help"))
		byHelp := runHelp(t, append([]string{"help"}, path...))
		if helpOut != byHelp {
			t.Errorf("tandem %s --help and tandem help %s differ:\n%s\n---\n%s", name, name, helpOut, byHelp)
		}
		check := func(f *pflag.Flag) {
			if f.Usage == "" {
				t.Errorf("tandem %s: flag --%s has no usage string", name, f.Name)
			}
			if f.Hidden {
				hidden = append(hidden, f.Name)
				if strings.Contains(helpOut, "--"+f.Name+" ") {
					t.Errorf("tandem %s --help lists --%s, which does not apply to it", name, f.Name)
				}
				return
			}
			shown[f.Name] = true
			if !strings.Contains(helpOut, "--"+f.Name+" ") && !strings.Contains(helpOut, "--"+f.Name+"\n") {
				t.Errorf("tandem %s --help does not list --%s:\n%s", name, f.Name, helpOut)
			}
		}
		cmd.LocalFlags().VisitAll(check)
		cmd.InheritedFlags().VisitAll(check)
	})
	for _, f := range hidden {
		if !shown[f] {
			t.Errorf("flag --%s is listed by no command's help", f)
		}
	}
	// The flags the old help left out, and the global ones.
	for _, want := range []string{"workers", "share", "lease-ttl", "batch-size", "target", "max-rows", "project", "url", "version"} {
		if !shown[want] {
			t.Errorf("no help lists --%s", want)
		}
	}
	if c, _, err := root.Find([]string{"move", "tune"}); err != nil || c.Name() != "tune" {
		t.Errorf("tandem move tune is not a command of its own (found %v, %v)", c, err)
	}
}

// runHelp runs a help command line and returns its stdout, failing the test unless it exits 0
// with nothing on stderr.
func runHelp(t *testing.T, args []string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
		t.Fatalf("tandem %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.String()
}
