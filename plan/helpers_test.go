package plan

import (
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// Helpers build small projects by hand, the way the loader in package project would, so that
// these tests depend on nothing but the root package.

func testEnv() *tandem.Environment {
	return &tandem.Environment{Name: "dev"}
}

func project(objs ...*tandem.Object) *tandem.Project {
	return &tandem.Project{Config: tandem.Config{Schemas: []string{"app"}}, Objects: objs}
}

// chg is a change of a stateful object: name and SQL, with optional attributes.
type chg struct {
	name  string
	sql   string
	attrs tandem.Attrs
}

// newObject makes an object without changes, in file <type>/<Name>.sql (or
// <schema>/<type>/<Name>.sql outside schema app).
func newObject(schema string, typ tandem.ObjectType, name string) *tandem.Object {
	file := string(typ) + "/" + name + ".sql"
	if schema != "app" {
		file = schema + "/" + file
	}
	return &tandem.Object{Key: tandem.Key(schema, typ, name), Name: name, Schema: schema, File: file, Format: tandem.FormatNative}
}

// stateless makes a view, function, trigger ... whose whole file is sql.
func stateless(schema string, typ tandem.ObjectType, name, sql string) *tandem.Object {
	o := newObject(schema, typ, name)
	o.Changes = []*tandem.Change{{Object: o.Key, Name: name, File: o.File, Line: 1, SQL: sql, SQLLine: 1}}
	return o
}

// stateful makes a table (or other stateful object) whose file holds one "-- tandem:change"
// marker line per change, each followed by its SQL.
func stateful(schema string, typ tandem.ObjectType, name string, changes ...chg) *tandem.Object {
	o := newObject(schema, typ, name)
	line := 1
	for i, c := range changes {
		o.Changes = append(o.Changes, &tandem.Change{Object: o.Key, Name: c.name, File: o.File, Line: line,
			SQL: c.sql, SQLLine: line + 1, Seq: i, Attrs: c.attrs})
		line += 1 + strings.Count(c.sql, "\n") + 1
	}
	return o
}

func table(name string, changes ...chg) *tandem.Object {
	return stateful("app", tandem.Table, name, changes...)
}

func view(name, sql string) *tandem.Object { return stateless("app", tandem.View, name, sql) }

func staticData(name string, cols []string, rows ...[]string) *tandem.Object {
	o := newObject("app", tandem.StaticData, name)
	o.File = "staticdata/" + name + ".csv"
	o.Format = tandem.FormatCSV
	o.Data = &tandem.Data{Columns: cols}
	for i, r := range rows {
		row := tandem.DataRow{Line: i + 2}
		for _, v := range r {
			if v == "NULL" {
				row.Values = append(row.Values, nil)
				continue
			}
			v := v
			row.Values = append(row.Values, &v)
		}
		o.Data.Rows = append(o.Data.Rows, row)
	}
	return o
}

func versioned(version, name, sql string) *tandem.Object {
	o := &tandem.Object{Key: tandem.Key("app", tandem.Versioned, version+"_"+name), Name: version + "_" + name, Schema: "app",
		File: fmt.Sprintf("migrations/%s_%s.sql", version, name), Format: tandem.FormatGoose, Version: version}
	o.Changes = []*tandem.Change{{Object: o.Key, Name: o.Name, File: o.File, Line: 1, SQL: sql, SQLLine: 2}}
	return o
}

// mustBuild builds p for environment dev on postgres.
func mustBuild(p *tandem.Project) *Graph {
	g, err := Build(p, Options{Env: testEnv(), Dialect: "postgres"})
	if err != nil {
		panic(err)
	}
	return g
}

// edgeStrings renders edges as "from -> to (reason)".
func edgeStrings(edges []*Edge) []string {
	out := make([]string, len(edges))
	for i, e := range edges {
		out[i] = e.String()
	}
	return out
}

// crossEdges renders the edges between different objects, leaving out each stateful object's
// own sequence, which most tests take for granted.
func crossEdges(g *Graph) []string {
	var out []string
	for _, e := range g.Edges {
		if e.From.Object != e.To.Object {
			out = append(out, e.String())
		}
	}
	return out
}

func nodeNames(nodes []*Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.String()
	}
	return out
}
