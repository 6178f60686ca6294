package plan

import (
	"errors"
	"sort"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// Build selects the changes of p that apply to o.Env and o.Dialect, replaces tokens, hashes them
// and discovers the dependencies between them.
//
// A change applies when its object's and its own attributes include the environment and the
// dialect and it is not inactive. Two objects with the same key that both apply are a
// *DuplicateError. A depends attribute naming nothing in the project is a *ReferenceError; all
// such errors are returned together (errors.Join), in file order.
//
// The order of p.Objects does not matter: the graph is the same for any permutation.
func Build(p *tandem.Project, o Options) (*Graph, error) {
	if o.Env == nil {
		return nil, ErrNoEnvironment
	}
	if p == nil {
		return nil, errors.New("no project given to plan")
	}
	g := &Graph{
		opts:    o,
		flavor:  sqllex.FlavorOf(o.Dialect),
		known:   map[changeKey]bool{},
		present: map[tandem.ObjectKey]bool{},
	}
	all, err := g.selectChanges(p)
	if err != nil {
		return nil, err
	}
	g.names = newNameIndex(p, o.Env, all)
	b := builder{g: g, seen: make([]int, len(g.Nodes))}
	b.sequences()
	b.migrations()
	b.containers()
	b.references()
	b.staticData()
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	return g, nil
}

// selectChanges sorts the objects, keeps the changes that apply and makes their nodes. It returns
// every object, applicable or not, for the name index.
func (g *Graph) selectChanges(p *tandem.Project) ([]*objInfo, error) {
	objs := make([]*tandem.Object, 0, len(p.Objects))
	for _, ob := range p.Objects {
		if ob != nil {
			objs = append(objs, ob)
		}
	}
	sort.SliceStable(objs, func(i, j int) bool { return lessObject(objs[i], objs[j]) })

	env, dialect := g.opts.Env.Name, g.opts.Dialect
	tok := newTokens(p, g.opts.Env)
	g.withdrawn = withdrawals(objs, env, dialect, tok)
	all := make([]*objInfo, 0, len(objs))
	applying := map[tandem.ObjectKey]*objInfo{}
	var dups []*DuplicateError
	dupOf := map[tandem.ObjectKey]*DuplicateError{}
	for _, ob := range objs {
		g.present[ob.Key] = true
		for _, c := range ob.Changes {
			g.known[changeKey{ob.Key, strings.ToLower(c.Name)}] = true
		}
		info := &objInfo{obj: ob, schema: strings.ToLower(ob.Key.Schema), name: strings.ToLower(ob.Key.Name)}
		all = append(all, info)
		if !ob.Attrs.Applies(env, dialect) || ob.Attrs.Inactive {
			continue
		}
		changes := ob.Changes
		if len(changes) == 0 && ob.Key.Type == tandem.StaticData {
			// A CSV has no change marker: its one change is the file.
			changes = []*tandem.Change{{Object: ob.Key, Name: ob.Name, File: ob.File, Line: 1, SQLLine: 1}}
		}
		for _, c := range changes {
			if !c.Attrs.Applies(env, dialect) || c.Attrs.Inactive {
				continue
			}
			n := &Node{Object: ob, Change: c, idx: len(g.Nodes), info: info}
			n.SQL, n.Rollback = tok.replace(c.SQL), rollbackText(c, tok)
			if ob.Key.Type == tandem.StaticData {
				n.Hash = hashData(ob.Data)
			} else {
				n.Hash = hashSQL(n.SQL, g.flavor)
			}
			info.nodes = append(info.nodes, n)
			g.Nodes = append(g.Nodes, n)
		}
		if !info.applies() {
			continue
		}
		if prev := applying[ob.Key]; prev != nil {
			d := dupOf[ob.Key]
			if d == nil {
				d = &DuplicateError{Key: ob.Key, Files: []string{prev.obj.File}, Env: env, Dialect: dialect}
				dupOf[ob.Key] = d
				dups = append(dups, d)
			}
			d.Files = append(d.Files, ob.File)
			continue
		}
		applying[ob.Key] = info
		g.objects = append(g.objects, info)
	}
	if len(dups) > 0 {
		errs := make([]error, len(dups))
		for i, d := range dups {
			sort.Strings(d.Files)
			errs[i] = d
		}
		return nil, errors.Join(errs...)
	}
	return all, nil
}

// lessObject is the order of objects in a graph: type rank, schema, name, then file, so that it
// never depends on the order the project listed them in.
func lessObject(a, b *tandem.Object) bool {
	if ra, rb := a.Key.Type.Rank(), b.Key.Type.Rank(); ra != rb {
		return ra < rb
	}
	if a.Key.Schema != b.Key.Schema {
		return a.Key.Schema < b.Key.Schema
	}
	if a.Key.Name != b.Key.Name {
		return a.Key.Name < b.Key.Name
	}
	if a.Key.Type != b.Key.Type {
		return a.Key.Type < b.Key.Type
	}
	return a.File < b.File
}

// builder discovers the edges of a graph.
type builder struct {
	g    *Graph
	errs []error
	// seen[i] == stamp when node i is already a target of the node being scanned, so that one
	// dependency found on many lines makes one edge.
	seen  []int
	stamp int
	// lastVersioned is the last numbered migration, nil when the project has none.
	lastVersioned *Node
}

func (b *builder) edge(from, to *Node, kind EdgeKind, ident, file string, line int) *Edge {
	e := &Edge{From: from, To: to, Kind: kind, Ident: ident, File: file, Line: line}
	from.out = append(from.out, e)
	to.in = append(to.in, e)
	b.g.Edges = append(b.g.Edges, e)
	return e
}

// sequences chains the changes of each stateful object: each follows the previous applicable one.
func (b *builder) sequences() {
	for _, o := range b.g.objects {
		if !o.obj.Stateful() {
			continue
		}
		for i := 1; i < len(o.nodes); i++ {
			prev, n := o.nodes[i-1], o.nodes[i]
			b.edge(n, prev, Sequence, prev.Change.Name, n.Change.File, n.Change.Line)
		}
	}
}

// migrations chains numbered migrations by version, then Flyway's repeatables by name after the
// last of them, which is the order Flyway runs them in.
func (b *builder) migrations() {
	var versioned, repeatable []*objInfo
	for _, o := range b.g.objects {
		switch o.obj.Key.Type {
		case tandem.Versioned:
			versioned = append(versioned, o)
		case tandem.Repeatable:
			repeatable = append(repeatable, o)
		}
	}
	sort.SliceStable(versioned, func(i, j int) bool {
		if c := tandem.CompareVersions(versioned[i].obj.Version, versioned[j].obj.Version); c != 0 {
			return c < 0
		}
		return versioned[i].name < versioned[j].name
	})
	if len(versioned) > 0 {
		o := versioned[len(versioned)-1]
		b.lastVersioned = o.nodes[len(o.nodes)-1]
	}
	// repeatable is already sorted by schema and name, the order of g.objects.
	var prev *Node
	for _, o := range append(versioned, repeatable...) {
		first, last := o.nodes[0], o.nodes[len(o.nodes)-1]
		if prev != nil {
			ident := prev.Object.Name
			if prev.Object.Version != "" {
				ident = "migration " + prev.Object.Version
			}
			b.edge(first, prev, Sequence, ident, first.Change.File, first.Change.Line)
		}
		prev = last
	}
}

// containers makes every object follow the schema object it lives in, where the project has one.
func (b *builder) containers() {
	schemas := map[string]*objInfo{}
	for _, o := range b.g.objects {
		if o.obj.Key.Type == tandem.Schema {
			schemas[o.name] = o
		}
	}
	if len(schemas) == 0 {
		return
	}
	for _, o := range b.g.objects {
		s := schemas[o.schema]
		if s == nil || s == o || o.obj.Key.Type == tandem.Schema {
			continue
		}
		n := o.nodes[0]
		b.edge(n, s.nodes[0], Container, s.obj.Key.String(), n.Change.File, n.Change.Line)
	}
}
