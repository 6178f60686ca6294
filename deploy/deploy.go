package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// Options control a deploy.
type Options struct {
	// Tag names the run, so that a later rollback can say --to <tag>.
	Tag string
	// Onboarding goes on past a failing change (Obevo's onboarding mode): the failure is
	// recorded in Result.Failed, what depends on it is not run (Result.Skipped), everything
	// else is deployed, and the deploy ends with an *OnboardingError.
	Onboarding bool
	// Changesets selects changesets to deploy besides the changes in none (tandem deploy
	// --changeset, --all-changesets), added to Engine.Changesets; the changes of the others are
	// deferred.
	Changesets plan.Changesets
}

// Result says what a command did.
type Result struct {
	RunID int64
	Steps []StepResult
	// Failed and Skipped are the steps an onboarding deploy did not deploy (Options.Onboarding).
	Failed  []Failure
	Skipped []Skip
	// Deferred are the steps a deploy left out: their changes are in changesets not selected,
	// or need such a change (plan.Plan.Deferred). Only Deploy sets it.
	Deferred []plan.Step
}

// StepResult is one step that ran.
type StepResult struct {
	Step     plan.Step
	Duration time.Duration
	Detail   string // for data steps, the row counts
}

// Preview is what a deploy would do, computed without changing the database.
type Preview struct {
	Graph *plan.Graph
	Plan  *plan.Plan
	// DataCounts describes each data step's row changes where the table already exists
	// ("2 inserts, 0 updates, 1 delete"), keyed by the step's index in Plan.Steps.
	DataCounts map[int]string
	// Rollbacks are the deployed changes whose rollback the project has corrected since:
	// rollback runs the project's, and rebaseline records it.
	Rollbacks []plan.RollbackCorrection
}

// Plan computes what Deploy would do, with the problems that would make it refuse (the
// history's, and change files tandem cannot run). It takes no lock and writes nothing.
func (e *Engine) Plan(ctx context.Context, p *tandem.Project) (*Preview, error) {
	s, err := e.open(ctx, false, "plan")
	if err != nil {
		return nil, err
	}
	defer s.close(ctx)
	records, g, pl, err := s.planFor(ctx, p)
	if err != nil {
		return nil, err
	}
	pl.Problems = append(pl.Problems, s.sqlProblems(pl.Steps)...)
	pv := &Preview{Graph: g, Plan: pl, DataCounts: map[int]string{}, Rollbacks: plan.RollbackCorrections(g, records)}
	for i, st := range pl.Steps {
		if st.Action != plan.ActionData {
			continue
		}
		if d, err := s.diffData(ctx, st); err == nil {
			pv.DataCounts[i] = d.counts()
		}
	}
	return pv, nil
}

// planFor reads the history and plans p against it.
func (s *session) planFor(ctx context.Context, p *tandem.Project) ([]tandem.Record, *plan.Graph, *plan.Plan, error) {
	records, err := s.records(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	g, pl, err := s.diff(p, records)
	return records, g, pl, err
}

// planClean is planFor for the commands that refuse to run while the history has problems.
func (s *session) planClean(ctx context.Context, p *tandem.Project) ([]tandem.Record, *plan.Plan, error) {
	records, _, pl, err := s.planFor(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	if len(pl.Problems) > 0 {
		return nil, nil, &ProblemsError{Problems: pl.Problems}
	}
	return records, pl, nil
}

// planRunnable is planClean for a deploy, which also refuses to run anything while a change
// file it would run holds what tandem cannot run (sqlProblems).
func (s *session) planRunnable(ctx context.Context, p *tandem.Project) ([]tandem.Record, *plan.Graph, *plan.Plan, error) {
	records, g, pl, err := s.planFor(ctx, p)
	if err != nil {
		return nil, nil, nil, err
	}
	pl.Problems = append(pl.Problems, s.sqlProblems(pl.Steps)...)
	if len(pl.Problems) > 0 {
		return nil, nil, nil, &ProblemsError{Problems: pl.Problems}
	}
	return records, g, pl, nil
}

// diff builds the graph of p for the session's environment and compares it with the history.
func (s *session) diff(p *tandem.Project, records []tandem.Record) (*plan.Graph, *plan.Plan, error) {
	s.adopt(p)
	g, err := plan.Build(p, plan.Options{Env: s.env, Dialect: s.e.Dialect.Name(), Changesets: s.changesets})
	if err != nil {
		return nil, nil, err
	}
	for _, w := range g.Warnings {
		s.e.log().Warn(w)
	}
	pl, err := plan.Diff(g, records)
	if err != nil {
		return nil, nil, err
	}
	return g, pl, nil
}

// Deploy brings the database up to date with the project: it takes the deploy lock, refuses when
// deployed changes were edited or deleted, a migration is out of order, or a change file holds
// what tandem cannot run (a *ProblemsError),
// then runs each step with its history row. A failed step stops the deploy with a *StepError; what ran before it stays recorded.
// With Options.Onboarding it goes on past failed steps instead (onboarding.go) and ends with an
// *OnboardingError listing them.
func (e *Engine) Deploy(ctx context.Context, p *tandem.Project, o Options) (res *Result, err error) {
	s, err := e.open(ctx, true, "deploy")
	if err != nil {
		return nil, err
	}
	defer s.close(ctx)
	s.changesets = s.changesets.With(o.Changesets)
	records, g, pl, err := s.planRunnable(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, st := range pl.Deferred {
		e.log().Info("change deferred", "step", stepName(st), "reason", st.Reason)
	}
	ob := newOnboarding(o, g)
	if err := s.begin(ctx, o.Tag); err != nil {
		return nil, err
	}
	defer func() { s.finish(ctx, err) }()
	res = &Result{RunID: s.run.ID, Deferred: pl.Deferred}
	s.callbacks, s.tokens = p.Callbacks, plan.TokenReplacer(p, s.env)
	defer func() { err = s.afterError(ctx, err) }()
	if err := s.runCallbacks(ctx, tandem.BeforeMigrate); err != nil {
		return res, err
	}
	e.log().Info("deploy started", "run", s.run.ID, "env", e.Env.Name, "steps", len(pl.Steps))
	for _, st := range pl.Steps {
		if st.OutOfOrder != "" {
			e.log().Warn("applying a migration out of order", "file", st.Node.Change.File, "version", st.Node.Object.Version, "highest_deployed", st.OutOfOrder)
		}
	}
	if err := s.runSteps(ctx, res, pl.Steps, records, ob, stepCount{total: len(pl.Steps)}); err != nil {
		return res, err
	}
	if err := s.refreshRollbacks(ctx, g); err != nil {
		return res, err
	}
	if err := s.runCallbacks(ctx, tandem.AfterMigrate); err != nil {
		return res, err
	}
	e.log().Info("deploy finished", "run", s.run.ID, "steps", len(res.Steps))
	return res, ob.result(res)
}

// failedStep names the step of a run of steps that err is about: the step of a *StepError,
// which knows it, else the only step, else all of them, since the run (consecutive data steps,
// one transaction) failed as a whole.
func failedStep(steps []plan.Step, err error) string {
	var se *StepError
	if errors.As(err, &se) && se.Step.Action != "" {
		return stepName(se.Step)
	}
	names := make([]string, len(steps))
	for i, st := range steps {
		names[i] = stepName(st)
	}
	return strings.Join(names, ", ")
}

func (e *Engine) report(p Progress) {
	if e.Progress != nil {
		e.Progress(p)
	}
}

// execute runs one step, or one run of consecutive data steps, and returns a detail per step.
func (s *session) execute(ctx context.Context, steps []plan.Step, records []tandem.Record) ([]string, error) {
	st := steps[0]
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	switch st.Action {
	case plan.ActionApply:
		return []string{""}, s.apply(ctx, st)
	case plan.ActionDeploy:
		return []string{""}, s.deployObject(ctx, st)
	case plan.ActionDrop:
		if st.Key.Type == tandem.StaticData { // a rollback's: the data did not exist at its target
			return []string{""}, s.forgetData(ctx, st)
		}
		return []string{""}, s.dropObject(ctx, st)
	case plan.ActionRebaseline:
		return []string{""}, s.rebaseline(ctx, st, records)
	case plan.ActionUndo:
		return []string{""}, s.undoChange(ctx, undoingOf(st))
	case plan.ActionData:
		if !isCSVData(st) {
			return []string{"script"}, s.dataScript(ctx, st)
		}
		diffs, err := s.syncData(ctx, steps)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(diffs))
		for i, d := range diffs {
			out[i] = d.counts()
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown step action %q", st.Action)
}

// isCSVData reports whether a step synchronises rows from a CSV (rather than running a static
// data script, Obevo's .sql form).
func isCSVData(st plan.Step) bool {
	return st.Action == plan.ActionData && st.Node != nil && st.Node.Object.Data != nil
}
