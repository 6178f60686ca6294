package plan

import (
	"fmt"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/sqllex"
)

// Options say where a plan is for.
type Options struct {
	// Env is the environment deployed to: its name, tokens and schema map. Build refuses nil.
	Env *tandem.Environment
	// Dialect is "postgres", "mysql" or "sqlite". It selects the changes restricted to dialects
	// and the lexer's rules.
	Dialect string
	// Changesets selects the changesets Diff plans; the others are deferred (Plan.Deferred).
	Changesets Changesets
}

// Node is one change that applies in this environment.
type Node struct {
	Object *tandem.Object
	Change *tandem.Change
	// SQL is the change's body with tokens replaced: ${name} for each Env.Tokens entry,
	// ${<schema>_physicalName} for every project schema (the Obevo convention) and ${env}. A
	// ${name} that is none of these is left as written.
	SQL string
	// Rollback is the change's rollback with tokens replaced.
	Rollback string
	// Hash is the hex SHA-256 of the normalized SQL (comments removed, whitespace folded), so
	// that reformatting a change does not make it edited. For static data it is a hash of the
	// parsed columns and rows.
	Hash string

	idx  int      // position in Graph.Nodes
	info *objInfo // the object's entry in the graph
	out  []*Edge  // edges whose From is this node: what it depends on
	in   []*Edge  // edges whose To is this node: what depends on it
}

// Key returns the key of the node's object.
func (n *Node) Key() tandem.ObjectKey { return n.Object.Key }

// String names the node for messages: the object key, followed by "/change" for a stateful
// object (a stateless object has one change, named after it).
func (n *Node) String() string {
	if n.Object.Stateful() || len(n.Object.Changes) > 1 {
		return n.Change.ID()
	}
	return n.Object.Key.String()
}

// EdgeKind says why an edge exists. Its value reads as the start of a reason:
// "references V2 at view/V1.sql:3".
type EdgeKind string

// The kinds of edges.
const (
	// Reference: the identifier Ident in the SQL of From names To's object.
	Reference EdgeKind = "references"
	// Explicit: a depends attribute of From names To (Ident is the entry as written).
	Explicit EdgeKind = "depends on"
	// Sequence: To is the previous applicable change of the same object, or the previous numbered
	// migration (Ident names it).
	Sequence EdgeKind = "follows"
	// Data: static data loads after its table, and after the static data of the tables its table
	// references, so that rows load parent first.
	Data EdgeKind = "loads after"
	// Container: an object is created after the schema object it lives in.
	Container EdgeKind = "is in"
)

// Edge says that From must run after To, and why.
type Edge struct {
	From, To *Node
	Kind     EdgeKind
	// Ident is what the reason names: the identifier as written for a Reference, the entry as
	// written for an Explicit edge, the previous change for a Sequence, the table or parent data
	// for Data.
	Ident string
	// File and Line say where the reference or attribute is written.
	File string
	Line int

	attr string // for Explicit edges: the attribute as its file format spells it
	via  *Edge  // for Data edges between static data: the reference of one table to the other
}

// Reason explains the edge: "references V2 at view/V1.sql:3".
func (e *Edge) Reason() string {
	r := string(e.Kind)
	if e.Ident != "" {
		r += " " + e.Ident
	}
	if e.File != "" {
		r += fmt.Sprintf(" at %s:%d", e.File, e.Line)
	}
	return r
}

// String renders the edge with its reason: "app.view.v1 -> app.view.v2 (references V2 at
// view/V1.sql:3)".
func (e *Edge) String() string {
	return fmt.Sprintf("%s -> %s (%s)", e.From, e.To, e.Reason())
}

// Graph holds the changes that apply in one environment and the dependencies between them.
type Graph struct {
	// Nodes are in a deterministic order (object type rank, schema, name, change position) that
	// does not depend on the order of the project's objects; Order gives the deploy order.
	Nodes []*Node
	// Edges are in the order they were found, which is deterministic too.
	Edges []*Edge
	// Warnings are dependency entries of Obevo changes that name nothing in the project, which
	// Obevo ignores and so does the graph; each says file:line, change and entry.
	Warnings []string

	opts    Options
	flavor  sqllex.Flavor
	objects []*objInfo // applicable objects, in node order
	names   *nameIndex
	// known holds every change written in the project, applicable here or not, so that Diff
	// tells a deleted change from one that is merely restricted to other environments.
	known map[changeKey]bool
	// withdrawn are changes that Obevo's ROLLBACK-IF-ALREADY-DEPLOYED withdraws: undone where
	// they are deployed.
	withdrawn []*Node
	// present holds the key of every object in the project, applicable here or not.
	present map[tandem.ObjectKey]bool
}

// Options returns the options the graph was built with.
func (g *Graph) Options() Options { return g.opts }

// objInfo is an object of the project as the graph sees it.
type objInfo struct {
	obj    *tandem.Object
	schema string  // logical schema, lower case
	name   string  // lower case
	nodes  []*Node // applicable changes in file order; empty when the object does not apply
	data   *objInfo
	table  *objInfo // for static data: its table, when the project has it
}

func (o *objInfo) applies() bool { return len(o.nodes) > 0 }

// changeKey names one change: object key and lower-cased change name.
type changeKey struct {
	key    tandem.ObjectKey
	change string
}
