package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
)

// Option adjusts the suite to a store.
type Option func(*config)

type config struct {
	raw func(ctx context.Context, s tandem.SwitchStore, move, sw string) error
}

// RawWriter gives the suite the store's lowest writing layer for switches (for example a
// plain UPDATE of the switches column, or the script that SETs the Redis key). The suite writes
// every illegal pattern through it and expects each to be refused, and the move's switches to
// stay as they were. write is called with a store that open returned. Without this option the
// raw writer check is skipped, with a message saying so.
func RawWriter(write func(ctx context.Context, s tandem.SwitchStore, move, sw string) error) Option {
	return func(c *config) { c.raw = write }
}

// suite is what the subtests share.
type suite struct {
	open func(t *testing.T) tandem.SwitchStore
	cfg  config
}

// Run runs the conformance suite. open must return a fresh store that no other call of open
// shares state with (its own key prefix or database), cleaned up when t ends.
//
// The subtests run one after another, since several wait for time-to-live expiry and would be
// flaky on a loaded machine if they ran in parallel.
func Run(t *testing.T, open func(t *testing.T) tandem.SwitchStore, opts ...Option) {
	s := &suite{open: open}
	for _, o := range opts {
		o(&s.cfg)
	}
	t.Run("UnknownMove", s.testUnknownMove)
	t.Run("ForwardPath", s.testForwardPath)
	t.Run("Rollbacks", s.testRollbacks)
	t.Run("EveryPhasePair", s.testEveryPhasePair)
	t.Run("IllegalTransitions", s.testIllegalTransitions)
	t.Run("Conflict", s.testConflict)
	t.Run("Race", s.testRace)
	t.Run("Pause", s.testPause)
	t.Run("Audit", s.testAudit)
	t.Run("Subscribe", s.testSubscribe)
	t.Run("Heartbeats", s.testHeartbeats)
	t.Run("Lease", s.testLease)
	t.Run("LeaseRace", s.testLeaseRace)
	t.Run("InvalidArguments", s.testInvalidArguments)
	t.Run("ConcurrentUse", s.testConcurrentUse)
	t.Run("RawWriter", s.testRawWriter)
	t.Run("Restore", s.testRestore)
}

// ctxT returns a context that ends with the test, bounded so a hung store fails the test
// rather than the whole run.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// clockSlack is how far a time recorded by the store may be from the test's clock: a store may
// use its server's clock.
const clockSlack = 2 * time.Second

// checkTime reports an error unless got lies in [before, after], widened by clockSlack.
func checkTime(t *testing.T, what string, got, before, after time.Time) {
	t.Helper()
	if got.Before(before.Add(-clockSlack)) || got.After(after.Add(clockSlack)) {
		t.Errorf("%s = %v, want between %v and %v", what, got, before, after)
	}
}

// transition calls Transition and fails the test on an error.
func transition(ctx context.Context, t *testing.T, st tandem.SwitchStore, move string, version int64, to tandem.Phase) tandem.MoveState {
	t.Helper()
	got, err := st.Transition(ctx, move, version, to, tandem.Transition{By: "storetest", Reason: "step to " + string(to)})
	if err != nil {
		t.Fatalf("Transition(%q, version %d, %s): %v", move, version, to, err)
	}
	return got
}

// driveTo moves a move forward, one step at a time, until it is in phase target.
func driveTo(ctx context.Context, t *testing.T, st tandem.SwitchStore, move string, target tandem.Phase) tandem.MoveState {
	t.Helper()
	cur := state(ctx, t, st, move)
	for cur.Phase != target {
		next, ok := cur.Phase.Next()
		if !ok {
			t.Fatalf("driveTo(%q, %s): passed the last phase", move, target)
		}
		cur = transition(ctx, t, st, move, cur.Version, next)
	}
	return cur
}

// state calls State and fails the test on an error.
func state(ctx context.Context, t *testing.T, st tandem.SwitchStore, move string) tandem.MoveState {
	t.Helper()
	got, err := st.State(ctx, move)
	if err != nil {
		t.Fatalf("State(%q): %v", move, err)
	}
	return got
}

// eventually polls cond every 20ms until it holds or d has passed.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
