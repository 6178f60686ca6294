package plan

import (
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// undoing is one recorded stateful change to roll back.
type undoing struct {
	rec      tandem.Record
	rollback string
	file     string // where the rollback is written, for messages
	line     int
	// format is the format of the file the change is written in: an Obevo rollback section is
	// Obevo SQL, its statements separated by GO lines like the change's own.
	format tandem.Format
}

// step is the undo step of u. Its node carries what the engine runs: Node.Rollback, written at
// Node.Change.File line Node.Change.RollbackLine, in the format Node.Object.Format; an empty
// rollback (a change recorded without running, by a baseline) is undone by forgetting it.
func (u undoing) step() Step {
	k := u.rec.Key()
	obj := HistoryObject(k, u.rec.Object, u.rec.Change, "", u.rec.File)
	if u.format != "" {
		obj.Format = u.format
	}
	rec := u.rec
	return Step{Action: ActionUndo, Key: k, Record: &rec, Reason: "undo",
		Node: &Node{Object: obj, Rollback: u.rollback,
			Change: &tandem.Change{Object: k, Name: u.rec.Change, File: u.file, RollbackLine: u.line}}}
}

// changesToUndo lists the stateful changes applied after the target, newest first, and refuses
// when any of them cannot be undone. A change of an Obevo file that has no rollback section is
// not refused but kept, deployed and recorded, as Obevo keeps it: kept names them, for a warning.
func changesToUndo(records []tandem.Record, events []tandem.Event, p *tandem.Project) (out []undoing, kept []string, err error) {
	var missing []string
	seen := map[string]bool{}
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		if !ev.Type.Stateful() {
			continue
		}
		k := tandem.Key(ev.Schema, ev.Type, ev.Object)
		id := k.String() + "/" + ev.Change
		if seen[id] {
			continue
		}
		seen[id] = true
		rec, ok := findRecord(records, k, ev.Change)
		if !ok {
			continue // already undone
		}
		switch ev.Action {
		case tandem.EventRebaseline:
			return nil, nil, fmt.Errorf("%s was rebaselined after the target run; roll back to a run after that rebaseline", id)
		case tandem.EventBaseline:
			out = append(out, undoing{rec: rec}) // recorded without running: forgetting it undoes it
			continue
		}
		rb, file, line, format := rec.Rollback, rec.File, 0, recordFormat(p, rec)
		if p != nil {
			if o, c := projectObjectChange(p, k, ev.Change, rec.File); c != nil {
				format = o.Format
				if strings.TrimSpace(rb) == "" {
					rb = c.Rollback
					if c.HasRollback && strings.TrimSpace(rb) == "" {
						rb = NothingToUndo
					}
				}
				file, line = c.File, c.RollbackLine
				if c.RollbackFile != "" {
					file = c.RollbackFile
				}
			}
		}
		if strings.TrimSpace(rb) == "" && format == tandem.FormatObevo {
			kept = append(kept, fmt.Sprintf("%s (%s)", id, rec.File))
			continue
		}
		if strings.TrimSpace(rb) == "" {
			where := rec.File
			if where == "" {
				where = id
			}
			missing = append(missing, fmt.Sprintf("%s (%s)", id, where))
			continue
		}
		out = append(out, undoing{rec: rec, rollback: rb, file: file, line: line, format: format})
	}
	if len(missing) > 0 {
		return nil, nil, tandem.WithHint(fmt.Errorf("nothing was run: these changes have no rollback section:\n  %s", strings.Join(missing, "\n  ")),
			tandem.Hint{Code: tandem.HintRollbackAgain, Text: "add a rollback section (-- tandem:rollback) to each, then roll back again"})
	}
	return out, kept, nil
}

// correctRollbacks makes the changes to undo run the project's rollback where the project has
// corrected it since the deploy and the change itself is unchanged (RollbackCorrections); the
// rollback recorded at deploy time stays in use for changes the project no longer has. It
// returns the corrections used. When the project cannot be built, every change keeps its
// recorded rollback, and the error says why.
func correctRollbacks(p *tandem.Project, opts Options, records []tandem.Record, undo []undoing) ([]RollbackCorrection, error) {
	g, err := Build(p, opts)
	if err != nil {
		return nil, err
	}
	fixes := RollbackCorrections(g, records)
	var used []RollbackCorrection
	for i, u := range undo {
		if u.rollback == "" {
			continue // recorded without running (baseline): forgetting it undoes it
		}
		for _, c := range fixes {
			if c.Record.Key() != u.rec.Key() || !strings.EqualFold(c.Record.Change, u.rec.Change) {
				continue
			}
			file := c.Node.Change.File
			if c.Node.Change.RollbackFile != "" {
				file = c.Node.Change.RollbackFile
			}
			undo[i].rollback, undo[i].file, undo[i].line = c.Node.Rollback, file, c.Node.Change.RollbackLine
			used = append(used, c)
		}
	}
	return used, nil
}

// recordFormat is the format of the file a recorded change was written in, as far as the
// project tells: that of the change's object, else of an object written in the same file. A
// rollback to an earlier release reads that release, which may lack the change but not its file.
func recordFormat(p *tandem.Project, rec tandem.Record) tandem.Format {
	if p == nil {
		return ""
	}
	if o := p.Object(rec.Key()); o != nil {
		return o.Format
	}
	for _, o := range p.Objects {
		if rec.File != "" && o.File == rec.File {
			return o.Format
		}
	}
	return ""
}

// projectObjectChange finds a change in the project, and the object it belongs to, preferring
// the one from file: a popx version is one object per database, all with the same key and
// change name, and the record names the file that was deployed, whose down file is the one to
// run.
func projectObjectChange(p *tandem.Project, k tandem.ObjectKey, change, file string) (*tandem.Object, *tandem.Change) {
	var firstO *tandem.Object
	var first *tandem.Change
	for _, o := range p.Objects {
		if o.Key != k {
			continue
		}
		for _, c := range o.Changes {
			if !strings.EqualFold(c.Name, change) {
				continue
			}
			if c.File == file {
				return o, c
			}
			if first == nil {
				firstO, first = o, c
			}
		}
	}
	return firstO, first
}

// changesToRedo lists the stateful changes that were deployed at the end of the target run and
// were undone after it (withdrawn by a ROLLBACK-IF-ALREADY-DEPLOYED section, as in Obevo's
// rollback scenario): a rollback to the target applies them again, as Obevo's rollback deploy
// of the earlier release does. Their SQL comes from the project, in the project's order; a
// change the project does not have refuses the rollback before anything runs.
func changesToRedo(records []tandem.Record, events []tandem.Event, p *tandem.Project, opts Options) ([]Step, error) {
	first := map[string]tandem.EventAction{}
	undone := map[string]tandem.Event{}
	var want []string // in order of the events, for a stable message
	for _, ev := range events {
		if !ev.Type.Stateful() {
			continue
		}
		id := tandem.Key(ev.Schema, ev.Type, ev.Object).String() + "/" + strings.ToLower(ev.Change)
		if _, ok := first[id]; !ok {
			first[id] = ev.Action
			if ev.Action != tandem.EventUndo {
				continue
			}
			if _, ok := findRecord(records, tandem.Key(ev.Schema, ev.Type, ev.Object), ev.Change); ok {
				continue // deployed again since
			}
			undone[id] = ev
			want = append(want, id)
		}
	}
	if len(undone) == 0 {
		return nil, nil
	}
	var out []Step
	if p != nil {
		g, err := Build(p, opts)
		if err != nil {
			return nil, fmt.Errorf("order the project to apply again the changes undone after the target: %w", err)
		}
		order, err := g.Order()
		if err != nil {
			return nil, fmt.Errorf("order the project to apply again the changes undone after the target: %w", err)
		}
		for _, n := range order {
			id := n.Object.Key.String() + "/" + strings.ToLower(n.Change.Name)
			if _, ok := undone[id]; ok && n.Object.Stateful() {
				out = append(out, Step{Action: ActionApply, Key: n.Object.Key, Node: n, Reason: "undone after the target run"})
				delete(undone, id)
			}
		}
	}
	var missing []string
	for _, id := range want {
		if _, ok := undone[id]; ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, tandem.WithHint(fmt.Errorf("nothing was run: these changes were deployed at the end of the target run and undone after it, and the project given does not have them to apply again:\n  %s", strings.Join(missing, "\n  ")),
			tandem.Hint{Code: tandem.HintProjectFolder, Text: "roll back with the project of the target release, where these changes are written and active"})
	}
	return out, nil
}
