package literal

import "testing"

func TestLiterals(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) bool
		yes  []string
		no   []string
	}{
		{"Integer", func(s string) bool { _, _, ok := Integer(s); return ok },
			[]string{"0", "42", "-7", "+3", " 12 ", "9223372036854775807"},
			[]string{"", "eighty", "1.5", "1e3", "12abc", "0x10", "1 000", "9223372036854775808", "-"}},
		{"Unsigned", func(s string) bool { _, _, ok := Unsigned(s); return ok },
			[]string{"0", "+3", "18446744073709551615"},
			[]string{"-1", "18446744073709551616", "x"}},
		{"Number", Number,
			[]string{"0", "1.5", "-.5", "+2.", "1e3", "2.5E-3", " 7 "},
			[]string{"", ".", "one half", "1,5", "inf", "NaN", "0x10", "1e", "1_000", "--1"}},
		{"Bool", Bool,
			[]string{"true", "FALSE", "t", "F", "yes", "No", "y", "n", "on", "OFF", "1", "0"},
			[]string{"", "maybe", "2", " true", "tru"}},
		{"Date", Date,
			[]string{"2024-01-02", "2024-02-29"},
			[]string{"", "2024-02-30", "2023-02-29", "2024-13-01", "2024-1-2", "yesterday", "2024-01-02 03:04", "20240102"}},
		{"DateTime", DateTime,
			[]string{"2024-01-02", "2024-01-02 03:04", "2024-01-02 03:04:05", "2024-01-02T03:04:05.654321"},
			[]string{"2024-01-02 24:00:00", "2024-02-30 10:00:00", "2024-01-02x03:04", "2024-01-02 ", "now"}},
		{"Clock", Clock,
			[]string{"03:04", "23:59:59", "00:00:00.5"},
			[]string{"24:00", "3:04", "12:60", "noon"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range tc.yes {
				if !tc.f(s) {
					t.Errorf("%s(%q) = false, want true", tc.name, s)
				}
			}
			for _, s := range tc.no {
				if tc.f(s) {
					t.Errorf("%s(%q) = true, want false", tc.name, s)
				}
			}
		})
	}
}
