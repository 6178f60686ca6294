package plan

import (
	"sort"
	"strings"

	"github.com/tandem-db/tandem"
)

// qname is a lower-case (logical schema, name) pair.
type qname struct{ schema, name string }

// nameIndex finds objects by name. Lookups are hash lookups on lexer identifiers, so discovering
// references costs time in proportion to the SQL scanned, never objects × objects.
type nameIndex struct {
	logical  map[string]bool   // logical schemas, lower case
	physical map[string]string // physical schema -> logical, where the environment renames it
	targets  map[qname][]*objInfo
	all      map[qname][]*objInfo // every object, applicable here or not, for depends entries
	allNames map[string][]*objInfo
}

func newNameIndex(p *tandem.Project, env *tandem.Environment, objs []*objInfo) *nameIndex {
	ix := &nameIndex{
		logical:  map[string]bool{},
		physical: map[string]string{},
		targets:  make(map[qname][]*objInfo, len(objs)),
		all:      make(map[qname][]*objInfo, len(objs)),
		allNames: make(map[string][]*objInfo, len(objs)),
	}
	for _, s := range p.Config.Schemas {
		ix.logical[strings.ToLower(s)] = true
	}
	for _, o := range objs {
		ix.logical[o.schema] = true
		q := qname{o.schema, o.name}
		ix.all[q] = append(ix.all[q], o)
		ix.allNames[o.name] = append(ix.allNames[o.name], o)
		if o.applies() && isTarget(o.obj.Key.Type) {
			ix.targets[q] = append(ix.targets[q], o)
		}
	}
	ix.mapPhysical(env)
	return ix
}

// mapPhysical maps the environment's physical schema names back to logical ones, in sorted order
// so that two logical schemas mapped to one physical name resolve the same way on every run.
func (ix *nameIndex) mapPhysical(env *tandem.Environment) {
	logical := make([]string, 0, len(ix.logical))
	for s := range ix.logical {
		logical = append(logical, s)
	}
	sort.Strings(logical)
	for _, l := range logical {
		phys := strings.ToLower(env.PhysicalSchema(l))
		if _, taken := ix.physical[phys]; phys != l && !taken {
			ix.physical[phys] = l
		}
	}
}

// isTarget reports whether objects of type t can be the target of a reference found in SQL.
// Triggers, static data and migrations are never named by other SQL, so a word that happens to
// match one is not a dependency.
func isTarget(t tandem.ObjectType) bool {
	switch t {
	case tandem.Trigger, tandem.StaticData, tandem.Migration, tandem.Versioned, tandem.Repeatable:
		return false
	}
	return true
}

// schemaOf maps a schema name written in SQL (logical or physical, any case) to the logical
// schema. A physical name wins, because it is what the database resolves.
func (ix *nameIndex) schemaOf(s string) (string, bool) {
	ls := strings.ToLower(s)
	if l, ok := ix.physical[ls]; ok {
		return l, true
	}
	if ix.logical[ls] {
		return ls, true
	}
	return "", false
}

// resolve returns the objects an identifier written in an object of schema own may name (see
// qualify).
func (ix *nameIndex) resolve(parts []string, own string) []*objInfo {
	q, ok := ix.qualify(parts, own)
	if !ok {
		return nil
	}
	return ix.targets[q]
}

// qualify says which (schema, name) an identifier written in an object of schema own names:
//
//   - name: name in own schema (unqualified names resolve in the object's own schema only);
//   - schema.name and a.schema.name: name in schema (the last two parts);
//   - schema.table.column: table in schema, when the last two parts are not schema.name;
//   - table.column (or alias.column): table in own schema.
func (ix *nameIndex) qualify(parts []string, own string) (qname, bool) {
	n := len(parts)
	switch {
	case n == 0:
		return qname{}, false
	case n == 1:
		return qname{own, strings.ToLower(parts[0])}, true
	}
	if s, ok := ix.schemaOf(parts[n-2]); ok {
		return qname{s, strings.ToLower(parts[n-1])}, true
	}
	if n >= 3 {
		if s, ok := ix.schemaOf(parts[n-3]); ok {
			return qname{s, strings.ToLower(parts[n-2])}, true
		}
	}
	return qname{own, strings.ToLower(parts[0])}, true
}

// withSchemas returns a copy of the schema maps that also knows the given logical schemas (those
// of recorded objects that the project no longer has), for reading recorded definitions.
func (ix *nameIndex) withSchemas(env *tandem.Environment, extra []string) *nameIndex {
	c := &nameIndex{logical: map[string]bool{}, physical: map[string]string{}}
	for s := range ix.logical {
		c.logical[s] = true
	}
	for _, s := range extra {
		c.logical[strings.ToLower(s)] = true
	}
	c.mapPhysical(env)
	return c
}
