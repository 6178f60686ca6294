package progress

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	running := State{Label: "users_to_accounts", Done: 1130000, Total: 2500000, Unit: "rows", Rate: 45210.4, ETA: 30*time.Second + 500*time.Millisecond, Detail: "batch 2,000"}
	waiting := running
	waiting.Waiting = "replica lag 12.4s is above max_replica_lag 10s"
	tests := []struct {
		name  string
		s     State
		width int
		want  string
	}{
		{"everything: the bar takes a fifth", running, 120, "users_to_accounts  [##########..............]  45.2%  1,130,000/2,500,000 rows  45,210 rows/s  ETA 31s  batch 2,000"},
		{"the detail goes first", running, 100, "users_to_accounts  [#########...........]  45.2%  1,130,000/2,500,000 rows  45,210 rows/s  ETA 31s"},
		{"then the bar", running, 80, "users_to_accounts  45.2%  1,130,000/2,500,000 rows  45,210 rows/s  ETA 31s"},
		{"then the rate", running, 60, "users_to_accounts  45.2%  1,130,000/2,500,000 rows  ETA 31s"},
		{"then the time left", running, 50, "users_to_accounts  45.2%  1,130,000/2,500,000 rows"},
		{"then the counts", running, 40, "users_to_accounts  45.2%"},
		{"a wide terminal: the bar at its widest", running, 200, "users_to_accounts  [#############.................]  45.2%  1,130,000/2,500,000 rows  45,210 rows/s  ETA 31s  batch 2,000"},
		{"the label alone", running, 20, "users_to_accounts"},
		{"a label too long is cut", running, 10, "users_to_…"},
		{"waiting replaces rate and time left", waiting, 120, "users_to_accounts  45.2%  1,130,000/2,500,000 rows  waiting: replica lag 12.4s is above max_replica_lag 10s"},
		{"the reason stays longest", waiting, 80, "users_to_accounts  waiting: replica lag 12.4s is above max_replica_lag 10s"},
		{"the reason is cut short", waiting, 40, "users_to_accounts  waiting: replica lag…"},
		{"unknown total: no bar, no percent", State{Label: "m", Done: 12, Unit: "rows", Rate: 3}, 80, "m  12 rows  3 rows/s"},
		{"nothing yet", State{Label: "m", Total: 40, Unit: "rows"}, 60, "m  [............]  0.0%  0/40 rows"},
		{"finished", State{Label: "m", Done: 40, Total: 40, Unit: "rows"}, 60, "m  [############]  100.0%  40/40 rows"},
		{"more than expected", State{Label: "m", Done: 45, Total: 40}, 60, "m  [############]  100.0%  45/40"},
		{"zero width means 80", State{Label: "m", Done: 1}, 0, "m  1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Line(tc.s, tc.width)
			if got != tc.want {
				t.Errorf("Line(width %d)\n got %q\nwant %q", tc.width, got, tc.want)
			}
		})
	}
}

// TestLineFits draws random states at every width: a line is never wider than asked, and
// never empty when there is a label.
func TestLineFits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"", "m", "users_to_accounts", "a_rather_long_move_name_that_fills_the_line", "déplacement_ü"}
	for range 2000 {
		s := State{
			Label:  words[1+r.IntN(len(words)-1)],
			Done:   r.Int64N(1e9),
			Total:  r.Int64N(1e9) - 1e8,
			Unit:   []string{"", "rows"}[r.IntN(2)],
			Rate:   r.Float64() * 1e6,
			ETA:    time.Duration(r.Int64N(int64(48 * time.Hour))),
			Detail: words[r.IntN(len(words))],
		}
		if r.IntN(3) == 0 {
			s.Waiting = strings.Repeat("why ", r.IntN(30))
		}
		width := 1 + r.IntN(160)
		got := Line(s, width)
		if n := utf8.RuneCountInString(got); n > width || n == 0 {
			t.Fatalf("Line(%+v, %d) = %q: %d columns", s, width, got, n)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Line(%+v, %d) = %q: not valid UTF-8", s, width, got)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		done, total int64
		want        string
	}{
		{0, 10, "0.0%"}, {1, 3, "33.3%"}, {2, 3, "66.6%"}, {9999, 10000, "99.9%"}, {10, 10, "100.0%"}, {12, 10, "100.0%"}, {1, 0, ""},
	}
	for _, tc := range tests {
		if got := Percent(tc.done, tc.total); got != tc.want {
			t.Errorf("Percent(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.want)
		}
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{400 * time.Millisecond, "0s"}, {45 * time.Second, "45s"}, {185 * time.Second, "3m05s"}, {2*time.Hour + 7*time.Minute + 40*time.Second, "2h07m"}, {59*time.Second + 600*time.Millisecond, "1m00s"},
	}
	for _, tc := range tests {
		if got := Duration(tc.d); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
