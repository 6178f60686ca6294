// Package progress draws a one-line progress display on a terminal: a bar, how much of how
// much is done, the rate, the time left, and why the work waits when it does.
//
// Line renders a State as text of a given width and does no I/O; Bar redraws it in place on a
// terminal. Output that is not a terminal (a log file, a pipe, CI) should get log lines
// instead: IsTerminal says which.
package progress

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// State is what one progress line shows.
type State struct {
	// Label names the work, e.g. the move's name; it comes first.
	Label string
	// Done of Total units are finished. A Total of 0 or less means unknown: no bar, no percent.
	Done, Total int64
	// Unit names what is counted, plural ("rows").
	Unit string
	// Rate is in units per second; 0 when unknown.
	Rate float64
	// ETA is the estimated time left; 0 when unknown.
	ETA time.Duration
	// Waiting says why the work is held back ("" while it runs): it replaces the rate and
	// time left, which mean nothing while nothing moves.
	Waiting string
	// Detail is extra information shown last, and dropped first when space is short
	// ("batch 2,000").
	Detail string
}

// Bar widths, in cells, between which the bar follows the terminal's width.
const (
	maxBarWidth = 30
	minBarWidth = 10
)

// Line renders s in at most width columns (counted in runes), without a line break. The bar
// takes a fifth of the width (10 to 30 cells). Parts are dropped when space is short, least
// useful first: the detail, the bar (the percentage says the same), the rate, the time left,
// the counts, the percentage; the reason for waiting is cut short with "…" rather than
// dropped.
func Line(s State, width int) string {
	if width <= 0 {
		width = 80
	}
	known := s.Total > 0
	counts := Count(s.Done)
	if known {
		counts += "/" + Count(s.Total)
	}
	if s.Unit != "" {
		counts += " " + s.Unit
	}
	// Parts in display order; the indices of those that may go are kept to drop them, least
	// useful first, when space is short. The label and the reason for waiting stay.
	parts := []string{s.Label}
	bar, pct := -1, -1
	if known {
		bar = len(parts)
		parts = append(parts, "") // drawn once its width is known
		pct = len(parts)
		parts = append(parts, Percent(s.Done, s.Total))
	}
	cnt := len(parts)
	parts = append(parts, counts)
	rate, eta := -1, -1
	if s.Waiting != "" {
		parts = append(parts, "waiting: "+s.Waiting)
	} else {
		if s.Rate > 0 {
			rate = len(parts)
			parts = append(parts, Count(int64(math.Round(s.Rate)))+" "+unitOr(s.Unit, "units")+"/s")
		}
		if s.ETA > 0 {
			eta = len(parts)
			parts = append(parts, "ETA "+Duration(s.ETA))
		}
	}
	detail := -1
	if s.Detail != "" {
		detail = len(parts)
		parts = append(parts, s.Detail)
	}
	render := func(barWidth int) string {
		var texts []string
		for i, p := range parts {
			switch {
			case i == bar && barWidth > 0:
				texts = append(texts, drawBar(s.Done, s.Total, barWidth))
			case i == bar:
			case p != "":
				texts = append(texts, p)
			}
		}
		return strings.Join(texts, "  ")
	}
	// The bar's width depends on the terminal's alone, so that it does not jump as the numbers
	// beside it grow and shrink.
	barWidth := min(max(width/5, minBarWidth), maxBarWidth)
	layout := func() (string, bool) {
		l := render(0)
		if bar >= 0 {
			l = render(barWidth)
		}
		return l, utf8.RuneCountInString(l) <= width
	}
	for _, i := range []int{detail, bar, rate, eta, cnt, pct} {
		if l, ok := layout(); ok {
			return l
		}
		switch {
		case i < 0:
		case i == bar:
			bar = -1
		default:
			parts[i] = ""
		}
	}
	return truncate(render(0), width)
}

func unitOr(u, def string) string {
	if u == "" {
		return def
	}
	return u
}

// drawBar draws a bar of width cells between brackets.
func drawBar(done, total int64, width int) string {
	filled := 0
	if total > 0 {
		filled = int(min(max(done, 0), total) * int64(width) / total)
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]"
}

// truncate cuts s to width runes, ending with "…" when it cut.
func truncate(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	if width <= 1 {
		return string([]rune(s)[:max(width, 0)])
	}
	return string([]rune(s)[:width-1]) + "…"
}

// Count writes n with commas between groups of three digits: 1,234,567.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Percent writes done/total as a percentage with one decimal, never 100.0% before done reaches
// total, so that a finished line and an almost finished one differ.
func Percent(done, total int64) string {
	if total <= 0 {
		return ""
	}
	p := float64(done) * 100 / float64(total)
	p = math.Floor(p*10) / 10
	return fmt.Sprintf("%.1f%%", min(max(p, 0), 100))
}

// Duration writes a time left the way people read it: 45s, 3m05s, 2h07m; whole seconds.
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	default:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}
