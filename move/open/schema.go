package open

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/move"
)

// moveTableSchema returns the logical schema of a move's table written without one, on a
// database with schemas: the schema of the project's table of that name, else the project's
// only schema. "" (the session's default schema, where numbered migrations run) when the
// project declares none or has numbered migrations; an error when it has several schemas and
// the table is in none of them, or in more than one.
func moveTableSchema(p *tandem.Project, def *tandem.MoveDefinition, t tandem.MoveTable) (string, error) {
	found := map[string]string{}
	migrations := false
	for _, o := range p.Objects {
		if o.Key.Schema == "" {
			migrations = true
		}
		if o.Key.Type == tandem.Table && strings.EqualFold(o.Key.Name, t.Name) && o.Key.Schema != "" {
			found[strings.ToLower(o.Key.Schema)] = o.Schema
		}
	}
	if len(found) == 1 {
		for _, s := range found {
			return s, nil
		}
	}
	if len(found) == 0 && migrations {
		return "", nil
	}
	schemas := p.Config.Schemas
	if len(found) > 1 {
		schemas = nil
		for _, s := range found {
			schemas = append(schemas, s)
		}
		sort.Strings(schemas)
	}
	switch len(schemas) {
	case 0:
		return "", nil
	case 1:
		return schemas[0], nil
	}
	return "", fmt.Errorf("move %s: %s:%d: table %s has no schema and the project has several (%s); write {schema: %s, table: %s}",
		def.Name, def.File, t.Line, t.Name, strings.Join(schemas, ", "), schemas[0], t.Name)
}

// physicalSchemas maps each logical schema of the project that env places elsewhere to its
// physical name, for move.MapSchemas.
func physicalSchemas(p *tandem.Project, env *tandem.Environment) map[string]string {
	out := map[string]string{}
	add := func(s string) {
		if s == "" {
			return
		}
		if phys := env.PhysicalSchema(s); !strings.EqualFold(phys, s) {
			out[strings.ToLower(s)] = phys
		}
	}
	for _, s := range p.Config.Schemas {
		add(s)
	}
	for _, o := range p.Objects {
		add(o.Schema)
	}
	return out
}

// resolveExprs returns a copy of def whose mapping and throttle check (run over A) and reverse
// mapping (over B) name the physical schemas of the environments that hold A and B.
func resolveExprs(def *tandem.MoveDefinition, physA, physB map[string]string, quoteA, quoteB func(string) string) *tandem.MoveDefinition {
	out := *def
	mapAll := func(cols []tandem.ColumnMap, phys map[string]string, quote func(string) string) []tandem.ColumnMap {
		res := make([]tandem.ColumnMap, len(cols))
		for i, c := range cols {
			c.Expr = move.MapSchemas(c.Expr, phys, quote)
			res[i] = c
		}
		return res
	}
	out.Mapping = mapAll(def.Mapping, physA, quoteA)
	out.Reverse = mapAll(def.Reverse, physB, quoteB)
	out.Throttle.Check = move.MapSchemas(def.Throttle.Check, physA, quoteA)
	return &out
}
