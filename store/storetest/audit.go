package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tandem-db/tandem"
)

// testPause: SetPaused bumps Version, never Epoch, keeps the phase, and takes part in the
// compare-and-set: a transition prepared before a pause conflicts.
func (s *suite) testPause(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	const move = "paused"
	steps := []struct {
		name    string
		do      func() (tandem.MoveState, error)
		phase   tandem.Phase
		version int64
		epoch   int64
		paused  bool
	}{
		{"pause an unknown move", func() (tandem.MoveState, error) { return st.SetPaused(ctx, move, true) }, tandem.PhasePending, 1, 0, true},
		{"transition keeps the pause", func() (tandem.MoveState, error) {
			return st.Transition(ctx, move, 1, tandem.PhaseDualWrite, tandem.Transition{By: "storetest"})
		}, tandem.PhaseDualWrite, 2, 1, true},
		{"resume", func() (tandem.MoveState, error) { return st.SetPaused(ctx, move, false) }, tandem.PhaseDualWrite, 3, 1, false},
		{"resume again still counts as a write", func() (tandem.MoveState, error) { return st.SetPaused(ctx, move, false) }, tandem.PhaseDualWrite, 4, 1, false},
		{"pause in backfill", func() (tandem.MoveState, error) {
			if _, err := st.Transition(ctx, move, 4, tandem.PhaseBackfill, tandem.Transition{By: "storetest"}); err != nil {
				return tandem.MoveState{}, err
			}
			return st.SetPaused(ctx, move, true)
		}, tandem.PhaseBackfill, 6, 2, true},
	}
	for _, step := range steps {
		before := time.Now()
		got, err := step.do()
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		after := time.Now()
		want := tandem.MoveState{Move: move, Phase: step.phase, Switches: step.phase.Switches(), Version: step.version, Epoch: step.epoch, Paused: step.paused, UpdatedAt: got.UpdatedAt}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s returned (-want +got):\n%s", step.name, diff)
		}
		checkTime(t, step.name+": UpdatedAt", got.UpdatedAt, before, after)
		if diff := cmp.Diff(got, state(ctx, t, st, move)); diff != "" {
			t.Errorf("%s: State differs from what was returned (-returned +State):\n%s", step.name, diff)
		}
	}
	// A transition prepared at version 5 (before the last pause) is now stale.
	if _, err := st.Transition(ctx, move, 5, tandem.PhaseVerified, tandem.Transition{}); !errors.Is(err, tandem.ErrConflict) {
		t.Errorf("transition at the version before a pause: error %v, want ErrConflict", err)
	}
	audit, err := st.Audit(ctx, move)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 {
		t.Errorf("audit has %d entries, want 2: pausing is not a transition", len(audit))
	}
}

// testAudit checks every field of the audit log, in order, and that the store fills in From,
// To, Version, Epoch, Move and At whatever the caller put there.
func (s *suite) testAudit(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	const move, other = "audited", "other"
	bogus := tandem.Transition{Move: "wrong", From: "x", To: "y", Version: 99, Epoch: 99, At: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}
	steps := []struct {
		to     tandem.Phase
		by     string
		reason string
		forced bool
	}{
		{tandem.PhaseDualWrite, "alice", "start the move", false},
		{tandem.PhaseBackfill, "bob@example.com", "", false},
		{tandem.PhasePending, "carol", "backfill too slow; \"quotes\", newlines\nand ünïcode", false},
		{tandem.PhaseDualWrite, "alice", "again", false},
		{tandem.PhaseBackfill, "alice", "", false},
		{tandem.PhaseVerified, "alice", "", false},
		{tandem.PhaseReadB, "dave", "verification skipped: table is append-only", true},
	}
	var want []tandem.Transition
	cur := tandem.MoveState{Phase: tandem.PhasePending}
	before := time.Now()
	for i, step := range steps {
		tr := bogus
		tr.By, tr.Reason, tr.Forced = step.by, step.reason, step.forced
		got, err := st.Transition(ctx, move, cur.Version, step.to, tr)
		if err != nil {
			t.Fatalf("step %d to %s: %v", i, step.to, err)
		}
		want = append(want, tandem.Transition{Move: move, From: cur.Phase, To: step.to, Version: got.Version, Epoch: int64(i + 1), By: step.by, Reason: step.reason, Forced: step.forced, At: got.UpdatedAt})
		cur = got
		if i == 1 {
			// Pauses take versions but are not transitions: the next entry's Version
			// skips them while its Epoch does not.
			for _, p := range []bool{true, false} {
				if cur, err = st.SetPaused(ctx, move, p); err != nil {
					t.Fatal(err)
				}
			}
			transition(ctx, t, st, other, 0, tandem.PhaseDualWrite)
		}
	}
	after := time.Now()
	if want[2].Version != 5 || want[2].Epoch != 3 {
		t.Fatalf("test set-up: third transition at version %d epoch %d, want 5 and 3", want[2].Version, want[2].Epoch)
	}

	got, err := st.Audit(ctx, move)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Audit (-want +got):\n%s", diff)
	}
	for i, tr := range got {
		checkTime(t, "audit At", tr.At, before, after)
		if i > 0 && tr.At.Before(got[i-1].At) {
			t.Errorf("audit entry %d at %v is before entry %d at %v", i, tr.At, i-1, got[i-1].At)
		}
	}
	others, err := st.Audit(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if len(others) != 1 || others[0].Move != other || others[0].To != tandem.PhaseDualWrite {
		t.Errorf("Audit(%q) = %+v, want its one transition to dual-write", other, others)
	}
}
