package plan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

// fakeHistory keeps records and events the way the engine writes them, so that a test can
// deploy releases of a project and then plan a rollback against what they left.
type fakeHistory struct {
	t       *testing.T
	run     int64
	records []tandem.Record
	events  []tandem.Event
}

// deploy plans p against the records and records every step as the engine does when it runs
// it, in a new run.
func (h *fakeHistory) deploy(p *tandem.Project) {
	h.t.Helper()
	h.run++
	pl, err := Diff(mustBuild(p), h.records)
	if err != nil {
		h.t.Fatalf("deploy run %d: %v", h.run, err)
	}
	if len(pl.Problems) > 0 {
		h.t.Fatalf("deploy run %d: problems %+v", h.run, pl.Problems)
	}
	for _, st := range pl.Steps {
		h.ran(st)
	}
}

// ran records one step that ran.
func (h *fakeHistory) ran(st Step) {
	k := st.Key
	ev := tandem.Event{ID: int64(len(h.events) + 1), RunID: h.run, Schema: k.Schema, Type: k.Type, Object: k.Name}
	switch st.Action {
	case ActionDrop, ActionUndo:
		h.forget(k, st.Record.Change)
		ev.Action, ev.Change, ev.Hash, ev.Kind = tandem.EventDrop, st.Record.Change, st.Record.Hash, st.Record.Kind
		if st.Action == ActionUndo {
			ev.Action, ev.SQL = tandem.EventUndo, st.Node.Rollback
		} else {
			ev.SQL = st.Record.Definition
		}
	default:
		n := st.Node
		rec := tandem.Record{Schema: k.Schema, Type: k.Type, Object: k.Name, Change: n.Change.Name, Hash: n.Hash,
			Status: tandem.Applied, Rollback: n.Rollback, Definition: n.SQL, RunID: h.run, File: n.Change.File, Kind: tandem.KindOf(n.Object)}
		ev.Action, ev.Change, ev.Hash, ev.Kind = tandem.EventDeploy, n.Change.Name, n.Hash, rec.Kind
		switch {
		case st.Action == ActionApply:
			ev.Action = tandem.EventApply
		case st.Action == ActionData && n.Object.Data != nil:
			def, _ := json.Marshal(n.Object.Data)
			rec.Definition = string(def)
			ev.Action, ev.SQL = tandem.EventData, rec.Definition
		case st.Action == ActionData:
			ev.Action, ev.SQL = tandem.EventData, n.SQL
		default:
			ev.SQL = n.SQL
		}
		h.forget(k, n.Change.Name)
		h.records = append(h.records, rec)
	}
	h.events = append(h.events, ev)
}

func (h *fakeHistory) forget(k tandem.ObjectKey, change string) {
	out := h.records[:0]
	for _, r := range h.records {
		if r.Key() != k || !strings.EqualFold(r.Change, change) {
			out = append(out, r)
		}
	}
	h.records = out
}

// rollback plans the rollback to run target with project p (may be nil).
func (h *fakeHistory) rollback(target int64, p *tandem.Project) (*RollbackPlan, error) {
	in := RollbackInput{Target: target, Records: h.records, Project: p, Options: Options{Env: testEnv(), Dialect: "postgres"}}
	for _, ev := range h.events {
		if ev.RunID > target {
			in.After = append(in.After, ev)
		} else {
			in.UpTo = append(in.UpTo, ev)
		}
	}
	return Rollback(in)
}

// rollbackStrings renders steps as "action what: reason | what it runs".
func rollbackStrings(steps []Step) []string {
	var out []string
	for _, st := range steps {
		what := st.Key.String()
		if st.Node != nil {
			what = st.Node.String()
		}
		s := fmt.Sprintf("%s %s: %s", st.Action, what, st.Reason)
		switch {
		case st.Action == ActionUndo:
			s += " | " + st.Node.Rollback
		case st.Action == ActionData && st.Node.Object.Data != nil:
			s += fmt.Sprintf(" | %d rows", len(st.Node.Object.Data.Rows))
		case st.Node != nil:
			s += " | " + strings.TrimSpace(st.Node.SQL)
		}
		out = append(out, s)
	}
	return out
}

// withRollbacks sets the rollback of o's changes, by change name.
func withRollbacks(o *tandem.Object, rollbacks map[string]string) *tandem.Object {
	for _, c := range o.Changes {
		if rb, ok := rollbacks[c.Name]; ok {
			c.Rollback, c.HasRollback, c.RollbackLine = rb, true, c.Line+2
		}
	}
	return o
}
