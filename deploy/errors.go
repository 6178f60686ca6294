package deploy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem/plan"
)

// ErrProblems is wrapped by ProblemsError.
var ErrProblems = errors.New("deploy: the project and the database disagree")

// ProblemsError is returned by Deploy when the history shows deployed changes that were edited,
// deleted or left partly applied in a way a deploy cannot resolve, or a migration numbered below
// the highest version deployed where the environment does not allow it, or a change file it
// would run holds what tandem cannot run (plan.ProblemCannotRun). Nothing was run.
type ProblemsError struct {
	Problems []plan.Problem
}

func (e *ProblemsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "deploy: %s; nothing was run:", plural(len(e.Problems), "problem"))
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
		fmt.Fprintf(&b, "\n  statements 1-%d of the rollback ran and committed on their own; the change stays recorded as deployed: fix statement %d and run rollback again (it runs the whole rollback again)", e.Applied, e.Applied+1)
	case e.Step.Action == plan.ActionUndo:
		b.WriteString("\n  the rollback stopped here; nothing of this change's rollback was recorded: fix it and run rollback again")
	case e.Applied > 0:
		fmt.Fprintf(&b, "\n  statements 1-%d were applied and are recorded as partly applied; fix statement %d and run deploy again: it resumes there", e.Applied, e.Applied+1)
	default:
		b.WriteString("\n  nothing of this step was recorded; fix it and run deploy again")
	}
	return b.String()
}

func (e *StepError) Unwrap() error { return e.Err }

func stepName(st plan.Step) string {
	if st.Node != nil {
		return st.Node.String()
	}
	return st.Key.String()
}
