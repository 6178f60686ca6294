package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/tandem-db/tandem"
)

// How the command line prints an error (the prefix rule, held by TestErrorPrefixRule and by
// every "exits" line of the scripts):
//
//   - The error line is "tandem <command>: <message>" ("tandem: <message>" for the bare
//     command): the command's name is printed once, by the CLI, at the start of the line.
//   - The message is the library's: it never starts with a package or command name ("deploy:",
//     "plan:", "project:", "sqlstore:", ...), and no error it wraps does either, so that no such
//     name appears as a segment of the ": "-joined chain. "tandem deploy: deploy: 1 problem"
//     breaks the rule; "tandem deploy: 1 problem; nothing was run:" keeps it.
//   - What to do is not in the message: each hint the error carries (tandem.Hints) is a line of
//     its own after it, "hint: <advice>", in the CLI's words (flags, commands) from hintAdvice.
//     With --json the document carries it as "hint" next to "error", and the codes as
//     "hint_codes".
//
// hintAdvice turns a hint code into advice in the command line's terms: the flag to pass or the
// command to run. A code not listed here is printed as its neutral text. at says which command
// failed ("deploy", "move advance") and which move the error is about, if any.
//
// To give a library error a hint: give its type a Hint() tandem.Hint method, or wrap it with
// tandem.WithHint; add a code to the root (errors.go) when no code fits, and its advice here.
var hintAdvice = map[tandem.HintCode]func(h tandem.Hint, at hintContext) string{
	tandem.HintLockWait: func(tandem.Hint, hintContext) string {
		return "wait for the deploy that holds the lock to finish, or raise --lock-wait"
	},
	tandem.HintDeployAgain:   again,
	tandem.HintRollbackAgain: again,
	tandem.HintRunAgain:      again,
	tandem.HintOutOfOrder: func(tandem.Hint, hintContext) string {
		return "to deploy it out of order, set out_of_order: true in the environment in tandem.yaml, or pass --out-of-order for one run"
	},
	tandem.HintRebaseline: func(tandem.Hint, hintContext) string {
		return "tandem rebaseline records an edit that changes nothing in the database as deployed"
	},
	tandem.HintProjectFolder: func(h tandem.Hint, _ hintContext) string {
		return h.Text + " (--project DIR)"
	},
	tandem.HintMoveAdvance:  moveCommand("advance"),
	tandem.HintMoveBackfill: moveCommand("backfill"),
	tandem.HintMoveRepair:   moveCommand("repair"),
	tandem.HintMoveCheck:    moveCommand("check"),
	tandem.HintMoveStart:    moveCommand("start"),
	tandem.HintMoveRestore:  moveCommand("status"),
	tandem.HintMoveHandover: func(h tandem.Hint, at hintContext) string {
		return fmt.Sprintf("%s (tandem move advance %s, or tandem move rollback %s)", h.Text, at.moveOr("NAME"), at.moveOr("NAME"))
	},
	tandem.HintMoveRestoreByHand: again,
	tandem.HintMoveForceReason: func(tandem.Hint, hintContext) string {
		return "--force needs --reason R, which is recorded in the audit log"
	},
	tandem.HintMoveConfirm: func(tandem.Hint, hintContext) string {
		return "pass --confirm to enter complete"
	},
}

// hintContext is what advice may name besides the hint: the command that failed ("deploy",
// "move advance") and the move the error is about ("" when none).
type hintContext struct {
	command string
	move    string
}

// moveOr is the move's name, or placeholder when the error names none.
func (at hintContext) moveOr(placeholder string) string {
	if at.move == "" {
		return placeholder
	}
	return at.move
}

// again is the advice of a hint to run the failed command again: its text, then the command.
func again(h tandem.Hint, at hintContext) string {
	return fmt.Sprintf("%s (tandem %s)", h.Text, at.command)
}

// moveCommand is the advice of a hint that a move subcommand carries out: its text, then the
// command line ("tandem move backfill users").
func moveCommand(sub string) func(tandem.Hint, hintContext) string {
	return func(h tandem.Hint, at hintContext) string {
		return fmt.Sprintf("%s (tandem move %s %s)", h.Text, sub, at.moveOr("NAME"))
	}
}

// advice is the line printed for h after an error of command that names no move.
func advice(h tandem.Hint, command string) string {
	return adviceAt(h, hintContext{command: command})
}

// adviceAt is the line printed for h after an error.
func adviceAt(h tandem.Hint, at hintContext) string {
	if f, ok := hintAdvice[h.Code]; ok {
		return f(h, at)
	}
	return h.Text
}

// movedError is an error that names the move it is about (move.Error, coord.GateError).
type movedError interface {
	error
	MoveName() string
}

// errorHints returns the advice for every hint err carries, in order, and their codes.
func errorHints(err error, command string) (lines, codes []string) {
	at := hintContext{command: command}
	if me, ok := errors.AsType[movedError](err); ok {
		at.move = me.MoveName()
	}
	for _, h := range tandem.Hints(err) {
		lines = append(lines, adviceAt(h, at))
		if h.Code != "" {
			codes = append(codes, string(h.Code))
		}
	}
	return lines, codes
}

// jsonError is the document --json prints for a failed command: the message, and apart from it
// the advice (one line per hint) and the hints' stable codes.
type jsonError struct {
	Error     string   `json:"error"`
	Command   string   `json:"command"`
	Hint      string   `json:"hint,omitempty"`
	HintCodes []string `json:"hint_codes,omitempty"`
	jsonBrokenMoves
}

// printError prints err as the prefix rule says: "tandem <command>: <message>", then a
// "hint: " line for each of its hints. With --json it also writes the error document to stdout.
func (c *cli) printError(err error) {
	msg := c.scrub(err.Error())
	hints, codes := errorHints(err, c.command)
	if c.json {
		doc := &jsonError{Error: msg, Command: c.command}
		if len(hints) > 0 {
			doc.Hint, doc.HintCodes = strings.Join(hints, "\n"), codes
		}
		c.writeJSON(c.stdout, doc)
	}
	fmt.Fprintf(c.stderr, "%s%s\n", errorPrefix(c.command), msg)
	printHints(c.stderr, hints, c.scrub)
}

// printHints writes one "hint: " line for each piece of advice.
func printHints(w io.Writer, hints []string, scrub func(string) string) {
	for _, h := range hints {
		fmt.Fprintf(w, "hint: %s\n", scrub(h))
	}
}

// errorPrefix is the start of an error line of command: "tandem deploy: ", or "tandem: " for
// the bare command.
func errorPrefix(command string) string {
	if command == "" {
		return "tandem: "
	}
	return "tandem " + command + ": "
}

// libraryPrefix matches a package or command name used as a prefix: at the start of a message,
// or as a segment of a ": "-joined chain.
var libraryPrefix = regexp.MustCompile(`(?:^|: )(` + strings.Join(append(commandNames(),
	"tandem", "plan", "deploy", "project", "store", "sqlstore", "redisstore", "move", "client"), "|") + `): `)

// commandNames lists the names of the commands.
func commandNames() []string {
	var out []string
	for _, spec := range commands {
		out = append(out, spec.name)
	}
	return out
}

// prefixRuleViolation says what is wrong with an error line printed for command, or "" when it
// keeps the prefix rule.
func prefixRuleViolation(command, line string) string {
	prefix := errorPrefix(command)
	if !strings.HasPrefix(line, prefix) {
		return fmt.Sprintf("does not start with %q", prefix)
	}
	if m := libraryPrefix.FindStringSubmatch(strings.TrimPrefix(line, prefix)); m != nil {
		return fmt.Sprintf("repeats a package or command name as a prefix (%q)", m[1]+": ")
	}
	return ""
}
