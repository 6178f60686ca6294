package deploy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// Failure is a step that failed in an onboarding deploy (Options.Onboarding): the deploy went
// on without it and without what depends on it.
type Failure struct {
	Step plan.Step
	Err  error
}

// Skip is a step an onboarding deploy did not run because a change it depends on failed or was
// skipped.
type Skip struct {
	Step plan.Step
	// Because is the change (or object) it waits for, and Reason the dependency: "references
	// VIEW_WITH_ERROR at view/V.sql:3".
	Because string
	Reason  string
}

// OnboardingError ends an onboarding deploy in which steps failed; Result.Failed and
// Result.Skipped hold them.
type OnboardingError struct {
	Failed  []Failure
	Skipped []Skip
}

func (e *OnboardingError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "onboarding deploy: %d of the changes failed", len(e.Failed))
	if len(e.Skipped) > 0 {
		fmt.Fprintf(&b, " and %d that depend on them were not run", len(e.Skipped))
	}
	b.WriteString("; everything else was deployed:")
	for _, f := range e.Failed {
		fmt.Fprintf(&b, "\n  failed %s: %s", stepName(f.Step), firstLine(f.Err.Error()))
	}
	for _, s := range e.Skipped {
		fmt.Fprintf(&b, "\n  not run %s: %s (%s)", stepName(s.Step), s.Because, s.Reason)
	}
	b.WriteString("\nfix the failed files and deploy again")
	return b.String()
}

// onboarding tracks an onboarding deploy: the steps that failed or were skipped, so that what
// depends on them is skipped too.
type onboarding struct {
	deps    map[*plan.Node][]*plan.Edge // what each node depends on
	blocked map[*plan.Node]string       // failed or skipped nodes -> why, for messages
	failed  map[tandem.ObjectKey]bool   // objects with a failed change
}

func newOnboarding(o Options, g *plan.Graph) *onboarding {
	if !o.Onboarding {
		return nil
	}
	ob := &onboarding{deps: map[*plan.Node][]*plan.Edge{}, blocked: map[*plan.Node]string{}, failed: map[tandem.ObjectKey]bool{}}
	for _, e := range g.Edges {
		// Static data loads after the static data of the tables its table references only so
		// that parent rows come first: when the parent's data failed, the child's rows may
		// still load (and fail themselves where they need the missing rows), as in Obevo.
		if e.Kind == plan.Data && e.From.Key().Type == tandem.StaticData && e.To.Key().Type == tandem.StaticData {
			continue
		}
		ob.deps[e.From] = append(ob.deps[e.From], e)
	}
	return ob
}

// skip reports whether st must not run, and records why in res.
func (ob *onboarding) skip(st plan.Step, res *Result) bool {
	if st.Node == nil {
		return false
	}
	if ob.failed[st.Key] {
		ob.blocked[st.Node] = st.Node.String()
		res.Skipped = append(res.Skipped, Skip{Step: st, Because: st.Key.String(), Reason: "another change of the same object failed"})
		return true
	}
	for _, e := range ob.deps[st.Node] {
		if _, ok := ob.blocked[e.To]; ok {
			ob.blocked[st.Node] = st.Node.String()
			res.Skipped = append(res.Skipped, Skip{Step: st, Because: e.To.String(), Reason: e.Reason()})
			return true
		}
	}
	return false
}

// absorb records the failure of st and reports whether the deploy can go on. A change that
// failed part way with statements committed (a database without transactional DDL) stops it:
// it is recorded as partly applied and needs fixing first.
func (ob *onboarding) absorb(st plan.Step, err error, res *Result) bool {
	var se *StepError
	if st.Node == nil || (errors.As(err, &se) && se.Applied > 0) {
		return false
	}
	ob.blocked[st.Node] = st.Node.String()
	ob.failed[st.Key] = true
	res.Failed = append(res.Failed, Failure{Step: st, Err: err})
	return true
}

// result is the error that ends an onboarding deploy: nil when nothing failed.
func (ob *onboarding) result(res *Result) error {
	if ob == nil || len(res.Failed) == 0 {
		return nil
	}
	return &OnboardingError{Failed: res.Failed, Skipped: res.Skipped}
}
