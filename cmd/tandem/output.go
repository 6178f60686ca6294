package main

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/deploy"
	"github.com/tandem-db/tandem/internal/progress"
	"github.com/tandem-db/tandem/plan"
)

func countSteps(n int) string {
	if n == 1 {
		return "1 step"
	}
	return fmt.Sprintf("%d steps", n)
}

func stepLabel(st plan.Step) string {
	if st.Node != nil {
		return st.Node.String()
	}
	return st.Key.String()
}

func stepWhere(st plan.Step) string {
	if st.Node != nil && st.Node.Change.File != "" {
		return st.Node.Change.Where()
	}
	if st.Record != nil && st.Record.File != "" {
		return st.Record.File
	}
	return ""
}

func indent(s string) string {
	return "   " + strings.ReplaceAll(s, "\n", "\n   ")
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func edgeReason(ed *plan.Edge) string {
	r := string(ed.Kind)
	if ed.Ident != "" {
		r += " " + ed.Ident
	}
	if ed.File != "" {
		r += fmt.Sprintf(" at %s:%d", ed.File, ed.Line)
	}
	return r
}

func printProblems(c *cli, problems []plan.Problem) {
	for _, p := range problems {
		c.printf("\nProblem: %s %s/%s at %s\n", p.Kind, p.Key, p.Change, fileLine(p.File, p.Line))
		if p.Reason != "" {
			c.printf("  %s\n", p.Reason)
		}
		if p.Diff != "" {
			c.printf("%s\n", indent(strings.TrimRight(p.Diff, "\n")))
		}
		if p.Hint != "" {
			c.printf("  what to do: %s\n", p.Hint)
		}
		if p.HintCode != "" {
			c.printf("  hint: %s\n", advice(tandem.Hint{Code: p.HintCode, Text: p.Hint}, c.command))
		}
	}
}

// stepLine is how a step done is reported, with its detail when it has one; tandem plan
// --rollback-to lists the steps of a rollback on the same lines.
func stepLine(st plan.Step, detail string) string {
	if detail != "" {
		detail = "  (" + detail + ")"
	}
	return fmt.Sprintf("  %-10s %s%s", st.Action, stepLabel(st), detail)
}

func printResult(c *cli, what string, res *deploy.Result) {
	if c.json {
		c.writeJSON(c.stdout, jsonResult(what, res))
		return
	}
	defer printDeferred(c, res.Deferred)
	if len(res.Steps) == 0 && len(res.Deferred) > 0 {
		c.printf("Nothing to do but the deferred changes below.\n")
		return
	}
	if len(res.Steps) == 0 {
		c.printf("Nothing to do: the database is up to date.\n")
		return
	}
	for _, s := range res.Steps {
		c.printf("%s\n", stepLine(s.Step, s.Detail))
	}
	if res.RunID == 0 {
		c.printf("%s: %s done.\n", what, countSteps(len(res.Steps)))
		return
	}
	c.printf("%s: %s done (run %d).\n", what, countSteps(len(res.Steps)), res.RunID)
}

// isTerminal reports whether w is an interactive terminal (a character device is not enough:
// /dev/null is one).
func isTerminal(w io.Writer) bool { return progress.IsTerminal(w) }

// bar draws a one-line progress bar on a terminal.
type bar struct {
	mu sync.Mutex
	w  io.Writer
}

func newBar(w io.Writer) *bar { return &bar{w: w} }

func (b *bar) update(p deploy.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = width * p.Done / p.Total
	}
	label := stepLabel(p.Step)
	if len(label) > 50 {
		label = "..." + label[len(label)-47:]
	}
	fmt.Fprintf(b.w, "\r\033[K[%s%s] %d/%d %s %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Done, p.Total, p.Step.Action, label)
	if p.Finished && p.Done == p.Total || p.Err != nil {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

// fileLine renders file:line, or the file alone when the line is unknown.
func fileLine(file string, line int) string {
	if line <= 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}
