package plan

import (
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/textdiff"
)

// RollbackCorrection is a deployed change whose rollback in the project differs from the one
// recorded when it was deployed, while the change itself is unchanged: a down script fixed
// after the deploy. Rollback runs the project's; rebaseline records it in place of the old one.
type RollbackCorrection struct {
	Node   *Node          // the change in the project; Node.Rollback is the corrected rollback
	Record *tandem.Record // the change's history row; Record.Rollback is the one recorded
	Diff   string         // unified diff from the recorded rollback to the project's
}

// RollbackCorrections lists the deployed changes of g whose rollback differs from the recorded
// one while their hash equals the recorded hash (an edited change is a ProblemEdited instead),
// in graph node order. A change whose rollback the project no longer has keeps the recorded
// one, and is not listed; so is a change recorded as partly applied.
func RollbackCorrections(g *Graph, records []tandem.Record) []RollbackCorrection {
	byChange := make(map[changeKey]*tandem.Record, len(records))
	for i := range records {
		r := &records[i]
		byChange[changeKey{r.Key(), strings.ToLower(r.Change)}] = r
	}
	var out []RollbackCorrection
	for _, n := range g.Nodes {
		if !n.Object.Stateful() || strings.TrimSpace(n.Rollback) == "" {
			continue
		}
		r := byChange[changeKey{n.Object.Key, strings.ToLower(n.Change.Name)}]
		if r == nil || r.Status != tandem.Applied || r.Hash != n.Hash || strings.TrimSpace(r.Rollback) == strings.TrimSpace(n.Rollback) {
			continue
		}
		file := n.Change.File
		if n.Change.RollbackFile != "" {
			file = n.Change.RollbackFile
		}
		out = append(out, RollbackCorrection{Node: n, Record: r,
			Diff: textdiff.Unified(withNewline(r.Rollback), withNewline(n.Rollback), "recorded rollback of "+n.String(), file)})
	}
	return out
}

// withNewline ends a text with one newline, so that a diff does not show a missing one.
func withNewline(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return s
	}
	return s + "\n"
}
