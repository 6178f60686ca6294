package deploy

import (
	"context"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// stepCount places a run of steps in the whole command, for progress: done steps came before
// it, of total.
type stepCount struct{ done, total int }

// runSteps is the step runner of deploy and rollback: it runs steps in order, each with its
// history row (execute), consecutive static data steps together, and appends each step done to
// res. It reports progress before and after each step, logs each step done or failed, and
// stops at the first failure, unless ob (an onboarding deploy; may be nil) absorbs it. records
// are the history rows the steps were planned from.
func (s *session) runSteps(ctx context.Context, res *Result, steps []plan.Step, records []tandem.Record, ob *onboarding, count stepCount) error {
	e := s.e
	for i := 0; i < len(steps); {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Consecutive data steps run together, so rows can be deleted child-first.
		j := i + 1
		if ob != nil && ob.skip(steps[i], res) {
			e.log().Warn("step not run", "step", stepName(steps[i]), "because", res.Skipped[len(res.Skipped)-1].Because)
			i = j
			continue
		}
		if isCSVData(steps[i]) && ob == nil { // an onboarding deploy runs each on its own
			for j < len(steps) && isCSVData(steps[j]) {
				j++
			}
		}
		started := time.Now()
		for k := i; k < j; k++ {
			e.report(Progress{Done: count.done + k, Total: count.total, Step: steps[k]})
		}
		details, err := s.execute(ctx, steps[i:j], records)
		for k := i; k < j; k++ {
			e.report(Progress{Done: count.done + k + 1, Total: count.total, Step: steps[k], Finished: true, Err: err})
		}
		if err != nil {
			e.log().Error("step failed", "action", steps[i].Action, "step", failedStep(steps[i:j], err), "err", err)
			if ob != nil && ob.absorb(steps[i], err, res) {
				i = j
				continue
			}
			return err
		}
		for k := i; k < j; k++ {
			sr := StepResult{Step: steps[k], Duration: time.Since(started) / time.Duration(j-i), Detail: details[k-i]}
			res.Steps = append(res.Steps, sr)
			e.log().Info("step done", "action", steps[k].Action, "step", stepName(steps[k]), "took", sr.Duration.Round(time.Millisecond), "detail", sr.Detail)
		}
		i = j
	}
	return nil
}
