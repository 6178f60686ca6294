package main

import (
	"encoding/json"
	"fmt"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdSameSteps checks that two --json documents list the same steps, compared on what says
// which step it is (action, object, change, file, reason), not on what only one of them has
// (a plan's SQL, a result's durations and row counts):
//
//	samesteps PLAN RESULT
//
// It holds tandem plan --rollback-to X --json to the steps tandem rollback --to X --json then
// reports.
func cmdSameSteps(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: samesteps PLAN RESULT")
	}
	a, err := stepIdentities(ts.ReadFile(args[0]))
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	b, err := stepIdentities(ts.ReadFile(args[1]))
	if err != nil {
		ts.Fatalf("%s: %v", args[1], err)
	}
	diff := cmp.Diff(a, b)
	switch {
	case diff != "" && !neg:
		ts.Fatalf("the steps of %s and %s differ (-%s +%s):\n%s", args[0], args[1], args[0], args[1], diff)
	case diff == "" && neg:
		ts.Fatalf("%s and %s list the same steps", args[0], args[1])
	}
}

// stepIdentities reads the "steps" of a --json document, each as action, object, change,
// file and reason.
func stepIdentities(doc string) ([]string, error) {
	var v struct {
		Steps []struct {
			Action, Object, Change, File, Reason string
		}
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return nil, err
	}
	out := make([]string, len(v.Steps))
	for i, s := range v.Steps {
		out[i] = fmt.Sprintf("%s %s/%s (%s) %s", s.Action, s.Object, s.Change, s.File, s.Reason)
	}
	return out, nil
}
