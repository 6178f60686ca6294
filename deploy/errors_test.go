package deploy

import (
	"errors"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// TestStepErrorHint: what a failed step left is in the message; how to go on is the hint,
// which names no command or flag.
func TestStepErrorHint(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      *StepError
		wantLine string
		want     tandem.Hint
	}{
		{"partial", &StepError{Step: plan.Step{Action: plan.ActionApply}, File: "a.sql", Applied: 1, Err: errors.New("boom")},
			"  statements 1-1 were applied and are recorded as partly applied",
			tandem.Hint{Code: tandem.HintDeployAgain, Text: "fix statement 2, then deploy again: the deploy resumes there"}},
		{"nothing recorded", &StepError{Step: plan.Step{Action: plan.ActionApply}, File: "a.sql", Err: errors.New("boom")},
			"  nothing of this step was recorded",
			tandem.Hint{Code: tandem.HintDeployAgain, Text: "fix it, then deploy again"}},
		{"rollback partly run", &StepError{Step: plan.Step{Action: plan.ActionUndo}, File: "a.sql", Applied: 2, Err: errors.New("boom")},
			"  statements 1-2 of the rollback ran and committed on their own; the change stays recorded as deployed",
			tandem.Hint{Code: tandem.HintRollbackAgain, Text: "fix statement 3, then roll back again: the whole rollback runs again"}},
		{"rollback", &StepError{Step: plan.Step{Action: plan.ActionUndo}, File: "a.sql", Err: errors.New("boom")},
			"  the rollback stopped here; nothing of this change's rollback was recorded",
			tandem.Hint{Code: tandem.HintRollbackAgain, Text: "fix it, then roll back again"}},
	} {
		msg := tc.err.Error()
		lines := strings.Split(msg, "\n")
		if last := lines[len(lines)-1]; last != tc.wantLine {
			t.Errorf("%s: last line %q, want %q", tc.name, last, tc.wantLine)
		}
		if strings.Contains(msg, "run ") || strings.Contains(msg, "--") {
			t.Errorf("%s: the message names a command or flag: %q", tc.name, msg)
		}
		if got, ok := tandem.HintOf(tc.err); !ok || got != tc.want {
			t.Errorf("%s: hint %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestProblemsErrorHints: the message starts with what happened, not the package's name, and
// each problem's hint code is a hint of the error, once.
func TestProblemsErrorHints(t *testing.T) {
	e := &ProblemsError{Problems: []plan.Problem{
		{Kind: plan.ProblemEdited, File: "a.sql", Line: 3, Hint: "accept it", HintCode: tandem.HintRebaseline},
		{Kind: plan.ProblemEdited, File: "b.sql", Line: 4, Hint: "accept it", HintCode: tandem.HintRebaseline},
		{Kind: plan.ProblemCannotRun, File: "c.sql", Line: 1, Hint: "correct the file"},
	}}
	if !strings.HasPrefix(e.Error(), "3 problems; nothing was run:") {
		t.Errorf("message %q", e.Error())
	}
	hs := tandem.Hints(e)
	if len(hs) != 1 || hs[0] != (tandem.Hint{Code: tandem.HintRebaseline, Text: "accept it"}) {
		t.Errorf("hints %+v, want the one rebaseline hint", hs)
	}
	if !errors.Is(e, ErrProblems) {
		t.Error("not ErrProblems")
	}
}
