package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// entry is one depends entry with where it is written.
type entry struct {
	text string
	attr string // the attribute, as its file format spells it
	file string
	line int
}

func (e entry) error(n *Node, reason string) *ReferenceError {
	return &ReferenceError{File: e.file, Line: e.line, Change: n.Change.ID(), Attr: e.attr, Entry: e.text, Reason: reason}
}

// depAttrs are the depends attributes of a change, merged with those of its object.
type depAttrs struct {
	set     []entry // non-nil when the dependencies found in SQL are replaced
	add     []entry
	exclude []entry
}

// attrsOf merges the object's depends attributes (Obevo's METADATA line, a native
// "-- tandem:object" line) with the change's. A change's own replacing list wins over its
// object's.
func attrsOf(n *Node) depAttrs {
	obj, c := n.Object, n.Change
	oa, ca := &obj.Attrs, &c.Attrs
	var a depAttrs
	names := attrNames(obj.Format)
	at := func(list []string, attr, file string, line int) []entry {
		out := make([]entry, 0, len(list))
		for _, s := range list {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, entry{text: s, attr: attr, file: file, line: line})
			}
		}
		return out
	}
	objLine := 1
	switch {
	case ca.DependsSet:
		a.set = at(ca.Depends, names.set, c.File, c.Line)
	case oa.DependsSet:
		a.set = at(oa.Depends, names.set, obj.File, objLine)
	}
	a.add = append(at(oa.DependsAdd, names.add, obj.File, objLine), at(ca.DependsAdd, names.add, c.File, c.Line)...)
	a.exclude = append(at(oa.DependsExclude, names.exclude, obj.File, objLine), at(ca.DependsExclude, names.exclude, c.File, c.Line)...)
	return a
}

// attrSpelling is how a file format spells the depends attributes.
type attrSpelling struct{ set, add, exclude string }

func attrNames(f tandem.Format) attrSpelling {
	if f == tandem.FormatObevo {
		return attrSpelling{"dependencies", "includeDependencies", "excludeDependencies"}
	}
	return attrSpelling{"depends", "depends+", "depends-"}
}

// target is what a depends entry names: an object, or one change of it.
type target struct {
	obj    *objInfo
	change *tandem.Change // nil for the whole object
}

// resolveEntry resolves a depends entry written in object from: "name", "schema.name",
// "type.name", "schema.type.name", each optionally followed by "/change". A bare name is looked
// up in the object's own schema, then in the other schemas if it names objects in just one. The
// entry may name an object that does not apply to this environment: it is then no error, and no
// edge.
func (g *Graph) resolveEntry(from *objInfo, text string) ([]target, error) {
	ref, change, hasChange := strings.Cut(text, "/")
	objs, err := g.lookup(from, ref)
	if err != nil {
		return nil, err
	}
	if !hasChange {
		out := make([]target, len(objs))
		for i, o := range objs {
			out[i] = target{obj: o}
		}
		return out, nil
	}
	var out []target
	for _, o := range objs {
		for _, c := range o.obj.Changes {
			if strings.EqualFold(c.Name, change) {
				out = append(out, target{obj: o, change: c})
				break
			}
		}
	}
	if len(out) == 0 {
		keys := make([]string, len(objs))
		for i, o := range objs {
			keys[i] = o.obj.Key.String()
		}
		return nil, &missingError{fmt.Sprintf("names change %q, which %s does not have", change, strings.Join(keys, " or "))}
	}
	return out, nil
}

// lookup finds the objects a reference names (see resolveEntry). from may be nil, for names
// given outside any object (Explain): a bare name then matches in every schema.
func (g *Graph) lookup(from *objInfo, ref string) ([]*objInfo, error) {
	ix := g.names
	parts := strings.Split(strings.TrimSpace(ref), ".")
	for i, p := range parts {
		parts[i] = strings.ToLower(strings.TrimSpace(p))
		if parts[i] == "" {
			return nil, fmt.Errorf("is not a name")
		}
	}
	own := ""
	if from != nil {
		own = from.schema
	}
	ofType := func(list []*objInfo, t string) []*objInfo {
		var out []*objInfo
		for _, o := range list {
			if string(o.obj.Key.Type) == t {
				out = append(out, o)
			}
		}
		return out
	}
	var found []*objInfo
	switch len(parts) {
	case 1:
		if from != nil {
			found = ix.all[qname{own, parts[0]}]
		}
		if len(found) == 0 {
			found = ix.allNames[parts[0]]
			if from != nil && len(schemasOf(found)) > 1 {
				return nil, fmt.Errorf("is ambiguous: it names %s; qualify it with the schema", keysOf(found))
			}
		}
	case 2:
		if s, ok := ix.schemaOf(parts[0]); ok {
			found = ix.all[qname{s, parts[1]}]
		}
		if len(found) == 0 && tandem.ObjectType(parts[0]).Valid() {
			if from != nil {
				found = ofType(ix.all[qname{own, parts[1]}], parts[0])
			}
			if len(found) == 0 {
				found = ofType(ix.allNames[parts[1]], parts[0])
				if from != nil && len(schemasOf(found)) > 1 {
					return nil, fmt.Errorf("is ambiguous: it names %s; qualify it with the schema", keysOf(found))
				}
			}
		}
	case 3:
		if s, ok := ix.schemaOf(parts[0]); ok {
			found = ofType(ix.all[qname{s, parts[2]}], parts[1])
		}
	default:
		return nil, fmt.Errorf("has too many parts")
	}
	if len(found) == 0 {
		return nil, &missingError{"names no object in the project"}
	}
	return found, nil
}

func schemasOf(list []*objInfo) map[string]bool {
	s := map[string]bool{}
	for _, o := range list {
		s[o.schema] = true
	}
	return s
}

func keysOf(list []*objInfo) string {
	keys := make([]string, len(list))
	for i, o := range list {
		keys[i] = o.obj.Key.String()
	}
	return strings.Join(keys, ", ")
}

// missingError is a dependency entry that names an object or a change the project lacks.
type missingError struct{ msg string }

func (e *missingError) Error() string { return e.msg }

// ignoredByObevo reports whether a dependency entry of n that failed to resolve with err is
// dropped with a warning instead: Obevo ignores a dependency on something the project lacks (a
// migration's file is deleted once it ran everywhere, and the table changes that named it keep
// their dependencies attribute). An entry that is not a name, or is ambiguous, stays an error.
func (b *builder) ignoredByObevo(n *Node, e entry, err error) bool {
	var me *missingError
	if n.Object.Format != tandem.FormatObevo || !errors.As(err, &me) {
		return false
	}
	b.g.Warnings = append(b.g.Warnings, fmt.Sprintf("%s:%d: change %s: %s entry %q %s; ignored, as Obevo ignores it", e.file, e.line, n.Change.ID(), e.attr, e.text, err))
	return true
}
