package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
)

// testInvalidArguments: names that could collide with a store's own keys, and times to live
// that could never be live, are refused rather than stored.
func (s *suite) testInvalidArguments(t *testing.T) {
	ctx, st := ctxT(t), s.open(t)
	badMoves := []string{"", "orders:state", "has space", "tab\there", "new\nline", strings.Repeat("m", 129), "bad\xffutf8"}
	for _, move := range badMoves {
		if _, err := st.State(ctx, move); err == nil {
			t.Errorf("State(%q) accepted an invalid move name", move)
		}
		if _, err := st.Transition(ctx, move, 0, tandem.PhaseDualWrite, tandem.Transition{}); err == nil {
			t.Errorf("Transition(%q) accepted an invalid move name", move)
		}
		if _, err := st.SetPaused(ctx, move, true); err == nil {
			t.Errorf("SetPaused(%q) accepted an invalid move name", move)
		}
		if _, err := st.Audit(ctx, move); err == nil {
			t.Errorf("Audit(%q) accepted an invalid move name", move)
		}
	}
	if _, err := st.State(ctx, strings.Repeat("m", 128)); err != nil {
		t.Errorf("State of a 128-byte move name: %v", err)
	}

	h := tandem.Heartbeat{Instance: "host:1:2", CodeVersion: "v1"}
	for _, ttl := range []time.Duration{0, -time.Second} {
		if err := st.Heartbeat(ctx, h, ttl); err == nil {
			t.Errorf("Heartbeat with time to live %v accepted", ttl)
		}
		if _, err := st.Lease(ctx, "r", "a", ttl); err == nil {
			t.Errorf("Lease with time to live %v accepted", ttl)
		}
	}
	if err := st.Heartbeat(ctx, tandem.Heartbeat{}, time.Minute); err == nil {
		t.Error("Heartbeat without an instance id accepted")
	}
	if _, err := st.Lease(ctx, "", "a", time.Minute); err == nil {
		t.Error("Lease of an empty resource name accepted")
	}
	if _, err := st.Lease(ctx, "r", "", time.Minute); err == nil {
		t.Error("Lease for an empty holder accepted")
	}
	got, err := st.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("refused heartbeats were recorded: %v", got)
	}
}
