package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/textdiff"
)

// Diff compares the graph with the recorded history and returns the steps of a deploy and the
// problems found. It returns a *CycleError when the graph cannot be ordered; problems do not
// stop it.
//
// Stateful changes: a change not recorded is applied (or, when it rebaselines recorded changes,
// rebaselined); one recorded with the same hash needs nothing; one recorded with another hash is
// a ProblemEdited; a partial record is resumed when the change is unchanged, and a
// ProblemPartial otherwise; a recorded change the project no longer has is a ProblemDeleted
// unless a rebaseline retires it.
//
// Stateless objects: one not recorded is deployed; one recorded with another hash is dropped
// and deployed; one recorded but gone is dropped. Every deployed stateless object that depends,
// transitively, on one that is dropped is dropped before and deployed after. When a deployed
// table or sequence depends on a stateless object, that object is replaced in place instead,
// since dropping it would take the table's column or default with it.
//
// A numbered migration not recorded whose version is below the highest version recorded is a
// ProblemOutOfOrder, unless the environment allows out-of-order migrations: then it is applied,
// and its step's OutOfOrder names that highest version.
//
// Static data is synchronised when its hash differs from the record, when it is not recorded,
// or when its table has a change applied in this plan.
//
// A step of a change in a changeset that Options.Changesets does not select, or of a change
// depending on one, is moved to Plan.Deferred. A selected name that no change carries is an
// error.
func Diff(g *Graph, records []tandem.Record) (*Plan, error) {
	order, err := g.Order()
	if err != nil {
		return nil, err
	}
	if err := g.checkChangesets(); err != nil {
		return nil, err
	}
	d := newDiffer(g, records)
	fates := d.fates()
	pl := &Plan{Steps: d.undos()}
	pl.Steps = append(pl.Steps, d.drops(fates)...)
	applied := map[*objInfo]bool{} // tables with a change applied in this plan
	for _, n := range order {
		key := n.Object.Key
		switch {
		case key.Type == tandem.StaticData:
			d.data(pl, n, applied)
		case n.Object.Stateful():
			if d.stateful(pl, n) {
				applied[n.info] = true
			}
		case key.Type == tandem.Repeatable:
			r := d.objectRecord(key)
			switch {
			case r == nil:
				pl.Steps = append(pl.Steps, Step{Action: ActionDeploy, Node: n, Key: key, Reason: "new object"})
			case r.Hash != n.Hash || r.Status == tandem.Partial:
				pl.Steps = append(pl.Steps, Step{Action: ActionDeploy, Node: n, Key: key, Record: r, Reason: "definition changed"})
			case n.Change.Attrs.Always:
				pl.Steps = append(pl.Steps, Step{Action: ActionDeploy, Node: n, Key: key, Record: r, Reason: "runs on every deploy"})
			}
		default:
			r := d.objectRecord(key)
			if r == nil {
				pl.Steps = append(pl.Steps, Step{Action: ActionDeploy, Node: n, Key: key, Reason: "new object"})
			} else if f := fates[key]; f != nil && f.deploy {
				pl.Steps = append(pl.Steps, Step{Action: ActionDeploy, Node: n, Key: key, Record: r, Reason: f.reason})
			}
		}
	}
	pl.Problems = append(pl.Problems, d.deleted()...)
	deferChangesets(g, pl)
	return pl, nil
}

// differ holds the history indexed for one Diff.
type differ struct {
	g        *Graph
	records  []*tandem.Record // sorted by key, then change
	byChange map[changeKey]*tandem.Record
	byObject map[tandem.ObjectKey]*tandem.Record // the first record of each object
	retired  map[changeKey]bool                  // changes named by a rebaseline in the project
	// highest is the highest version of a deployed numbered migration ("" when none is), and
	// highestFile the file it was deployed from.
	highest, highestFile string
}

func newDiffer(g *Graph, records []tandem.Record) *differ {
	d := &differ{
		g:        g,
		byChange: make(map[changeKey]*tandem.Record, len(records)),
		byObject: make(map[tandem.ObjectKey]*tandem.Record, len(records)),
		retired:  map[changeKey]bool{},
	}
	for i := range records {
		d.records = append(d.records, &records[i])
	}
	sort.SliceStable(d.records, func(i, j int) bool {
		a, b := d.records[i], d.records[j]
		if ka, kb := a.Key(), b.Key(); ka != kb {
			return lessKey(ka, kb)
		}
		return a.Change < b.Change
	})
	for _, r := range d.records {
		ck := changeKey{r.Key(), strings.ToLower(r.Change)}
		if _, dup := d.byChange[ck]; !dup {
			d.byChange[ck] = r
		}
		if _, dup := d.byObject[ck.key]; !dup {
			d.byObject[ck.key] = r
		}
	}
	for _, n := range g.Nodes {
		for _, name := range n.Change.Attrs.Rebaseline {
			d.retired[changeKey{n.Object.Key, strings.ToLower(strings.TrimSpace(name))}] = true
		}
	}
	for _, r := range d.records {
		if r.Type != tandem.Versioned {
			continue
		}
		if v := d.recordVersion(r); d.highest == "" || tandem.CompareVersions(v, d.highest) > 0 {
			d.highest, d.highestFile = v, r.File
		}
	}
	return d
}

// recordVersion returns the version of a deployed numbered migration: the version of the
// project's migration with the record's key, or, for one the project no longer has, the key's
// name, which the loader makes the canonical version.
func (d *differ) recordVersion(r *tandem.Record) string {
	k := r.Key()
	for _, o := range d.g.names.all[qname{k.Schema, k.Name}] {
		if o.obj.Key == k && o.obj.Version != "" {
			return o.obj.Version
		}
	}
	return r.Object
}

// outOfOrder reports whether n is a numbered migration below the highest version deployed.
func (d *differ) outOfOrder(n *Node) bool {
	v := n.Object.Version
	return n.Object.Key.Type == tandem.Versioned && v != "" && d.highest != "" && tandem.CompareVersions(v, d.highest) < 0
}

// lessKey orders object keys as the graph orders objects: type rank, schema, name.
func lessKey(a, b tandem.ObjectKey) bool {
	if ra, rb := a.Type.Rank(), b.Type.Rank(); ra != rb {
		return ra < rb
	}
	if a.Schema != b.Schema {
		return a.Schema < b.Schema
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Type < b.Type
}

func (d *differ) objectRecord(k tandem.ObjectKey) *tandem.Record { return d.byObject[k] }

// stateful adds the step or problem of one stateful change, and reports whether it applies SQL.
func (d *differ) stateful(pl *Plan, n *Node) bool {
	key, c := n.Object.Key, n.Change
	r := d.byChange[changeKey{key, strings.ToLower(c.Name)}]
	if r == nil {
		if names := d.recordedOf(key, c.Attrs.Rebaseline); len(names) > 0 {
			pl.Steps = append(pl.Steps, Step{Action: ActionRebaseline, Node: n, Key: key,
				Reason: "replaces " + strings.Join(names, ", ") + ", deployed"})
			return false
		}
		if d.outOfOrder(n) {
			if !d.g.opts.Env.OutOfOrder {
				pl.Problems = append(pl.Problems, Problem{Kind: ProblemOutOfOrder, Key: key, Change: c.Name, File: c.File, Line: c.Line,
					Hint: fmt.Sprintf("version %s is lower than %s, the highest version deployed (%s); give the migration a version above %s (rename the file), or, if it is meant to run out of order, allow it with out_of_order: true in the environment in tandem.yaml or for one deploy",
						n.Object.Version, d.highest, d.highestFile, d.highest), HintCode: tandem.HintOutOfOrder})
				return false
			}
			pl.Steps = append(pl.Steps, Step{Action: ActionApply, Node: n, Key: key, OutOfOrder: d.highest,
				Reason: "new change, out of order: below version " + d.highest + ", deployed"})
			return true
		}
		pl.Steps = append(pl.Steps, Step{Action: ActionApply, Node: n, Key: key, Reason: "new change"})
		return true
	}
	if r.Status == tandem.Partial {
		if r.Hash == n.Hash || resumable(n, r, d.g.opts.Dialect) {
			pl.Steps = append(pl.Steps, Step{Action: ActionApply, Node: n, Key: key, Record: r,
				Reason: fmt.Sprintf("resume after statement %d", r.Done)})
			return true
		}
		pl.Problems = append(pl.Problems, Problem{Kind: ProblemPartial, Key: key, Change: c.Name, File: c.File, Line: c.Line,
			Diff: d.textDiff(r, n),
			Hint: fmt.Sprintf("the first %d statement(s) of this change ran before it failed, and it was edited since; restore the first %d statement(s) as they were to resume after them, or finish the change by hand and then record it as deployed", r.Done, r.Done)})
		return false
	}
	if r.Hash != n.Hash {
		pl.Problems = append(pl.Problems, Problem{Kind: ProblemEdited, Key: key, Change: c.Name, File: c.File, Line: c.Line,
			Diff: d.textDiff(r, n), Hint: editedHint(n), HintCode: editedHintCode(n)})
	}
	return false
}

// recordedOf returns the names in list that are recorded changes of the object.
func (d *differ) recordedOf(key tandem.ObjectKey, list []string) []string {
	var out []string
	for _, name := range list {
		name = strings.TrimSpace(name)
		if d.byChange[changeKey{key, strings.ToLower(name)}] != nil {
			out = append(out, name)
		}
	}
	return out
}

func (d *differ) textDiff(r *tandem.Record, n *Node) string {
	// Both texts are trimmed bodies: end them alike, so the diff does not report a missing final
	// newline that neither file lacks.
	return textdiff.Unified(r.Definition+"\n", n.SQL+"\n", "deployed "+n.Change.ID(), n.Change.File)
}

func editedHint(n *Node) string {
	switch n.Object.Format {
	case tandem.FormatObevo:
		return fmt.Sprintf("add a new change instead; if this edit is intended, mark a new change with baselinedChanges=%q, or roll back", n.Change.Name)
	case tandem.FormatGoose, tandem.FormatGolangMigrate, tandem.FormatFlyway, tandem.FormatPlain, tandem.FormatSqitch, tandem.FormatLiquibase,
		tandem.FormatPopx, tandem.FormatDiesel, tandem.FormatDbmate, tandem.FormatAtlas:
		return "restore the migration as it was deployed and make the edit in a new migration, or roll back; if the edit changes nothing in the database (a comment, formatting), accept it with a rebaseline"
	}
	return fmt.Sprintf("add a new change instead; if this edit is intended, mark a new change with rebaseline=%s, or roll back; if the edit changes nothing in the database, accept it with a rebaseline", n.Change.Name)
}

// editedHintCode is HintRebaseline where editedHint offers a rebaseline.
func editedHintCode(n *Node) tandem.HintCode {
	if n.Object.Format == tandem.FormatObevo {
		return ""
	}
	return tandem.HintRebaseline
}

// deleted returns a ProblemDeleted for every recorded stateful change that the project no longer
// has, in key order.
func (d *differ) deleted() []Problem {
	var out []Problem
	for _, r := range d.records {
		key := r.Key()
		ck := changeKey{key, strings.ToLower(r.Change)}
		if !key.Type.Stateful() || d.g.known[ck] || d.retired[ck] || d.byChange[ck] != r {
			continue
		}
		if key.Type == tandem.Migration && d.obevoProject() {
			continue // Obevo: a migration's file may be deleted once it ran; its record stays
		}
		hint := fmt.Sprintf("restore the change in %s; to retire it, add a change with rebaseline=%s to the object, or roll it back before deleting it", r.File, r.Change)
		switch {
		case key.Type == tandem.Versioned:
			hint = fmt.Sprintf("restore the migration %s, or roll it back before deleting it", r.File)
		case d.formatOf(key) == tandem.FormatObevo:
			hint = fmt.Sprintf("restore the change in %s; to retire it, add a change with baselinedChanges=%q to the object, or roll it back before deleting it", r.File, r.Change)
		}
		out = append(out, Problem{Kind: ProblemDeleted, Key: key, Change: r.Change, File: r.File, Hint: hint})
	}
	return out
}

// obevoProject reports whether the project is an Obevo one (the Obevo reader reads a project
// whole, so one Obevo object makes it one).
func (d *differ) obevoProject() bool {
	for _, o := range d.g.Nodes {
		if o.Object.Format == tandem.FormatObevo {
			return true
		}
	}
	return false
}

// formatOf returns the file format of the object with key k in the project, or "".
func (d *differ) formatOf(k tandem.ObjectKey) tandem.Format {
	for _, o := range d.g.names.all[qname{k.Schema, k.Name}] {
		if o.obj.Key == k {
			return o.obj.Format
		}
	}
	return ""
}

// data adds the data step of a static data table, when it needs one.
func (d *differ) data(pl *Plan, n *Node, applied map[*objInfo]bool) {
	key := n.Object.Key
	r := d.objectRecord(key)
	reason := ""
	switch {
	case r == nil:
		reason = "new data"
	case r.Hash != n.Hash:
		reason = "csv changed"
	case n.info.table != nil && applied[n.info.table]:
		reason = describe(n.info.table.obj.Key) + " changed"
	default:
		return
	}
	pl.Steps = append(pl.Steps, Step{Action: ActionData, Node: n, Key: key, Record: r, Reason: reason})
}

// describe names an object for reasons: "view app.v2".
func describe(k tandem.ObjectKey) string {
	if k.Schema == "" {
		return string(k.Type) + " " + k.Name
	}
	return string(k.Type) + " " + k.Schema + "." + k.Name
}

func lower(s string) string { return strings.ToLower(s) }
