package plan

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// DOT writes the object-level graph in Graphviz DOT: one vertex per object that applies, and an
// arrow from each object to each object it depends on, labelled with the kinds of the change
// level edges behind it. Edges between changes of one object are left out. The output is
// deterministic.
func (g *Graph) DOT(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph tandem {")
	fmt.Fprintln(bw, "\trankdir=RL;")
	fmt.Fprintln(bw, "\tnode [shape=box];")
	for _, o := range g.objects {
		fmt.Fprintf(bw, "\t%s;\n", dotQuote(o.obj.Key.String()))
	}
	type pair struct{ from, to *objInfo }
	labels := map[pair][]string{}
	var pairs []pair
	for _, e := range g.Edges {
		p := pair{e.From.info, e.To.info}
		if p.from == p.to {
			continue
		}
		kinds, ok := labels[p]
		if !ok {
			pairs = append(pairs, p)
		}
		if !contains(kinds, string(e.Kind)) {
			labels[p] = append(kinds, string(e.Kind))
		}
	}
	pos := make(map[*objInfo]int, len(g.objects))
	for i, o := range g.objects {
		pos[o] = i
	}
	sort.Slice(pairs, func(i, j int) bool {
		a, b := pairs[i], pairs[j]
		if pos[a.from] != pos[b.from] {
			return pos[a.from] < pos[b.from]
		}
		return pos[a.to] < pos[b.to]
	})
	for _, p := range pairs {
		fmt.Fprintf(bw, "\t%s -> %s [label=%s];\n", dotQuote(p.from.obj.Key.String()), dotQuote(p.to.obj.Key.String()), dotQuote(strings.Join(labels[p], ", ")))
	}
	fmt.Fprintln(bw, "}")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write graph: %w", err)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// Explain returns every edge out of and into the object named name ("name", "schema.name",
// "type.name" or "schema.type.name"; a bare name matches in every schema): first what its
// changes depend on, then what depends on them, each with its reason (Edge.Reason) and file:line.
// A name that matches no object, or only objects that do not apply here, is an error.
func (g *Graph) Explain(name string) ([]*Edge, error) {
	objs, err := g.lookup(nil, name)
	if err != nil {
		return nil, &ReferenceError{Attr: "explain", Entry: name, Reason: err.Error()}
	}
	var nodes []*Node
	for _, o := range objs {
		nodes = append(nodes, o.nodes...)
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("%s has no change that applies to environment %s (dialect %s)", keysOf(objs), g.opts.Env.Name, g.opts.Dialect)
	}
	sort.Slice(nodes, func(i, j int) bool { return lessNode(nodes[i], nodes[j]) })
	seen := map[*Edge]bool{}
	var out []*Edge
	for _, n := range nodes {
		for _, e := range n.out {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	var in []*Edge
	for _, n := range nodes {
		for _, e := range n.in {
			if !seen[e] {
				seen[e] = true
				in = append(in, e)
			}
		}
	}
	sort.SliceStable(in, func(i, j int) bool { return lessNode(in[i].From, in[j].From) })
	return append(out, in...), nil
}
