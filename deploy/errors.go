package deploy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// ErrProblems is wrapped by ProblemsError.
var ErrProblems = errors.New("the project and the database disagree")

// ProblemsError is returned by Deploy when the history shows deployed changes that were edited,
// deleted or left partly applied in a way a deploy cannot resolve, or a migration numbered below
// the highest version deployed where the environment does not allow it, or a change file it
// would run holds what tandem cannot run (plan.ProblemCannotRun). Nothing was run.
type ProblemsError struct {
	Problems []plan.Problem
}

func (e *ProblemsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s; nothing was run:", plural(len(e.Problems), "problem"))
	for _, p := range e.Problems {
		where := p.File
		if p.Line > 0 {
			where = fmt.Sprintf("%s:%d", p.File, p.Line)
		}
		fmt.Fprintf(&b, "\n\n%s: %s %s/%s", where, p.Kind, p.Key, p.Change)
		if p.Reason != "" {
			b.WriteString(": " + p.Reason)
		}
		if p.Diff != "" {
			b.WriteString("\n" + strings.TrimRight(p.Diff, "\n"))
		}
		if p.Hint != "" {
			b.WriteString("\n  what to do: " + p.Hint)
		}
	}
	return b.String()
}

func (e *ProblemsError) Unwrap() error { return ErrProblems }

// Hints returns the hints of the problems that carry a hint code, each code once; the problems'
// own advice is in the message, a "what to do" line each.
func (e *ProblemsError) Hints() []tandem.Hint {
	var out []tandem.Hint
	seen := map[tandem.HintCode]bool{}
	for _, p := range e.Problems {
		if p.HintCode != "" && !seen[p.HintCode] {
			seen[p.HintCode] = true
			out = append(out, tandem.Hint{Code: p.HintCode, Text: p.Hint})
		}
	}
	return out
}

// StepError says which step failed, where its SQL is, and what state it left behind.
type StepError struct {
	Step      plan.Step
	File      string
	Line      int    // line of the failing statement in File
	Statement string // the failing statement
	Index     int    // 1-based index of the failing statement in the change
	Count     int    // statements in the change
	Applied   int    // statements applied and recorded before the failure (partial changes)
	Err       error
	// Notes say what the failure left behind and what tandem did about it (an invalid index
	// dropped, or one to drop by hand), a line each.
	Notes []string
}

func (e *StepError) Error() string {
	var b strings.Builder
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	fmt.Fprintf(&b, "%s: %s %s", where, e.Step.Action, stepName(e.Step))
	if e.Count > 1 {
		fmt.Fprintf(&b, ", statement %d of %d", e.Index, e.Count)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Statement != "" {
		fmt.Fprintf(&b, "\n  statement: %s", firstLine(e.Statement))
	}
	for _, n := range e.Notes {
		b.WriteString("\n  " + n)
	}
	switch {
	case e.Step.Action == plan.ActionUndo && e.Applied > 0:
		fmt.Fprintf(&b, "\n  statements 1-%d of the rollback ran and committed on their own; the change stays recorded as deployed", e.Applied)
	case e.Step.Action == plan.ActionUndo:
		b.WriteString("\n  the rollback stopped here; nothing of this change's rollback was recorded")
	case e.Applied > 0:
		fmt.Fprintf(&b, "\n  statements 1-%d were applied and are recorded as partly applied", e.Applied)
	default:
		b.WriteString("\n  nothing of this step was recorded")
	}
	return b.String()
}

func (e *StepError) Unwrap() error { return e.Err }

// Hint says how to go on: fix the statement, then deploy (or roll back) again.
func (e *StepError) Hint() tandem.Hint {
	switch {
	case e.Step.Action == plan.ActionUndo && e.Applied > 0:
		return tandem.Hint{Code: tandem.HintRollbackAgain, Text: fmt.Sprintf("fix statement %d, then roll back again: the whole rollback runs again", e.Applied+1)}
	case e.Step.Action == plan.ActionUndo:
		return tandem.Hint{Code: tandem.HintRollbackAgain, Text: "fix it, then roll back again"}
	case e.Applied > 0:
		return tandem.Hint{Code: tandem.HintDeployAgain, Text: fmt.Sprintf("fix statement %d, then deploy again: the deploy resumes there", e.Applied+1)}
	}
	return tandem.Hint{Code: tandem.HintDeployAgain, Text: "fix it, then deploy again"}
}

func stepName(st plan.Step) string {
	if st.Node != nil {
		return st.Node.String()
	}
	return st.Key.String()
}
