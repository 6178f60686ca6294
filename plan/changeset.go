package plan

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Changesets selects the changesets a deploy runs (Obevo's changeset attribute,
// tandem.Attrs.Changeset). A change in a changeset is deferred, left out of the plan's steps and
// listed in Plan.Deferred, unless its changeset is selected; changes in no changeset always run.
// The zero value selects none, as a default Obevo deploy does.
type Changesets struct {
	// Names are the changesets selected (tandem deploy --changeset NAME); case matters, as in
	// Obevo.
	Names []string
	// All selects every changeset (tandem deploy --all-changesets).
	All bool
}

// Selects reports whether a change in changeset name runs; "" is no changeset.
func (c Changesets) Selects(name string) bool {
	return name == "" || c.All || slices.Contains(c.Names, name)
}

// With returns the selection of both c and o.
func (c Changesets) With(o Changesets) Changesets {
	names := append(slices.Clone(c.Names), o.Names...)
	slices.Sort(names)
	return Changesets{Names: slices.Compact(names), All: c.All || o.All}
}

// changesetOf returns the changeset of a node's change, else of its object ("" for none).
func changesetOf(n *Node) string {
	if n.Change.Attrs.Changeset != "" {
		return n.Change.Attrs.Changeset
	}
	return n.Object.Attrs.Changeset
}

// Changesets returns the names of the changesets of the graph's changes, sorted.
func (g *Graph) Changesets() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range g.Nodes {
		if cs := changesetOf(n); cs != "" && !seen[cs] {
			seen[cs] = true
			out = append(out, cs)
		}
	}
	sort.Strings(out)
	return out
}

// checkChangesets refuses a selected name that no change of the graph carries: a misspelt
// --changeset would otherwise deploy nothing of what was meant, silently.
func (g *Graph) checkChangesets() error {
	known := g.Changesets()
	for _, name := range g.opts.Changesets.Names {
		if slices.Contains(known, name) {
			continue
		}
		have := "the project's changes are in no changeset"
		if len(known) > 0 {
			have = "the project's changesets are " + strings.Join(known, ", ")
		}
		return fmt.Errorf("changeset %q: no change in this environment is in it (%s); check its spelling (names are case-sensitive)", name, have)
	}
	return nil
}

// deferChangesets moves the steps of changes in changesets not selected from pl.Steps to
// pl.Deferred, with the reason saying how to deploy them. A step whose change needs a deferred
// one (see waitsFor), directly or through other deferred changes, is deferred too, since it
// would fail without it (Obevo runs it anyway; tandem waits). Drops and undos are never
// deferred: they act on what is deployed.
func deferChangesets(g *Graph, pl *Plan) {
	sel := g.opts.Changesets
	deferred := map[*Node]string{} // node -> the changeset it waits for
	var keep []Step
	for _, st := range pl.Steps {
		if st.Node == nil || st.Action == ActionDrop || st.Action == ActionUndo {
			keep = append(keep, st)
			continue
		}
		if cs := changesetOf(st.Node); !sel.Selects(cs) {
			deferred[st.Node] = cs
			st.Changeset = cs
			st.Reason = fmt.Sprintf("deferred: in changeset %s, deploy with --changeset %s (%s)", cs, cs, st.Reason)
			pl.Deferred = append(pl.Deferred, st)
			continue
		}
		if e := waitsFor(st.Node, deferred); e != nil {
			cs := deferred[e.To]
			deferred[st.Node] = cs
			st.Changeset = cs
			st.Reason = fmt.Sprintf("deferred: %s %s, deferred in changeset %s; deploy with --changeset %s", e.Kind, e.To.Change.ID(), cs, cs)
			pl.Deferred = append(pl.Deferred, st)
			continue
		}
		keep = append(keep, st)
	}
	pl.Steps = keep
}

// waitsFor returns the first edge of n to a deferred node that n needs, or nil. n needs a
// deferred change when that change creates its object (the first change of it: without it the
// object does not exist), or when n's depends attribute names that very change
// ("object/change"). A later change of an object, such as an index deferred to a changeset, does
// not hold back what merely uses the object, nor the object's own later changes, as in Obevo.
func waitsFor(n *Node, deferred map[*Node]string) *Edge {
	for _, e := range n.out {
		if _, ok := deferred[e.To]; !ok {
			continue
		}
		if e.To.info.nodes[0] == e.To || e.Kind == Explicit && strings.Contains(e.Ident, "/") {
			return e
		}
	}
	return nil
}
