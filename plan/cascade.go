package plan

import (
	"container/heap"
	"fmt"
	"sort"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// fate says what happens to a deployed stateless object in a deploy.
type fate struct {
	drop, deploy bool
	reason       string
	node         *Node // nil when the object no longer applies
	rec          *tandem.Record
}

// redeployable reports whether a recorded object of type t is dropped and recreated as a whole:
// a stateless database object. Repeatable scripts are rerun, never dropped; static data is synced.
func redeployable(t tandem.ObjectType) bool {
	return !t.Stateful() && t != tandem.StaticData && t != tandem.Repeatable
}

// fates decides which deployed stateless objects are dropped, redeployed or replaced in place.
func (d *differ) fates() map[tandem.ObjectKey]*fate {
	g := d.g
	deployed := map[tandem.ObjectKey]*tandem.Record{}
	var keys []tandem.ObjectKey // deployed stateless objects, in key order
	for _, r := range d.records {
		k := r.Key()
		if _, dup := deployed[k]; redeployable(k.Type) && !dup {
			deployed[k] = r
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	nodes := map[tandem.ObjectKey]*Node{}
	for _, o := range g.objects {
		if redeployable(o.obj.Key.Type) {
			nodes[o.obj.Key] = o.nodes[0]
		}
	}
	deps := d.recordedDeps(deployed, keys)
	// What depends on each object, as deployed (recorded definitions) or as it will be (graph).
	dependents := map[tandem.ObjectKey][]tandem.ObjectKey{}
	addDep := func(from, to tandem.ObjectKey) {
		for _, x := range dependents[to] {
			if x == from {
				return
			}
		}
		dependents[to] = append(dependents[to], from)
	}
	for _, from := range keys {
		for _, to := range deps[from] {
			addDep(from, to)
		}
	}
	// lockedBy names a deployed table or sequence that depends on a stateless object.
	lockedBy := map[tandem.ObjectKey]string{}
	for _, e := range g.Edges {
		from, to := e.From.Object.Key, e.To.Object.Key
		switch {
		case redeployable(from.Type) && redeployable(to.Type) && deployed[from] != nil && from != to:
			addDep(from, to)
		case (from.Type == tandem.Table || from.Type == tandem.Sequence) && redeployable(to.Type):
			if _, ok := lockedBy[to]; !ok && d.byChange[changeKey{from, lower(e.From.Change.Name)}] != nil {
				lockedBy[to] = describe(from)
			}
		}
	}
	for k, list := range dependents {
		sort.Slice(list, func(i, j int) bool { return lessKey(list[i], list[j]) })
		dependents[k] = list
	}

	fates := map[tandem.ObjectKey]*fate{}
	var queue []tandem.ObjectKey // dropped objects whose dependents are still to visit
	inPlace := func(reason string, k tandem.ObjectKey) string {
		return reason + "; replaced in place, without a drop, because " + lockedBy[k] + " depends on it"
	}
	for _, k := range keys {
		r, n := deployed[k], nodes[k]
		switch {
		case n == nil:
			reason := "file deleted"
			if g.present[k] {
				reason = fmt.Sprintf("does not apply to environment %s (dialect %s)", g.opts.Env.Name, g.opts.Dialect)
			}
			fates[k] = &fate{drop: true, reason: reason, rec: r}
			queue = append(queue, k)
		case n.Hash != r.Hash || r.Status == tandem.Partial:
			reason := "definition changed"
			if r.Status == tandem.Partial {
				reason = "previous deploy did not finish"
			}
			if _, locked := lockedBy[k]; locked {
				fates[k] = &fate{deploy: true, reason: inPlace(reason, k), node: n, rec: r}
				continue
			}
			fates[k] = &fate{drop: true, deploy: true, reason: reason, node: n, rec: r}
			queue = append(queue, k)
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		verb := "dropped"
		if fates[k].deploy {
			verb = "redeployed"
		}
		for _, dk := range dependents[k] {
			if fates[dk] != nil || deployed[dk] == nil || nodes[dk] == nil {
				continue
			}
			reason := fmt.Sprintf("depends on %s which is %s", describe(k), verb)
			if _, locked := lockedBy[dk]; locked {
				fates[dk] = &fate{deploy: true, reason: inPlace(reason, dk), node: nodes[dk], rec: deployed[dk]}
				continue
			}
			fates[dk] = &fate{drop: true, deploy: true, reason: reason, node: nodes[dk], rec: deployed[dk]}
			queue = append(queue, dk)
		}
	}
	return fates
}

// recordedDeps finds what each deployed stateless object depends on, by scanning its recorded
// definition with the same rules as Build, against the other deployed stateless objects. That
// is what the database holds now, and what decides the order in which they can be dropped.
func (d *differ) recordedDeps(deployed map[tandem.ObjectKey]*tandem.Record, keys []tandem.ObjectKey) map[tandem.ObjectKey][]tandem.ObjectKey {
	byName := map[qname][]tandem.ObjectKey{}
	var schemas []string
	for _, k := range keys {
		q := qname{k.Schema, k.Name}
		if isTarget(k.Type) {
			byName[q] = append(byName[q], k)
		}
		schemas = append(schemas, k.Schema)
	}
	ix := d.g.names.withSchemas(d.g.opts.Env, schemas)
	out := map[tandem.ObjectKey][]tandem.ObjectKey{}
	for _, k := range keys {
		seen := map[tandem.ObjectKey]bool{}
		sqllex.Identifiers(deployed[k].Definition, d.g.flavor, func(id sqllex.Ident) {
			q, ok := ix.qualify(id.Parts, k.Schema)
			if !ok {
				return
			}
			for _, t := range byName[q] {
				if t != k && !seen[t] {
					seen[t] = true
					out[k] = append(out[k], t)
				}
			}
		})
	}
	return out
}

// drops returns the drop steps: the objects whose fate is a drop, each after every object that
// depends on it in the database (by the recorded definitions). Among objects free to go, the
// one last in deploy order goes first, so that drops read as the deploy order reversed.
func (d *differ) drops(fates map[tandem.ObjectKey]*fate) []Step {
	var set []tandem.ObjectKey
	for k, f := range fates {
		if f.drop {
			set = append(set, k)
		}
	}
	if len(set) == 0 {
		return nil
	}
	sort.Slice(set, func(i, j int) bool { return lessKey(set[i], set[j]) })
	records := map[tandem.ObjectKey]*tandem.Record{}
	for _, k := range set {
		records[k] = fates[k].rec
	}
	deps := d.recordedDeps(records, set)
	waiting := map[tandem.ObjectKey]int{} // dependents in the set not dropped yet
	for _, k := range set {
		for _, t := range deps[k] {
			waiting[t]++
		}
	}
	h := &keyHeap{}
	for _, k := range set {
		if waiting[k] == 0 {
			h.keys = append(h.keys, k)
		}
	}
	heap.Init(h)
	done := map[tandem.ObjectKey]bool{}
	steps := make([]Step, 0, len(set))
	for len(steps) < len(set) {
		var k tandem.ObjectKey
		if h.Len() > 0 {
			k = heap.Pop(h).(tandem.ObjectKey)
		} else {
			// Recorded definitions that depend on each other in a circle cannot come from a
			// database; drop the rest in reverse key order rather than stop.
			for i := len(set) - 1; i >= 0; i-- {
				if !done[set[i]] {
					k = set[i]
					break
				}
			}
		}
		if done[k] {
			continue
		}
		done[k] = true
		f := fates[k]
		steps = append(steps, Step{Action: ActionDrop, Node: f.node, Key: k, Record: f.rec, Reason: f.reason})
		for _, t := range deps[k] {
			if waiting[t]--; waiting[t] == 0 && !done[t] {
				heap.Push(h, t)
			}
		}
	}
	return steps
}

// keyHeap pops the greatest key first.
type keyHeap struct{ keys []tandem.ObjectKey }

func (h *keyHeap) Len() int           { return len(h.keys) }
func (h *keyHeap) Less(i, j int) bool { return lessKey(h.keys[j], h.keys[i]) }
func (h *keyHeap) Swap(i, j int)      { h.keys[i], h.keys[j] = h.keys[j], h.keys[i] }
func (h *keyHeap) Push(x any)         { h.keys = append(h.keys, x.(tandem.ObjectKey)) }
func (h *keyHeap) Pop() any {
	k := h.keys[len(h.keys)-1]
	h.keys = h.keys[:len(h.keys)-1]
	return k
}
