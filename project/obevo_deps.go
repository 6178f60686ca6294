package project

import (
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// dropDanglingDependencies removes, from the dependencies of every change, the entries that
// name an object or a change the project does not have, with a warning for each. Obevo ignores
// such a dependency: a migration's file is deleted once it has run everywhere, and the table
// changes that named it keep their dependencies attribute. An entry naming an object that
// another environment excludes stays: the object is in the project.
func dropDanglingDependencies(p *tandem.Project) {
	type objName struct{ schema, name string }
	objs := map[objName][]*tandem.Object{}
	for _, o := range p.Objects {
		n := strings.ToLower(o.Key.Name)
		objs[objName{"", n}] = append(objs[objName{"", n}], o)
		objs[objName{strings.ToLower(o.Key.Schema), n}] = append(objs[objName{strings.ToLower(o.Key.Schema), n}], o)
	}
	found := func(entry string) bool {
		ref, change, hasChange := strings.Cut(strings.TrimSpace(entry), "/")
		ref = strings.ToLower(ref)
		schema, name, qualified := strings.Cut(ref, ".")
		if !qualified {
			schema, name = "", ref
		}
		cands := objs[objName{schema, name}]
		if !hasChange {
			return len(cands) > 0
		}
		for _, o := range cands {
			for _, c := range o.Changes {
				if strings.EqualFold(c.Name, change) {
					return true
				}
			}
		}
		return false
	}
	keep := func(o *tandem.Object, c *tandem.Change, list []string) []string {
		out := list[:0:0]
		for _, d := range list {
			if found(d) {
				out = append(out, d)
				continue
			}
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: change %s/%s: dependency %q names nothing in the project; ignored, as Obevo ignores it (a migration whose file was deleted after it ran)",
				c.File, c.Line, o.Key, c.Name, strings.Replace(d, "/", ".", 1)))
		}
		return out
	}
	for _, o := range p.Objects {
		for _, c := range o.Changes {
			c.Attrs.Depends = keep(o, c, c.Attrs.Depends)
			c.Attrs.DependsAdd = keep(o, c, c.Attrs.DependsAdd)
			c.Attrs.DependsExclude = keep(o, c, c.Attrs.DependsExclude)
		}
	}
}
