package plan

import (
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// scanned reports whether the SQL of objects of type t is searched for references. Numbered
// migrations run in version order whatever they mention, and static data has no SQL.
func scanned(t tandem.ObjectType) bool {
	switch t {
	case tandem.Versioned, tandem.Repeatable, tandem.StaticData:
		return false
	}
	return true
}

// obevoMigration reports whether o is a change of an Obevo migration/ folder: Obevo discovers
// no dependencies in their text, which read and write the tables, so that a table change may
// depend on a migration (dependencies="migration1.chng3") without a cycle. They run after the
// objects of the project (the type order) and after what their dependencies attribute names.
func obevoMigration(o *tandem.Object) bool {
	return o.Key.Type == tandem.Migration && o.Format == tandem.FormatObevo
}

// targetNodes returns the changes of t that a change n depends on when it names t. A change of a
// table or sequence naming another needs only its first change (the create), so that two tables
// whose foreign keys to each other are added in later changes do not form a cycle. A stateless
// object, or a migration, needs every change: a view must see every column.
func targetNodes(n *Node, t *objInfo) []*Node {
	if n.Object.Stateful() && n.Object.Key.Type != tandem.Migration && t.obj.Stateful() {
		return t.nodes[:1]
	}
	return t.nodes
}

// references adds the Reference and Explicit edges of every change.
func (b *builder) references() {
	for _, o := range b.g.objects {
		for _, n := range o.nodes {
			b.dependencies(n)
		}
	}
}

// dependencies adds the edges of one change: those its depends attributes name, then those its
// SQL references, unless a depends attribute replaces them.
func (b *builder) dependencies(n *Node) {
	b.stamp++
	a := attrsOf(n)
	excluded := b.resolveAll(n, a.exclude)
	if a.set != nil {
		b.explicit(n, a.set)
	}
	b.explicit(n, a.add)
	if a.set != nil || !scanned(n.Object.Key.Type) || obevoMigration(n.Object) {
		return
	}
	own := n.info.schema
	base := n.Change.SQLLine
	if base <= 0 {
		base = max(n.Change.Line, 1)
	}
	sqllex.Identifiers(n.SQL, b.g.flavor, func(id sqllex.Ident) {
		cands := b.g.names.resolve(id.Parts, own)
		for _, t := range cands {
			if t == n.info {
				// The object's own name: a table and a function may share it, and the table's
				// CREATE does not depend on the function.
				return
			}
		}
		for _, t := range cands {
			if isExcluded(excluded, t, nil) {
				continue
			}
			for _, tn := range targetNodes(n, t) {
				if b.seen[tn.idx] == b.stamp || isExcluded(excluded, t, tn.Change) {
					continue
				}
				b.seen[tn.idx] = b.stamp
				b.edge(n, tn, Reference, strings.Join(id.Parts, "."), n.Change.File, base+id.Line-1)
			}
		}
	})
}

// explicit adds an Explicit edge for each entry; entries naming nothing are recorded as errors.
func (b *builder) explicit(n *Node, entries []entry) {
	for _, e := range entries {
		targets, err := b.g.resolveEntry(n.info, e.text)
		if err != nil {
			if !b.ignoredByObevo(n, e, err) {
				b.errs = append(b.errs, e.error(n, err.Error()))
			}
			continue
		}
		for _, t := range targets {
			if t.obj == n.info {
				continue
			}
			nodes := targetNodes(n, t.obj)
			if t.change != nil {
				nodes = nil
				for _, tn := range t.obj.nodes {
					if tn.Change == t.change {
						nodes = append(nodes, tn)
					}
				}
			}
			for _, tn := range nodes {
				if b.seen[tn.idx] == b.stamp {
					continue
				}
				b.seen[tn.idx] = b.stamp
				b.edge(n, tn, Explicit, e.text, e.file, e.line).attr = e.attr
			}
		}
	}
}

// resolveAll resolves exclusion entries; those naming nothing are recorded as errors.
func (b *builder) resolveAll(n *Node, entries []entry) []target {
	var out []target
	for _, e := range entries {
		targets, err := b.g.resolveEntry(n.info, e.text)
		if err != nil {
			if !b.ignoredByObevo(n, e, err) {
				b.errs = append(b.errs, e.error(n, err.Error()))
			}
			continue
		}
		out = append(out, targets...)
	}
	return out
}

func isExcluded(excluded []target, t *objInfo, c *tandem.Change) bool {
	for _, x := range excluded {
		if x.obj == t && (x.change == nil || x.change == c) {
			return true
		}
	}
	return false
}

// staticData makes each static data table load after every change of its table, and after the
// static data of every table its table references, so that parent rows load first. Static data
// for a table that the project does not define loads after the last numbered migration.
func (b *builder) staticData() {
	tables := map[qname]*objInfo{}
	for _, o := range b.g.objects {
		if o.obj.Key.Type == tandem.Table {
			tables[qname{o.schema, o.name}] = o
		}
	}
	for _, o := range b.g.objects {
		if o.obj.Key.Type != tandem.StaticData {
			continue
		}
		if t := tables[qname{o.schema, o.name}]; t != nil {
			o.table, t.data = t, o
		}
	}
	for _, o := range b.g.objects {
		if o.obj.Key.Type == tandem.StaticData && o.table == nil && b.lastVersioned != nil {
			// The table is not an object of the project, so numbered migrations make it.
			for _, n := range o.nodes {
				v := b.lastVersioned
				b.edge(n, v, Data, "migration "+v.Object.Version, n.Change.File, n.Change.Line)
			}
		}
		if o.table == nil {
			continue
		}
		b.stamp++
		for _, n := range o.nodes {
			for _, tn := range o.table.nodes {
				b.edge(n, tn, Data, tn.String(), n.Change.File, n.Change.Line)
			}
			for _, tn := range o.table.nodes {
				for _, e := range tn.out {
					parent := e.To.info
					if e.Kind != Reference && e.Kind != Explicit || parent == o.table || parent.data == nil {
						continue
					}
					for _, dn := range parent.data.nodes {
						if b.seen[dn.idx] == b.stamp {
							continue
						}
						b.seen[dn.idx] = b.stamp
						b.edge(n, dn, Data, dn.String(), e.File, e.Line).via = e
					}
				}
			}
		}
	}
}
