package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tandem-db/tandem"
)

// lostState is what a coordinator would restore for move: the five transitions to write-b,
// then a pause (version 6, epoch 5).
func lostState(move string) (tandem.MoveState, []tandem.Transition) {
	at := time.Date(2026, 1, 2, 15, 4, 5, 123456000, time.UTC)
	var audit []tandem.Transition
	for i, to := range tandem.Phases[1:6] {
		audit = append(audit, tandem.Transition{Move: move, From: tandem.Phases[i], To: to, Version: int64(i + 1), Epoch: int64(i + 1),
			By: "storetest", Reason: "step to " + string(to), Forced: i == 2, At: at.Add(time.Duration(i) * time.Minute)})
	}
	st := tandem.MoveState{Move: move, Phase: tandem.PhaseWriteB, Switches: tandem.SwitchesB, Version: 6, Epoch: 5, Paused: true}
	return st, audit
}

// testRestore: Restore writes a lost state and audit back into an empty store, notifies
// subscribers, and lets the move go on from there; it is a compare-and-set from the empty state
// (a move with a transition, a restored move, or a version as high refuses it with ErrConflict,
// and of racing restores exactly one wins); it refuses states that CheckRestore refuses.
func (s *suite) testRestore(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	heard := make(chan tandem.MoveState, 64)
	if err := st.Subscribe(subCtx, func(m tandem.MoveState) {
		select {
		case heard <- m:
		default:
		}
	}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}

	want, audit := lostState("orders")
	before := time.Now()
	got, err := st.Restore(ctx, want, audit)
	if err != nil {
		t.Fatalf("Restore into an empty store: %v", err)
	}
	checkTime(t, "UpdatedAt of the restored state", got.UpdatedAt, before, time.Now())
	want.UpdatedAt = got.UpdatedAt
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Restore returned (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(got, state(ctx, t, st, "orders")); diff != "" {
		t.Errorf("State after Restore differs from what Restore returned (-returned +State):\n%s", diff)
	}
	if gotAudit, err := st.Audit(ctx, "orders"); err != nil {
		t.Fatal(err)
	} else if diff := cmp.Diff(audit, gotAudit, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Audit after Restore (-restored +read back):\n%s", diff)
	}
	deadline := time.After(deliveryDeadline)
	for done := false; !done; {
		select {
		case m := <-heard:
			done = m.Move == "orders" && m.Version == 6 && m.Phase == tandem.PhaseWriteB && m.Epoch == 5
		case <-deadline:
			t.Fatalf("no notification of the restored state within %v", deliveryDeadline)
		}
	}

	// Restoring again, over a restored move, is a conflict.
	again, againAudit := lostState("orders")
	again.Version = 9
	if _, err := st.Restore(ctx, again, againAudit); !errors.Is(err, tandem.ErrConflict) {
		t.Errorf("Restore over a restored move: %v, want ErrConflict", err)
	}
	// The move goes on from the restored version and epoch.
	next := transition(ctx, t, st, "orders", 6, tandem.PhaseComplete)
	if next.Version != 7 || next.Epoch != 6 || next.Switches != tandem.SwitchesB || !next.Paused {
		t.Errorf("transition after Restore = %+v, want complete at version 7, epoch 6, still paused", next)
	}
	if a, err := st.Audit(ctx, "orders"); err != nil || len(a) != 6 || a[5].From != tandem.PhaseWriteB || a[5].Version != 7 {
		t.Errorf("audit after a transition from the restored state: %+v, %v; want the 5 restored entries and write-b -> complete at version 7", a, err)
	}

	// A move that had a transition in this store is not empty, whatever its version.
	driveTo(ctx, t, st, "started", tandem.PhaseDualWrite)
	lost, lostAudit := lostState("started")
	if _, err := st.Restore(ctx, lost, lostAudit); !errors.Is(err, tandem.ErrConflict) {
		t.Errorf("Restore over a move in dual-write: %v, want ErrConflict", err)
	}
	if got := state(ctx, t, st, "started"); got.Phase != tandem.PhaseDualWrite || got.Version != 1 {
		t.Errorf("a refused Restore changed the move: %+v", got)
	}

	// A move that was only paused since the store lost it (epoch 0) is restored, over a lower
	// version only.
	for range 2 {
		if _, err := st.SetPaused(ctx, "paused", false); err != nil {
			t.Fatal(err)
		}
	}
	low, lowAudit := lostState("paused")
	low.Phase, low.Switches, low.Version, low.Epoch = tandem.PhaseBackfill, tandem.SwitchesDual, 2, 2
	if _, err := st.Restore(ctx, low, lowAudit[:2]); !errors.Is(err, tandem.ErrConflict) {
		t.Errorf("Restore at version 2 over a paused move at version 2: %v, want ErrConflict", err)
	}
	up, upAudit := lostState("paused")
	if got, err := st.Restore(ctx, up, upAudit); err != nil || got.Version != 6 || got.Phase != tandem.PhaseWriteB {
		t.Errorf("Restore at version 6 over a move only paused (version 2, epoch 0): %+v, %v", got, err)
	}

	// Invalid states and audits are refused, and leave the move alone.
	invalid := map[string]func(*tandem.MoveState, *[]tandem.Transition){
		"switches of another phase": func(m *tandem.MoveState, _ *[]tandem.Transition) { m.Switches = tandem.SwitchesReadB },
		"unknown phase":             func(m *tandem.MoveState, _ *[]tandem.Transition) { m.Phase = "bogus" },
		"epoch 0":                   func(m *tandem.MoveState, _ *[]tandem.Transition) { m.Epoch = 0 },
		"version below epoch":       func(m *tandem.MoveState, _ *[]tandem.Transition) { m.Version = 4 },
		"audit of another move":     func(_ *tandem.MoveState, a *[]tandem.Transition) { (*a)[0].Move = "other" },
		"falling audit versions":    func(_ *tandem.MoveState, a *[]tandem.Transition) { (*a)[1].Version = 1 },
		"audit beyond the version":  func(m *tandem.MoveState, _ *[]tandem.Transition) { m.Version, m.Epoch = 4, 4 },
		"audit ends elsewhere": func(m *tandem.MoveState, _ *[]tandem.Transition) {
			m.Phase, m.Switches = tandem.PhaseComplete, tandem.SwitchesB
		},
	}
	i := 0
	for name, spoil := range invalid {
		move := fmt.Sprintf("invalid_%d", i)
		i++
		m, a := lostState(move)
		spoil(&m, &a)
		if _, err := st.Restore(ctx, m, a); err == nil {
			t.Errorf("Restore with %s was accepted", name)
		}
		if got := state(ctx, t, st, move); got.Version != 0 || got.Phase != tandem.PhasePending {
			t.Errorf("a refused Restore (%s) wrote the move: %+v", name, got)
		}
	}

	// Of many coordinators restoring the same move at once, exactly one does it.
	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	start := make(chan struct{})
	for r := range racers {
		wg.Go(func() {
			<-start
			m, a := lostState("raced")
			_, errs[r] = st.Restore(context.WithoutCancel(ctx), m, a)
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for r, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, tandem.ErrConflict):
			t.Errorf("racing Restore %d: %v, want nil or ErrConflict", r, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d racing restores won, want exactly 1", wins)
	}
	if a, err := st.Audit(ctx, "raced"); err != nil || len(a) != 5 {
		t.Errorf("audit after racing restores: %d entries, %v; want 5", len(a), err)
	}
}
