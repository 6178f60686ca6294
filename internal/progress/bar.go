package progress

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
)

// Bar redraws a State in place on one terminal line. It is safe for concurrent use.
type Bar struct {
	w io.Writer
	// Width is the line width in columns (default: the terminal's, or 80).
	Width int
	// Interval is the least time between two redraws (default 100ms): a backfill reports after
	// every batch, and a terminal need not show more than the eye follows. A change of
	// Waiting is drawn at once.
	Interval time.Duration

	now     func() time.Time
	mu      sync.Mutex
	last    time.Time
	waiting string
	shown   bool
	pending *State // the latest state not drawn yet, for Finish
}

// NewBar returns a bar that draws on w, as wide as w's terminal when w is one.
func NewBar(w io.Writer) *Bar {
	return &Bar{w: w, Width: TerminalWidth(w), now: time.Now}
}

// Update shows s, unless the last redraw was less than Interval ago and the reason for
// waiting is unchanged: then s is kept for Finish.
func (b *Bar) Update(s State) {
	b.mu.Lock()
	defer b.mu.Unlock()
	interval := b.Interval
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	now := b.clock()
	if b.shown && s.Waiting == b.waiting && now.Sub(b.last) < interval {
		b.pending = &s
		return
	}
	b.draw(s, now)
}

// Finish draws the last state given if it was held back, then ends the line, so that what
// is printed next starts on a line of its own and the final state stays visible.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending != nil {
		b.draw(*b.pending, b.clock())
	}
	if b.shown {
		io.WriteString(b.w, "\n")
		b.shown = false
	}
}

// Clear erases the line, for output that should replace it (an error message).
func (b *Bar) Clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shown {
		io.WriteString(b.w, "\r\033[K")
		b.shown = false
	}
	b.pending = nil
}

func (b *Bar) draw(s State, now time.Time) {
	width := b.Width
	if width <= 0 {
		width = 80
	}
	// One column is left free: some terminals wrap when the last column is written.
	io.WriteString(b.w, "\r"+Line(s, width-1)+"\033[K")
	b.shown, b.last, b.waiting, b.pending = true, now, s.Waiting, nil
}

func (b *Bar) clock() time.Time {
	if b.now == nil {
		return time.Now()
	}
	return b.now()
}

// IsTerminal reports whether w is a terminal (not a file, a pipe or /dev/null).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
