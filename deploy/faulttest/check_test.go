package faulttest

import (
	"context"
	"fmt"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

// verdict is what a check of a database against its history found.
type verdict struct {
	// bugs are disagreements that tandem promises never happen: a recorded change whose effect
	// is missing, an effect ahead of the history on a transactional database, a torn data file.
	bugs []string
	// ahead lists statements that commit on their own (DDL on MariaDB, any statement of a
	// change with transaction=off) and took effect right after the last one recorded: the kill
	// fell between the statement's commit and its progress row.
	ahead []aheadStmt
	// records is how many rows tandem_changes had.
	records int
}

type aheadStmt struct {
	change    string
	stmt      int // 1-based
	stateless bool
}

func (a aheadStmt) String() string { return fmt.Sprintf("%s statement %d", a.change, a.stmt) }

// check compares the history of d with what its probes find in it.
func (d *database) check(ctx context.Context, m *model) (verdict, error) {
	var v verdict
	hist, err := d.history(ctx)
	if err != nil {
		return v, err
	}
	v.records = len(hist)
	recs := map[string]historyRow{}
	for _, r := range hist {
		recs[r.id()] = r
	}
	known := map[string]bool{}
	for _, c := range m.changes {
		known[c.id()] = true
		r, recorded := recs[c.id()]
		done := 0
		if recorded {
			switch tandem.RecordStatus(r.Status) {
			case tandem.Applied:
				done = len(c.stmts)
			case tandem.Partial:
				done = r.Done
			default:
				v.bugs = append(v.bugs, fmt.Sprintf("%s is recorded with status %q", c.id(), r.Status))
			}
		}
		applied := make([]bool, len(c.stmts))
		tornAt := make([]string, len(c.stmts))
		for j, p := range c.stmts {
			applied[j], tornAt[j] = d.applied(ctx, p)
		}
		for j, p := range c.stmts {
			ok, torn := applied[j], tornAt[j]
			switch {
			case torn != "":
				v.bugs = append(v.bugs, fmt.Sprintf("%s statement %d (%s) is half applied: %s", c.id(), j+1, firstLine(p.stmt), torn))
			case j < done && !ok:
				v.bugs = append(v.bugs, fmt.Sprintf("%s is recorded as %s (done %d of %d) but statement %d did not apply: %s",
					c.id(), r.Status, done, len(c.stmts), j+1, firstLine(p.stmt)))
			case j >= done && ok:
				if (p.alone || !d.kind.transactional && p.ddl) && j == done {
					v.ahead = append(v.ahead, aheadStmt{change: c.id(), stmt: j + 1, stateless: !c.typ.Stateful()})
					continue
				}
				state := "not recorded"
				if recorded {
					state = fmt.Sprintf("recorded as %s with %d of %d statements done", r.Status, done, len(c.stmts))
				}
				v.bugs = append(v.bugs, fmt.Sprintf("%s statement %d applied but the change is %s: %s", c.id(), j+1, state, firstLine(p.stmt)))
			}
		}
	}
	for _, r := range hist {
		if !known[r.id()] {
			v.bugs = append(v.bugs, fmt.Sprintf("history records %s, which the project does not have", r.id()))
		}
	}
	return v, nil
}

// state is what two deploys of one project must agree on.
type state struct {
	schema  []tandem.SnapshotObject
	history []historyRow
	events  map[string]int
}

func (d *database) state(ctx context.Context) (*state, error) {
	var s state
	var err error
	if s.schema, err = d.snapshot(ctx); err != nil {
		return nil, err
	}
	if s.history, err = d.history(ctx); err != nil {
		return nil, err
	}
	if s.events, err = d.eventCounts(ctx); err != nil {
		return nil, err
	}
	return &s, nil
}

// diff describes how got differs from want; "" when they agree. Events are compared as a set
// of changes each applied exactly once.
func (want *state) diff(got *state) string {
	var out string
	if d := cmp.Diff(want.schema, got.schema); d != "" {
		out += "schema differs (-uninterrupted +interrupted):\n" + d
	}
	if d := cmp.Diff(want.history, got.history); d != "" {
		out += "tandem_changes differs (-uninterrupted +interrupted):\n" + d
	}
	if d := cmp.Diff(want.events, got.events); d != "" {
		out += "apply/deploy/data events per change differ (-uninterrupted +interrupted):\n" + d
	}
	return out
}

// once reports the changes whose apply, deploy or data event is not there exactly once.
func once(events map[string]int, m *model) []string {
	var bad []string
	for _, c := range m.changes {
		action := "apply"
		switch c.typ {
		case tandem.View:
			action = "deploy"
		case tandem.StaticData:
			action = "data"
		}
		if n := events[action+" "+c.id()]; n != 1 {
			bad = append(bad, fmt.Sprintf("%s %s: %d events", action, c.id(), n))
		}
	}
	if n := len(events); n != len(m.changes) {
		bad = append(bad, fmt.Sprintf("%d distinct changes have events, want %d", n, len(m.changes)))
	}
	return bad
}
