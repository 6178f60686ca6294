package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
)

// testUnknownMove: a move nobody wrote is pending, 1100, version 0, epoch 0, with no audit.
func (s *suite) testUnknownMove(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	for _, move := range []string{"orders", "Orders_2024-v2.x", "{orders}", "münze"} {
		got := state(ctx, t, st, move)
		want := tandem.MoveState{Move: move, Phase: tandem.PhasePending, Switches: tandem.SwitchesA}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("State(%q) of an unknown move (-want +got):\n%s", move, diff)
		}
		if got.Switches.String() != "1100" {
			t.Errorf("State(%q).Switches = %s, want 1100", move, got.Switches)
		}
		audit, err := st.Audit(ctx, move)
		if err != nil {
			t.Fatalf("Audit(%q): %v", move, err)
		}
		if len(audit) != 0 {
			t.Errorf("Audit(%q) of an unknown move = %v, want nothing", move, audit)
		}
	}
}

// testForwardPath walks pending -> complete and checks every state on the way, as returned and
// as read back.
func (s *suite) testForwardPath(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	const move = "orders"
	wantSwitches := map[tandem.Phase]string{
		tandem.PhaseDualWrite: "1101", tandem.PhaseBackfill: "1101", tandem.PhaseVerified: "1101",
		tandem.PhaseReadB: "0111", tandem.PhaseWriteB: "0011", tandem.PhaseComplete: "0011",
	}
	for i, to := range tandem.Phases[1:] {
		before := time.Now()
		got := transition(ctx, t, st, move, int64(i), to)
		after := time.Now()
		want := tandem.MoveState{Move: move, Phase: to, Switches: to.Switches(), Version: int64(i + 1), Epoch: int64(i + 1), UpdatedAt: got.UpdatedAt}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Transition to %s returned (-want +got):\n%s", to, diff)
		}
		if got.Switches.String() != wantSwitches[to] {
			t.Errorf("switches in %s = %s, want %s", to, got.Switches, wantSwitches[to])
		}
		checkTime(t, "UpdatedAt after the transition to "+string(to), got.UpdatedAt, before, after)
		if diff := cmp.Diff(got, state(ctx, t, st, move)); diff != "" {
			t.Errorf("State after the transition to %s differs from what Transition returned (-returned +State):\n%s", to, diff)
		}
	}
	if _, err := st.Transition(ctx, move, 6, tandem.PhaseComplete, tandem.Transition{}); !errors.Is(err, tandem.ErrIllegalTransition) {
		t.Errorf("Transition complete -> complete: error %v, want ErrIllegalTransition", err)
	}
	// Move names are case-sensitive: ORDERS is another move, still untouched.
	if got := state(ctx, t, st, "ORDERS"); got.Version != 0 || got.Phase != tandem.PhasePending {
		t.Errorf("State(ORDERS) after moving orders = %s version %d, want pending version 0", got.Phase, got.Version)
	}
}

// testRollbacks rolls back from every phase that has a rollback target, then goes forward
// again from there.
func (s *suite) testRollbacks(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	tests := []struct {
		from, to tandem.Phase
		switches string
	}{
		{tandem.PhaseDualWrite, tandem.PhasePending, "1100"},
		{tandem.PhaseBackfill, tandem.PhasePending, "1100"},
		{tandem.PhaseVerified, tandem.PhasePending, "1100"},
		{tandem.PhaseReadB, tandem.PhaseVerified, "1101"},
		{tandem.PhaseWriteB, tandem.PhaseReadB, "0111"},
	}
	for _, tc := range tests {
		t.Run(string(tc.from), func(t *testing.T) {
			move := "rollback_" + string(tc.from)
			cur := driveTo(ctx, t, st, move, tc.from)
			got := transition(ctx, t, st, move, cur.Version, tc.to)
			want := tandem.MoveState{Move: move, Phase: tc.to, Switches: tc.to.Switches(), Version: cur.Version + 1, Epoch: cur.Epoch + 1, UpdatedAt: got.UpdatedAt}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rollback %s -> %s returned (-want +got):\n%s", tc.from, tc.to, diff)
			}
			if got.Switches.String() != tc.switches {
				t.Errorf("switches after rollback %s -> %s = %s, want %s", tc.from, tc.to, got.Switches, tc.switches)
			}
			next, _ := tc.to.Next()
			again := transition(ctx, t, st, move, got.Version, next)
			if again.Phase != next || again.Version != got.Version+1 || again.Epoch != got.Epoch+1 {
				t.Errorf("forward again after rollback = %s v%d e%d, want %s v%d e%d", again.Phase, again.Version, again.Epoch, next, got.Version+1, got.Epoch+1)
			}
		})
	}
}

// testEveryPhasePair tries every (from, to) pair, plus unknown target phases, and expects the
// store to agree with tandem.CanTransition on each.
func (s *suite) testEveryPhasePair(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	targets := append(append([]tandem.Phase{}, tandem.Phases...), "", "bogus", "PENDING")
	for _, from := range tandem.Phases {
		for j, to := range targets {
			move := fmt.Sprintf("pair_%d_%d", from.Index(), j)
			cur := driveTo(ctx, t, st, move, from)
			got, err := st.Transition(ctx, move, cur.Version, to, tandem.Transition{By: "storetest"})
			if tandem.CanTransition(from, to) {
				if err != nil {
					t.Errorf("%s -> %s: %v, want success", from, to, err)
				} else if got.Phase != to || got.Version != cur.Version+1 {
					t.Errorf("%s -> %s: got %s version %d", from, to, got.Phase, got.Version)
				}
				continue
			}
			if !errors.Is(err, tandem.ErrIllegalTransition) {
				t.Errorf("%s -> %q: error %v, want ErrIllegalTransition", from, to, err)
			}
			if diff := cmp.Diff(cur, state(ctx, t, st, move)); diff != "" {
				t.Errorf("%s -> %q was refused but changed the state (-before +after):\n%s", from, to, diff)
			}
		}
	}
}

// testIllegalTransitions names the refusals that matter most, so that a change to the phase
// rules that allowed one would fail here by name.
func (s *suite) testIllegalTransitions(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	tests := []struct {
		name     string
		from, to tandem.Phase
	}{
		{"skip dual-write", tandem.PhasePending, tandem.PhaseBackfill},
		{"skip verification", tandem.PhaseBackfill, tandem.PhaseReadB},
		{"skip read-b", tandem.PhaseVerified, tandem.PhaseWriteB},
		{"repeat pending", tandem.PhasePending, tandem.PhasePending},
		{"repeat dual-write", tandem.PhaseDualWrite, tandem.PhaseDualWrite},
		{"repeat write-b", tandem.PhaseWriteB, tandem.PhaseWriteB},
		{"write-b straight to pending", tandem.PhaseWriteB, tandem.PhasePending},
		{"write-b straight to dual-write", tandem.PhaseWriteB, tandem.PhaseDualWrite},
		{"read-b to pending", tandem.PhaseReadB, tandem.PhasePending},
		{"complete to write-b", tandem.PhaseComplete, tandem.PhaseWriteB},
		{"complete to pending", tandem.PhaseComplete, tandem.PhasePending},
		{"complete to read-b", tandem.PhaseComplete, tandem.PhaseReadB},
		{"unknown phase", tandem.PhasePending, "dual_write"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			move := fmt.Sprintf("illegal_%d", i)
			cur := driveTo(ctx, t, st, move, tc.from)
			_, err := st.Transition(ctx, move, cur.Version, tc.to, tandem.Transition{By: "storetest", Forced: true, Reason: "forcing does not make a step legal"})
			if !errors.Is(err, tandem.ErrIllegalTransition) {
				t.Fatalf("%s -> %s: error %v, want ErrIllegalTransition", tc.from, tc.to, err)
			}
			if diff := cmp.Diff(cur, state(ctx, t, st, move)); diff != "" {
				t.Errorf("refused transition changed the state (-before +after):\n%s", diff)
			}
			audit, err := st.Audit(ctx, move)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(audit)) != cur.Version {
				t.Errorf("audit has %d entries after a refused transition, want %d", len(audit), cur.Version)
			}
		})
	}
}

// testConflict: a stale or future version is refused with ErrConflict, and checked before
// legality, so the loser of a race (whose step is now a repeat) learns that it lost a race.
func (s *suite) testConflict(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	const move = "orders"
	cur := driveTo(ctx, t, st, move, tandem.PhaseBackfill) // version 2
	tests := []struct {
		name    string
		version int64
		to      tandem.Phase
	}{
		{"stale version, legal step", 1, tandem.PhaseVerified},
		{"stale version, repeated step", 1, tandem.PhaseBackfill},
		{"version 0 of a written move", 0, tandem.PhaseDualWrite},
		{"future version", 3, tandem.PhaseVerified},
		{"negative version", -1, tandem.PhaseVerified},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := st.Transition(ctx, move, tc.version, tc.to, tandem.Transition{By: "storetest"})
			if !errors.Is(err, tandem.ErrConflict) {
				t.Fatalf("Transition at version %d: error %v, want ErrConflict", tc.version, err)
			}
			if diff := cmp.Diff(cur, state(ctx, t, st, move)); diff != "" {
				t.Errorf("conflicting transition changed the state (-before +after):\n%s", diff)
			}
		})
	}
	// A version taken from an unknown move is 0; a transition of another move at version 0
	// must not be affected by this one.
	if got := transition(ctx, t, st, "other", 0, tandem.PhaseDualWrite); got.Version != 1 {
		t.Errorf("first transition of another move: version %d, want 1", got.Version)
	}
}

// testRace: many callers race the same transition from the same version; exactly one wins and
// the others get ErrConflict, at every step of the path.
func (s *suite) testRace(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	const move, racers = "raced", 16
	for i, to := range tandem.Phases[1:] {
		version := int64(i)
		var wg sync.WaitGroup
		errs := make([]error, racers)
		start := make(chan struct{})
		for r := range racers {
			wg.Go(func() {
				<-start
				_, errs[r] = st.Transition(ctx, move, version, to, tandem.Transition{By: fmt.Sprintf("racer %d", r)})
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
				t.Errorf("step to %s, racer %d: error %v, want nil or ErrConflict", to, r, err)
			}
		}
		if wins != 1 {
			t.Fatalf("step to %s: %d racers won, want exactly 1", to, wins)
		}
		if got := state(ctx, t, st, move); got.Phase != to || got.Version != version+1 || got.Epoch != version+1 {
			t.Fatalf("after the race to %s: %s version %d epoch %d, want %s version %d epoch %d", to, got.Phase, got.Version, got.Epoch, to, version+1, version+1)
		}
	}
	audit, err := st.Audit(ctx, move)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != len(tandem.Phases)-1 {
		t.Errorf("audit after the races has %d entries, want %d (one per won race)", len(audit), len(tandem.Phases)-1)
	}
}
