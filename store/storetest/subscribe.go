package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
)

// deliveryDeadline is how soon a subscriber must hear of a change.
const deliveryDeadline = time.Second

// testSubscribe: a subscriber hears of transitions and pauses of any move within a second, and
// nothing more once its context ends.
func (s *suite) testSubscribe(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	got := make(chan tandem.MoveState, 256)
	if err := st.Subscribe(subCtx, func(m tandem.MoveState) {
		select {
		case got <- m:
		default: // the test stopped listening; never block the store
		}
	}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}

	// wait returns the first state delivered for move at version, failing after the deadline.
	wait := func(what, move string, version int64) tandem.MoveState {
		t.Helper()
		timeout := time.After(deliveryDeadline)
		for {
			select {
			case m := <-got:
				if m.Move == move && m.Version == version {
					return m
				}
			case <-timeout:
				t.Fatalf("%s: no notification of %q at version %d within %v", what, move, version, deliveryDeadline)
			}
		}
	}

	want := transition(ctx, t, st, "orders", 0, tandem.PhaseDualWrite)
	if m := wait("transition", "orders", 1); m.Phase != want.Phase || m.Switches != want.Switches || m.Epoch != want.Epoch {
		t.Errorf("notified state %+v, want %+v", m, want)
	}
	paused, err := st.SetPaused(ctx, "orders", true)
	if err != nil {
		t.Fatal(err)
	}
	if m := wait("pause", "orders", paused.Version); !m.Paused || m.Phase != tandem.PhaseDualWrite || m.Epoch != 1 {
		t.Errorf("notified state after a pause %+v, want paused in dual-write at epoch 1", m)
	}
	transition(ctx, t, st, "customers", 0, tandem.PhaseDualWrite)
	wait("transition of a second move", "customers", 1)
	transition(ctx, t, st, "orders", paused.Version, tandem.PhaseBackfill)
	if m := wait("second transition", "orders", paused.Version+1); m.Phase != tandem.PhaseBackfill || !m.Paused {
		t.Errorf("notified state %+v, want paused backfill", m)
	}

	// A second subscriber sees changes too; the first one's end does not end it.
	got2 := make(chan tandem.MoveState, 256)
	ctx2, cancel2 := context.WithCancel(ctx)
	defer cancel2()
	if err := st.Subscribe(ctx2, func(m tandem.MoveState) {
		select {
		case got2 <- m:
		default:
		}
	}); err != nil {
		t.Fatalf("second Subscribe: %v", err)
	}

	cancel()
	// Give the subscription time to notice its end; a delivery already under way may land.
	time.Sleep(500 * time.Millisecond)
	for len(got) > 0 {
		<-got
	}
	transition(ctx, t, st, "late", 0, tandem.PhaseDualWrite)
	timeout := time.After(deliveryDeadline)
	for done := false; !done; {
		select {
		case m := <-got2:
			done = m.Move == "late"
		case <-timeout:
			t.Fatalf("second subscriber: no notification of %q within %v", "late", deliveryDeadline)
		}
	}
	select {
	case m := <-got:
		t.Errorf("the first subscriber was called after its context ended, with %+v", m)
	case <-time.After(500 * time.Millisecond):
	}
}
