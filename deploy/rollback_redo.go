package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// stepsToRedo lists the stateful changes that were deployed at the end of the target run and
// were undone after it (withdrawn by a ROLLBACK-IF-ALREADY-DEPLOYED section, as in Obevo's
// rollback scenario): a rollback to the target applies them again, as Obevo's rollback deploy
// of the earlier release does. Their SQL comes from the project, in the project's order; a
// change the project does not have refuses the rollback before anything runs.
func stepsToRedo(records []tandem.Record, events []tandem.Event, p *tandem.Project, opts plan.Options) ([]plan.Step, error) {
	first := map[string]tandem.EventAction{}
	undone := map[string]tandem.Event{}
	for _, ev := range events {
		if !ev.Type.Stateful() {
			continue
		}
		id := tandem.Key(ev.Schema, ev.Type, ev.Object).String() + "/" + strings.ToLower(ev.Change)
		if _, ok := first[id]; !ok {
			first[id] = ev.Action
			if ev.Action == tandem.EventUndo {
				undone[id] = ev
			}
		}
	}
	var want []string
	for id, ev := range undone {
		if _, ok := findRecord(records, tandem.Key(ev.Schema, ev.Type, ev.Object), ev.Change); ok {
			delete(undone, id) // deployed again since
			continue
		}
		want = append(want, id)
	}
	if len(undone) == 0 {
		return nil, nil
	}
	var missing []string
	var out []plan.Step
	if p != nil {
		g, err := plan.Build(p, opts)
		if err != nil {
			return nil, fmt.Errorf("rollback: order the project to apply again the changes undone after the target: %w", err)
		}
		order, err := g.Order()
		if err != nil {
			return nil, fmt.Errorf("rollback: order the project to apply again the changes undone after the target: %w", err)
		}
		for _, n := range order {
			id := n.Object.Key.String() + "/" + strings.ToLower(n.Change.Name)
			if _, ok := undone[id]; ok && n.Object.Stateful() {
				out = append(out, plan.Step{Action: plan.ActionApply, Key: n.Object.Key, Node: n, Reason: "undone after the target run"})
				delete(undone, id)
			}
		}
	}
	for _, id := range want {
		if _, ok := undone[id]; ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, tandem.WithHint(fmt.Errorf("nothing was run: these changes were deployed at the end of the target run and undone after it, and the project given does not have them to apply again:\n  %s", strings.Join(missing, "\n  ")),
			tandem.Hint{Code: tandem.HintProjectFolder, Text: "roll back with the project of the target release, where these changes are written and active"})
	}
	return out, nil
}

// redoIn applies a change again and records it, on q.
func (s *session) redoIn(ctx context.Context, q tandem.Querier, st plan.Step) error {
	return s.runIn(ctx, q, st, tandem.EventApply, true)
}
