package tandem

import (
	"errors"
	"testing"
)

func TestSwitchesRoundTripAndLegality(t *testing.T) {
	legal := map[string]bool{"1100": true, "1101": true, "0111": true, "0011": true}
	for i := range 16 {
		s := string([]byte{'0' + byte(i>>3&1), '0' + byte(i>>2&1), '0' + byte(i>>1&1), '0' + byte(i&1)})
		sw, err := ParseSwitches(s)
		if err != nil {
			t.Fatalf("ParseSwitches(%q): %v", s, err)
		}
		if got := sw.String(); got != s {
			t.Errorf("ParseSwitches(%q).String() = %q", s, got)
		}
		if sw.Legal() != legal[s] {
			t.Errorf("%s legal = %v, want %v", s, sw.Legal(), legal[s])
		}
	}
	for _, bad := range []string{"", "110", "11000", "11a0", "1 00"} {
		if _, err := ParseSwitches(bad); !errors.Is(err, errBadSwitches) {
			t.Errorf("ParseSwitches(%q) error = %v", bad, err)
		}
	}
}

func TestPhaseTransitions(t *testing.T) {
	tests := []struct {
		from, to Phase
		ok       bool
	}{
		{PhasePending, PhaseDualWrite, true},
		{PhaseDualWrite, PhaseBackfill, true},
		{PhaseBackfill, PhaseVerified, true},
		{PhaseVerified, PhaseReadB, true},
		{PhaseReadB, PhaseWriteB, true},
		{PhaseWriteB, PhaseComplete, true},
		{PhasePending, PhaseBackfill, false}, // skips a phase
		{PhaseDualWrite, PhaseDualWrite, false},
		{PhaseDualWrite, PhasePending, true},
		{PhaseBackfill, PhasePending, true},
		{PhaseVerified, PhasePending, true},
		{PhaseReadB, PhaseVerified, true},
		{PhaseWriteB, PhaseReadB, true},
		{PhaseWriteB, PhasePending, false}, // would lose writes made to B only
		{PhaseComplete, PhaseWriteB, false},
		{PhasePending, PhasePending, false},
	}
	for _, tc := range tests {
		if got := CanTransition(tc.from, tc.to); got != tc.ok {
			t.Errorf("CanTransition(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
	want := map[Phase]string{PhasePending: "1100", PhaseDualWrite: "1101", PhaseBackfill: "1101", PhaseVerified: "1101",
		PhaseReadB: "0111", PhaseWriteB: "0011", PhaseComplete: "0011"}
	for p, s := range want {
		if got := p.Switches().String(); got != s || !p.Switches().Legal() {
			t.Errorf("%s switches = %s, want %s", p, got, s)
		}
	}
}
