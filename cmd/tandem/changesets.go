package main

import (
	"strconv"

	"github.com/spf13/pflag"

	"github.com/tandem-db/tandem/plan"
)

// changesetFlags defines --changeset and --all-changesets, which deploy, plan and status take,
// bound into sel: plan and status show what a deploy with the same flags would do.
func changesetFlags(fs *pflag.FlagSet, sel *plan.Changesets, verb string) {
	fs.StringArrayVar(&sel.Names, "changeset", nil, verb+" the changes in changeset `NAME` too (Obevo's changeset attribute; repeatable)")
	fs.BoolVar(&sel.All, "all-changesets", false, verb+" the changes of every changeset too")
}

// printDeferred lists the steps a deploy leaves out because of changesets, each with the flag
// that deploys it: they are never left out silently.
func printDeferred(c *cli, steps []plan.Step) {
	if len(steps) == 0 {
		return
	}
	c.printf("Deferred: %s, which a deploy runs only when given their changeset (--changeset NAME, or --all-changesets):\n", countChanges(len(steps)))
	for _, st := range steps {
		c.printf("  %-10s %s  -- %s", st.Action, stepLabel(st), st.Reason)
		if w := stepWhere(st); w != "" {
			c.printf(" (%s)", w)
		}
		c.printf("\n")
	}
}

func countChanges(n int) string {
	if n == 1 {
		return "1 change"
	}
	return strconv.Itoa(n) + " changes"
}

// jsonDeferredStep is a deferred step in JSON: a step with the changeset it waits for.
type jsonDeferredStep struct {
	jsonStep
	Changeset string `json:"changeset"`
}

// jsonDeferred is the "deferred" member of the plan, status and deploy documents.
func jsonDeferred(steps []plan.Step) []jsonDeferredStep {
	out := []jsonDeferredStep{}
	for _, st := range steps {
		j := toJSONStep(st)
		j.SQL = ""
		out = append(out, jsonDeferredStep{jsonStep: j, Changeset: st.Changeset})
	}
	return out
}
