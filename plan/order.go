package plan

import (
	"container/heap"
	"sort"
	"strings"
)

// Order returns the nodes in a topological order: every node comes after the nodes it depends
// on. Among nodes that are ready together, the one with the least (object type rank, Obevo
// order attribute, schema, object name, change position) comes first, so that a project gives the same order on every
// machine and for any order of its objects. A graph with cycles gives a *CycleError.
func (g *Graph) Order() ([]*Node, error) {
	pending := make([]int, len(g.Nodes)) // edges to nodes not yet placed
	h := &nodeHeap{rank: g.ranks()}
	for _, n := range g.Nodes {
		pending[n.idx] = len(n.out)
		if len(n.out) == 0 {
			h.items = append(h.items, n)
		}
	}
	heap.Init(h)
	order := make([]*Node, 0, len(g.Nodes))
	for h.Len() > 0 {
		n := heap.Pop(h).(*Node)
		order = append(order, n)
		for _, e := range n.in {
			if pending[e.From.idx]--; pending[e.From.idx] == 0 {
				heap.Push(h, e.From)
			}
		}
	}
	if len(order) < len(g.Nodes) {
		return nil, g.cycles(pending)
	}
	return order, nil
}

// lessNode is the tie-break order of nodes.
func lessNode(a, b *Node) bool {
	ka, kb := a.Object.Key, b.Object.Key
	if ra, rb := ka.Type.Rank(), kb.Type.Rank(); ra != rb {
		return ra < rb
	}
	if oa, ob := obevoOrder(a.Object), obevoOrder(b.Object); oa != ob {
		return oa < ob
	}
	if ka.Schema != kb.Schema {
		return ka.Schema < kb.Schema
	}
	if ka.Name != kb.Name {
		return ka.Name < kb.Name
	}
	if a.Change.Seq != b.Change.Seq {
		return a.Change.Seq < b.Change.Seq
	}
	if c := strings.Compare(a.Change.Name, b.Change.Name); c != 0 {
		return c < 0
	}
	return a.idx < b.idx
}

// ranks returns each node's position in lessNode order, by index, so that the heap compares
// integers. Build makes the nodes in that order already (unless the project numbered its
// changes' Seq out of file order), which one pass confirms.
func (g *Graph) ranks() []int {
	rank := make([]int, len(g.Nodes))
	sorted := true
	for i := range g.Nodes {
		rank[i] = i
		if i > 0 && !lessNode(g.Nodes[i-1], g.Nodes[i]) {
			sorted = false
		}
	}
	if !sorted {
		byOrder := append([]*Node(nil), g.Nodes...)
		sort.Slice(byOrder, func(i, j int) bool { return lessNode(byOrder[i], byOrder[j]) })
		for i, n := range byOrder {
			rank[n.idx] = i
		}
	}
	return rank
}

// nodeHeap is a min-heap of nodes by lessNode, through their precomputed ranks.
type nodeHeap struct {
	items []*Node
	rank  []int
}

func (h *nodeHeap) Len() int           { return len(h.items) }
func (h *nodeHeap) Less(i, j int) bool { return h.rank[h.items[i].idx] < h.rank[h.items[j].idx] }
func (h *nodeHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *nodeHeap) Push(x any)         { h.items = append(h.items, x.(*Node)) }
func (h *nodeHeap) Pop() any {
	n := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return n
}
