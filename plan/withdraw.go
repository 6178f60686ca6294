package plan

import (
	"strings"

	"github.com/tandem-db/tandem"
)

// withdrawnAttr is the Extra attribute the Obevo reader sets for a change marked
// "// ROLLBACK-IF-ALREADY-DEPLOYED": the change is inactive, and where it was deployed its
// rollback runs and its record goes.
const withdrawnAttr = "rollbackIfAlreadyDeployed"

// withdrawals makes a node for every withdrawn change that would otherwise apply here.
func withdrawals(objs []*tandem.Object, env, dialect string, tok tokens) []*Node {
	var out []*Node
	for _, ob := range objs {
		for _, c := range ob.Changes {
			if c.Attrs.Extra[withdrawnAttr] != "true" || !c.Attrs.Applies(env, dialect) || !ob.Attrs.Applies(env, dialect) {
				continue
			}
			out = append(out, &Node{Object: ob, Change: c, Rollback: rollbackText(c, tok)})
		}
	}
	return out
}

// undos returns an undo step for every withdrawn change that is deployed, latest first: they
// run before anything else, like the rollbacks they are.
func (d *differ) undos() []Step {
	var out []Step
	for i := len(d.g.withdrawn) - 1; i >= 0; i-- {
		n := d.g.withdrawn[i]
		r := d.byChange[changeKey{n.Object.Key, strings.ToLower(n.Change.Name)}]
		if r == nil {
			continue
		}
		out = append(out, Step{Action: ActionUndo, Node: n, Key: n.Object.Key, Record: r, Reason: "withdrawn (ROLLBACK-IF-ALREADY-DEPLOYED)"})
	}
	return out
}

// NothingToUndo is the rollback recorded for a change whose rollback was written but is empty
// (an empty down migration): rolling it back runs nothing and forgets it.
const NothingToUndo = "-- nothing to undo"

// rollbackText is a change's rollback with tokens replaced; an empty but written rollback
// becomes NothingToUndo, so that the history can tell it from no rollback at all.
func rollbackText(c *tandem.Change, tok tokens) string {
	rb := tok.replace(c.Rollback)
	if c.HasRollback && strings.TrimSpace(rb) == "" {
		return NothingToUndo
	}
	return rb
}
