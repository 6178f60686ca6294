package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/plan"
)

// cmdPlanRollback prints what "tandem rollback --to" would run (tandem plan --rollback-to):
// the steps, each on the line the rollback then reports it on (stepLine), with the SQL it
// runs. With --json the step list is the one the rollback reports, each step with its SQL.
func cmdPlanRollback(ctx context.Context, c *cli, to string) error {
	p, e, err := c.engine(ctx)
	if err != nil {
		return err
	}
	rp, err := e.RollbackPlan(ctx, p, to)
	if err != nil {
		return err
	}
	if c.json {
		c.writeJSON(c.stdout, jsonRollbackPlan(rp))
		return nil
	}
	c.printf("Rollback plan for environment %s (%s), to run %d: %s\n", e.Env.Name, e.Env.URL, rp.Target, countSteps(len(rp.Steps)))
	for _, st := range rp.Steps {
		c.printf("%s\n", stepLine(st, ""))
		c.printf("%s\n", indent(rollbackStepSQL(st)))
	}
	for _, k := range rp.Kept {
		c.printf("Kept: %s has no // ROLLBACK section; Obevo leaves such a change deployed\n", k)
	}
	for _, fix := range rp.Corrected {
		c.printf("Corrected: %s runs the project's rollback, which differs from the one recorded at deploy\n", fix.Node.Change.ID())
	}
	if rp.CorrectionsErr != nil {
		c.printf("Warning: the project's rollbacks cannot be read, so the rollbacks recorded at deploy run: %v\n", rp.CorrectionsErr)
	}
	return nil
}

// rollbackStepSQL is what a rollback step runs, for people: the SQL, or a comment saying what
// the step does without SQL of its own.
func rollbackStepSQL(st plan.Step) string {
	switch {
	case st.Action == plan.ActionUndo && strings.TrimSpace(st.Node.Rollback) == "":
		return "-- forgotten: recorded without running (baseline)"
	case st.Action == plan.ActionUndo:
		return strings.TrimSpace(st.Node.Rollback)
	case st.Action == plan.ActionDrop && st.Node == nil && st.Record != nil && st.Key.Type == tandem.StaticData:
		return "-- record forgotten: the data did not exist then"
	case st.Action == plan.ActionDrop:
		return fmt.Sprintf("-- drop %s %s", st.Key.Type, st.Key.Name)
	case st.Action == plan.ActionData && st.Node.Object.Data != nil:
		return fmt.Sprintf("-- restore the %s of then", plural(len(st.Node.Object.Data.Rows), "row"))
	}
	return strings.TrimSpace(st.Node.SQL)
}

// plural renders n with word, adding an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// jsonRollbackPlan is the document of tandem plan --rollback-to --json: the steps as the
// rollback reports them (jsonResult), with the SQL each runs.
func jsonRollbackPlan(rp *plan.RollbackPlan) any {
	steps := []jsonStep{}
	for _, st := range rp.Steps {
		j := toJSONStep(st)
		j.SQL = rollbackStepSQL(st)
		steps = append(steps, j)
	}
	kept := rp.Kept
	if kept == nil {
		kept = []string{}
	}
	return struct {
		Command string     `json:"command"`
		To      int64      `json:"to"`
		Steps   []jsonStep `json:"steps"`
		Kept    []string   `json:"kept"`
	}{"rollback", rp.Target, steps, kept}
}
