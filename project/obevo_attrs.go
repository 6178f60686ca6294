package project

import (
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
)

// obevoAttrSet names the attributes Obevo accepts in one place; any other attribute is kept in
// Extra with a warning, since Obevo itself would reject it.
type obevoAttrSet map[string]bool

var (
	// obevoChangeAttrs are the attributes of a //// CHANGE line.
	obevoChangeAttrs = obevoAttrSet{
		"name": true, "dependencies": true, "includeDependencies": true, "excludeDependencies": true,
		"includeEnvs": true, "excludeEnvs": true, "includePlatforms": true, "excludePlatforms": true,
		"baselinedChanges": true, "comment": true, "applyGrants": true, "permissionScheme": true,
		"parallelGroup": true, "changeset": true,
	}
	// obevoObjectAttrs are the attributes of a //// METADATA line.
	obevoObjectAttrs = obevoAttrSet{
		"dependencies": true, "includeDependencies": true, "excludeDependencies": true,
		"includeEnvs": true, "excludeEnvs": true, "includePlatforms": true, "excludePlatforms": true,
		"permissionScheme": true, "updateTimeColumn": true, "primaryKeys": true, "order": true,
		"templateParams": true, "comment": true, "applyGrants": true,
	}
	// obevoToggles are the toggles Obevo knows. INACTIVE and DROP_TABLE map to Attrs fields;
	// the others (FK marks a foreign key change, TRIGGER and INDEX likewise) are kept in Extra.
	obevoToggles = map[string]bool{
		"INACTIVE": true, "DROP_TABLE": true, "FK": true, "TRIGGER": true, "INDEX": true,
		"DISABLE_QUOTED_IDENTIFIERS": true,
	}
)

// attrs converts a marker's attributes and toggles to tandem.Attrs. known says which attributes
// are expected on this kind of line; a nil set converts without warnings (for attributes that
// were already checked where they were written).
func (f *obevoFile) attrs(m *obevoMarker, known obevoAttrSet) tandem.Attrs {
	var a tandem.Attrs
	if m == nil {
		return a
	}
	for _, kv := range m.Attrs {
		v := kv.Value
		switch kv.Key {
		case "name":
			if known != nil && !known["name"] {
				f.unknown(m, kv.Key, "attribute")
				setExtra(&a, kv.Key, v)
			}
		case "dependencies":
			a.Depends, a.DependsSet = f.dependencies(m, v), true
		case "includeDependencies":
			a.DependsAdd = f.dependencies(m, v)
		case "excludeDependencies":
			a.DependsExclude = f.dependencies(m, v)
		case "includeEnvs":
			a.IncludeEnvs = envPatterns(v)
		case "excludeEnvs":
			a.ExcludeEnvs = envPatterns(v)
		case "includePlatforms":
			a.IncludeDialects = obevoDialects(v)
		case "excludePlatforms":
			a.ExcludeDialects = obevoDialects(v)
		case "baselinedChanges":
			a.Rebaseline = splitList(v)
		case "changeset":
			// Obevo defers a change in a changeset until a deploy names it.
			if known != nil && !known["changeset"] {
				f.unknown(m, kv.Key, "attribute")
				setExtra(&a, kv.Key, v)
				break
			}
			a.Changeset = strings.TrimSpace(v)
			if a.Changeset == "" && known != nil {
				f.errorf(m.Line, "changeset is empty; name the changeset (changeset=phaseA) or remove the attribute")
			}
		case "primaryKeys":
			a.Key = splitList(v)
		case "order":
			// Obevo deploys objects of one type that are ready together lowest order first
			// (default 500); plan reads it from Extra.
			if _, err := strconv.Atoi(strings.TrimSpace(v)); err != nil {
				f.errorf(m.Line, "order %q is not a whole number; Obevo deploys objects of one type lowest order first (default 500)", v)
			}
			setExtra(&a, kv.Key, strings.TrimSpace(v))
		case "templateParams":
			if known != nil {
				f.loader.warnf("%s:%d: templateParams (one file for several objects) is not supported; %s is read as one object", f.path, m.Line, f.path)
			}
			setExtra(&a, kv.Key, v)
		default:
			if known != nil && !known[kv.Key] {
				f.unknown(m, kv.Key, "attribute")
			}
			setExtra(&a, kv.Key, v)
		}
	}
	for _, t := range m.Toggles {
		switch t {
		case "INACTIVE":
			a.Inactive = true
		case "DROP_TABLE":
			a.Drop = true
		default:
			if known != nil && !obevoToggles[t] {
				f.unknown(m, t, "toggle")
			}
			setExtra(&a, t, "true")
		}
	}
	return a
}

func (f *obevoFile) unknown(m *obevoMarker, name, kind string) {
	f.loader.warnf("%s:%d: Obevo %s %s is unknown; kept but not acted on (check its spelling)", f.path, m.Line, kind, name)
}

// dependencies converts Obevo's dependency list to tandem's syntax. Obevo writes "object",
// "object.change", "schema.object" and "schema.object.change"; a two-part name is a schema and
// an object when the first part is a declared schema, else an object and one of its changes.
// tandem writes a change as "object/change".
func (f *obevoFile) dependencies(m *obevoMarker, v string) []string {
	var out []string
	for _, d := range splitList(v) {
		parts := strings.Split(d, ".")
		switch {
		case len(parts) == 1:
			out = append(out, d)
		case len(parts) == 2 && canonicalSchema(f.schemas, parts[0]) != "":
			out = append(out, d)
		case len(parts) == 2:
			out = append(out, parts[0]+"/"+parts[1])
		case len(parts) == 3:
			out = append(out, parts[0]+"."+parts[1]+"/"+parts[2])
		default:
			f.errorf(m.Line, "dependency %q has too many dots; write object, object.change, schema.object or schema.object.change", d)
		}
	}
	return out
}

// envPatterns converts Obevo's environment patterns, whose wildcard may be written % or *, to
// path.Match patterns.
func envPatterns(v string) []string {
	out := splitList(v)
	for i, p := range out {
		out[i] = strings.ReplaceAll(p, "%", "*")
	}
	return out
}

// obevoPlatformDialects maps Obevo platform names to tandem dialect names. Other platforms are
// lower-cased, so that a change restricted to them (HSQL, H2, DB2, ...) never applies to
// tandem's dialects and one that excludes them always does.
var obevoPlatformDialects = map[string]string{
	"POSTGRESQL": "postgres",
	"MYSQL":      "mysql",
	"MARIADB":    "mysql",
	"SQLITE":     "sqlite",
}

func obevoDialects(v string) []string {
	out := splitList(v)
	for i, p := range out {
		if d, ok := obevoPlatformDialects[strings.ToUpper(p)]; ok {
			out[i] = d
		} else {
			out[i] = strings.ToLower(p)
		}
	}
	return out
}

func cloneList(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

func setExtra(a *tandem.Attrs, k, v string) {
	if a.Extra == nil {
		a.Extra = map[string]string{}
	}
	a.Extra[k] = v
}

// cloneAttrs copies attributes so that an object and its change do not share slices or maps.
func cloneAttrs(a tandem.Attrs) tandem.Attrs {
	c := a
	clone := cloneList
	c.Depends, c.DependsAdd, c.DependsExclude = clone(a.Depends), clone(a.DependsAdd), clone(a.DependsExclude)
	c.IncludeEnvs, c.ExcludeEnvs = clone(a.IncludeEnvs), clone(a.ExcludeEnvs)
	c.IncludeDialects, c.ExcludeDialects = clone(a.IncludeDialects), clone(a.ExcludeDialects)
	c.Rebaseline, c.Key = clone(a.Rebaseline), clone(a.Key)
	if a.Extra != nil {
		c.Extra = make(map[string]string, len(a.Extra))
		for k, v := range a.Extra {
			c.Extra[k] = v
		}
	}
	return c
}
