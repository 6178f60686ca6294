package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem"
)

// DefinitionsAt folds events (oldest first) into what was in force after the last of them, for
// every stateless object and static data: the event of its last deploy (or data sync, baseline,
// rebaseline), or nothing when its last event dropped it. Events of stateful objects are
// ignored: their changes are undone from the records.
func DefinitionsAt(events []tandem.Event) map[tandem.ObjectKey]tandem.Event {
	out := map[tandem.ObjectKey]tandem.Event{}
	for _, e := range events {
		if e.Type.Stateful() {
			continue
		}
		k := tandem.Key(e.Schema, e.Type, e.Object)
		switch e.Action {
		case tandem.EventDeploy, tandem.EventBaseline, tandem.EventRebaseline, tandem.EventData:
			out[k] = e
		case tandem.EventDrop:
			delete(out, k)
		}
	}
	return out
}

// FindRun resolves the run id or tag a rollback is told to return to: "0" is before the first
// run; a tag names the latest run that has it.
func FindRun(runs []tandem.Run, to string) (int64, error) {
	if to == "" {
		return 0, fmt.Errorf("no run given to roll back to: name a run by its id or tag")
	}
	if id, err := strconv.ParseInt(to, 10, 64); err == nil {
		if id == 0 {
			return 0, nil // before the first run: roll everything back
		}
		for _, r := range runs {
			if r.ID == id {
				return id, nil
			}
		}
	}
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].Tag != "" && runs[i].Tag == to {
			return runs[i].ID, nil
		}
	}
	var known []string
	for _, r := range runs {
		if r.Command == "deploy" {
			label := strconv.FormatInt(r.ID, 10)
			if r.Tag != "" {
				label += " (" + r.Tag + ")"
			}
			known = append(known, label)
		}
	}
	sort.Strings(known)
	return 0, fmt.Errorf("no run with id or tag %q; deploy runs are: %s (0 rolls everything back)", to, strings.Join(known, ", "))
}

// currentProject rebuilds, from the history, a project of what is deployed now, so that the
// planner can order it.
func currentProject(records []tandem.Record) *tandem.Project {
	p := &tandem.Project{}
	byKey := map[tandem.ObjectKey]*tandem.Object{}
	for _, r := range records {
		k := r.Key()
		o := byKey[k]
		if o == nil {
			o = HistoryObject(k, r.Object, r.Change, r.Definition, r.File)
			byKey[k] = o
			p.Objects = append(p.Objects, o)
			continue
		}
		o.Changes = append(o.Changes, &tandem.Change{Object: k, Name: r.Change, SQL: r.Definition, File: r.File, Line: 1, SQLLine: 1, Seq: len(o.Changes)})
	}
	for _, o := range p.Objects {
		if o.Key.Type == tandem.StaticData {
			o.Data = &tandem.Data{}
		}
	}
	return p
}

// HistoryObject is an object made from the history, for the planner to order and the engine
// to run: one change, named change, of SQL sqlText, written in file, the file its record names.
// An object the history holds no record of now (a definition dropped since) has no known file:
// file is then HistoryFile(k), which says where the SQL came from. name is the object's name as
// written (the key's when empty).
func HistoryObject(k tandem.ObjectKey, name, change, sqlText, file string) *tandem.Object {
	if name == "" {
		name = k.Name
	}
	if file == "" {
		file = HistoryFile(k)
	}
	o := &tandem.Object{Key: k, Name: name, Schema: k.Schema, Format: tandem.FormatNative, File: file, Version: k.Name}
	o.Changes = []*tandem.Change{{Object: k, Name: change, SQL: sqlText, File: file, Line: 1, SQLLine: 1}}
	return o
}

// HistoryFile is the "file" of a definition read back from the history when no record names
// its file: it says so, rather than pass the object's key off as a path.
func HistoryFile(k tandem.ObjectKey) string { return "(history of " + k.String() + ")" }

// dependentsOf returns the keys in changed plus every object of g that depends, transitively,
// on one of them.
func dependentsOf(g *Graph, changed map[tandem.ObjectKey]bool) map[tandem.ObjectKey]bool {
	out := map[tandem.ObjectKey]bool{}
	for k := range changed {
		out[k] = true
	}
	for grew := true; grew; {
		grew = false
		for _, ed := range g.Edges {
			from, to := ed.From.Object.Key, ed.To.Object.Key
			if out[to] && !out[from] {
				out[from] = true
				grew = true
			}
		}
	}
	return out
}

// recordOf finds the first record of an object.
func recordOf(records []tandem.Record, k tandem.ObjectKey) (tandem.Record, bool) {
	for _, r := range records {
		if r.Key() == k {
			return r, true
		}
	}
	return tandem.Record{}, false
}

// findRecord finds the record of one change (names compare without case).
func findRecord(records []tandem.Record, k tandem.ObjectKey, change string) (tandem.Record, bool) {
	for _, r := range records {
		if r.Key() == k && strings.EqualFold(r.Change, change) {
			return r, true
		}
	}
	return tandem.Record{}, false
}

// sortedKeys returns the keys of m in key order, so that a plan does not depend on map order.
func sortedKeys(m map[tandem.ObjectKey]tandem.Event) []tandem.ObjectKey {
	keys := make([]tandem.ObjectKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return lessKey(keys[i], keys[j]) })
	return keys
}
