package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tandem-db/tandem"
)

// CycleError is returned by Order when changes depend on each other in a circle.
type CycleError struct {
	// Cycles holds one entry per strongly connected component: every edge between its changes,
	// sorted by From then To in the tie-break order.
	Cycles [][]*Edge
}

// Error prints each component once: every edge with its reason, then the attribute that would
// break it.
func (e *CycleError) Error() string {
	var sb strings.Builder
	if len(e.Cycles) == 1 {
		sb.WriteString("dependency cycle:\n")
	} else {
		fmt.Fprintf(&sb, "%d dependency cycles:\n", len(e.Cycles))
	}
	for i, c := range e.Cycles {
		if len(e.Cycles) > 1 {
			fmt.Fprintf(&sb, "cycle %d:\n", i+1)
		}
		for _, ed := range c {
			fmt.Fprintf(&sb, "  %s\n", ed)
		}
		sb.WriteString("  " + breakHint(c) + "\n")
	}
	return strings.TrimSuffix(sb.String(), "\n")
}

// cycles finds the strongly connected components among the nodes Order could not place (Tarjan's
// algorithm, iterative so that a long chain cannot exhaust the stack).
func (g *Graph) cycles(pending []int) *CycleError {
	n := len(g.Nodes)
	index := make([]int, n) // 1-based discovery index; 0 = not visited
	low := make([]int, n)
	onStack := make([]bool, n)
	var stack []*Node
	type frame struct {
		v  *Node
		ei int
	}
	var comps [][]*Node
	next := 1
	for _, root := range g.Nodes {
		if pending[root.idx] == 0 || index[root.idx] != 0 {
			continue
		}
		visit := func(v *Node) {
			index[v.idx], low[v.idx] = next, next
			next++
			stack = append(stack, v)
			onStack[v.idx] = true
		}
		visit(root)
		calls := []frame{{v: root}}
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			v := f.v
			if f.ei < len(v.out) {
				w := v.out[f.ei].To
				f.ei++
				switch {
				case pending[w.idx] == 0:
					// Placed by Order: on no cycle.
				case index[w.idx] == 0:
					visit(w)
					calls = append(calls, frame{v: w})
				case onStack[w.idx]:
					low[v.idx] = min(low[v.idx], index[w.idx])
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				p := calls[len(calls)-1].v
				low[p.idx] = min(low[p.idx], low[v.idx])
			}
			if low[v.idx] != index[v.idx] {
				continue
			}
			var comp []*Node
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w.idx] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 {
				comps = append(comps, comp)
			}
		}
	}
	err := &CycleError{}
	for _, comp := range comps {
		sort.Slice(comp, func(i, j int) bool { return lessNode(comp[i], comp[j]) })
		in := make(map[*Node]bool, len(comp))
		for _, v := range comp {
			in[v] = true
		}
		var edges []*Edge
		for _, v := range comp {
			var out []*Edge
			for _, e := range v.out {
				if in[e.To] {
					out = append(out, e)
				}
			}
			sort.SliceStable(out, func(i, j int) bool { return lessNode(out[i].To, out[j].To) })
			edges = append(edges, out...)
		}
		err.Cycles = append(err.Cycles, edges)
	}
	sort.SliceStable(err.Cycles, func(i, j int) bool { return lessNode(err.Cycles[i][0].From, err.Cycles[j][0].From) })
	return err
}

// maxBreakTries bounds the search for one edge whose removal breaks a whole component.
const maxBreakTries = 64

// breakHint says which attribute would break a component: the first edge, in the printed order,
// that an attribute can remove and whose removal leaves the component without a cycle. When no
// single edge does, it names the first removable one, as a start.
func breakHint(c []*Edge) string {
	var first *Edge
	tries := 0
	for _, e := range c {
		if removable(e) == nil {
			continue
		}
		if first == nil {
			first = e
		}
		if tries++; tries > maxBreakTries {
			break
		}
		if acyclicWithout(c, e) {
			return "to break it, " + removeHint(e)
		}
	}
	if first == nil {
		return "no depends attribute can break it; check the order of the changes involved"
	}
	return "to start breaking it, " + removeHint(first)
}

// removable returns the edge whose attribute would remove e: e itself for a reference or a depends
// entry, the table reference behind an edge between two static data tables, or nil.
func removable(e *Edge) *Edge {
	switch e.Kind {
	case Reference, Explicit:
		return e
	case Data:
		if e.via != nil {
			return removable(e.via)
		}
	}
	return nil
}

// acyclicWithout reports whether the component's edges, less skip, have no cycle.
func acyclicWithout(c []*Edge, skip *Edge) bool {
	pending := map[*Node]int{}
	dependents := map[*Node][]*Node{}
	for _, e := range c {
		if e == skip {
			continue
		}
		pending[e.From]++
		if _, ok := pending[e.To]; !ok {
			pending[e.To] = 0
		}
		dependents[e.To] = append(dependents[e.To], e.From)
	}
	var ready []*Node
	for n, p := range pending {
		if p == 0 {
			ready = append(ready, n)
		}
	}
	placed := 0
	for len(ready) > 0 {
		n := ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		placed++
		for _, d := range dependents[n] {
			if pending[d]--; pending[d] == 0 {
				ready = append(ready, d)
			}
		}
	}
	return placed == len(pending)
}

// removeHint says how to remove the edge behind e from the file that makes it.
func removeHint(e *Edge) string {
	r := removable(e)
	from := r.From
	obevo := from.Object.Format == tandem.FormatObevo
	if r.Kind == Explicit {
		return fmt.Sprintf("remove %q from %s at %s:%d", r.Ident, r.attr, r.File, r.Line)
	}
	name := r.To.info.name
	if r.To.info.schema != from.info.schema {
		name = r.To.info.schema + "." + name
	}
	where := from.Change.File
	if from.Object.Stateful() || len(from.Object.Changes) > 1 {
		marker := "the change marker"
		if obevo {
			marker = "the CHANGE line"
		}
		where = fmt.Sprintf("%s at %s", marker, from.Change.Where())
	}
	if obevo {
		return fmt.Sprintf("add excludeDependencies=%q to %s", name, where)
	}
	if !from.Object.Stateful() && len(from.Object.Changes) <= 1 {
		return fmt.Sprintf("add the line \"-- tandem:object depends-=%s\" at the top of %s", name, where)
	}
	return fmt.Sprintf("add %q to %s", "depends-="+name, where)
}
