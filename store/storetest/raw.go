package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-db/tandem"
)

// illegalPatterns are the 12 four-bit patterns that are not legal, and text that is not a
// pattern at all.
var illegalPatterns = []string{
	"0000", "0001", "0010", "0100", "0101", "0110", "1000", "1001", "1010", "1011", "1110", "1111",
	"", "110", "11000", "11a0", "1 00", "ABCD",
}

// testRawWriter: every illegal pattern written through the store's lowest writing layer is
// refused, and the move keeps its switches; the legal pattern it already has is accepted, so
// the layer is not simply refusing everything.
func (s *suite) testRawWriter(t *testing.T) {
	if s.cfg.raw == nil {
		t.Skip("storetest: no raw writer given (storetest.RawWriter); the guard against illegal switch patterns below the store's API is untested")
	}
	ctx, st := ctxT(t), s.open(t)
	const move = "raw"
	before := driveTo(ctx, t, st, move, tandem.PhaseDualWrite)
	if err := s.cfg.raw(ctx, st, move, "1101"); err != nil {
		t.Fatalf("raw write of the legal pattern 1101: %v", err)
	}
	for _, sw := range illegalPatterns {
		if err := s.cfg.raw(ctx, st, move, sw); err == nil {
			t.Errorf("raw write of %q was accepted", sw)
		}
	}
	if diff := cmp.Diff(before, state(ctx, t, st, move)); diff != "" {
		t.Errorf("state changed by refused raw writes (-before +after):\n%s", diff)
	}
	// The guard does not depend on the phase: a pending move (written once, so that it
	// exists in every store) refuses them too.
	if _, err := st.SetPaused(ctx, "raw_pending", false); err != nil {
		t.Fatal(err)
	}
	for _, sw := range []string{"0000", "1111", "0110"} {
		if err := s.cfg.raw(ctx, st, "raw_pending", sw); err == nil {
			t.Errorf("raw write of %q to a pending move was accepted", sw)
		}
	}
	if got := state(ctx, t, st, "raw_pending"); got.Switches != tandem.SwitchesA {
		t.Errorf("switches of a pending move after refused raw writes = %s, want 1100", got.Switches)
	}
}
