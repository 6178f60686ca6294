package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/ptytest"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestBarRedraws(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	b := &Bar{w: &out, Width: 41, Interval: time.Second, now: clock.now}
	st := func(done int64) State { return State{Label: "m", Done: done, Total: 100, Unit: "rows"} }
	draw := func(s State) string { return "\r" + Line(s, 40) + "\033[K" }

	b.Update(st(10))
	want := draw(st(10))
	check := func(when string) {
		t.Helper()
		if out.String() != want {
			t.Fatalf("%s: wrote\n%q\nwant\n%q", when, out.String(), want)
		}
	}
	check("first update")

	clock.t = clock.t.Add(500 * time.Millisecond)
	b.Update(st(20))
	check("an update within the interval is held back")

	waiting := st(20)
	waiting.Waiting = "paused"
	b.Update(waiting)
	want += draw(waiting)
	check("a new reason to wait is drawn at once")

	clock.t = clock.t.Add(2 * time.Second)
	b.Update(st(30))
	want += draw(st(30))
	check("after the interval")

	clock.t = clock.t.Add(100 * time.Millisecond)
	b.Update(st(100))
	b.Finish()
	want += draw(st(100)) + "\n"
	check("Finish draws the last state held back and ends the line")

	b.Finish()
	check("a second Finish writes nothing")

	b.Update(st(50))
	b.Clear()
	want += draw(st(50)) + "\r\033[K"
	check("Clear erases the line")
	b.Clear()
	check("a second Clear writes nothing")
}

// TestTerminal runs the bar on a real pseudo-terminal: it is recognised as one, with its
// width, and what the bar draws arrives on the other side.
func TestTerminal(t *testing.T) {
	pty, tty, err := ptytest.Open(77)
	if err != nil {
		t.Fatal(err)
	}
	defer pty.Close()
	defer tty.Close()
	if !IsTerminal(tty) {
		t.Fatal("IsTerminal(a pseudo-terminal) = false")
	}
	if w := TerminalWidth(tty); w != 77 {
		t.Fatalf("TerminalWidth = %d, want 77", w)
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, f := range map[string]io.Writer{"/dev/null": null, "a pipe": w, "a buffer": &bytes.Buffer{}, "a regular file": mustCreate(t)} {
		if IsTerminal(f) {
			t.Errorf("IsTerminal(%s) = true", name)
		}
	}

	b := NewBar(tty)
	if b.Width != 77 {
		t.Fatalf("NewBar width = %d, want 77", b.Width)
	}
	b.Update(State{Label: "m", Done: 3, Total: 4, Unit: "rows"})
	b.Finish()
	if err := pty.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 512)
	for !bytes.Contains(got, []byte("\n")) {
		n, err := pty.Read(buf)
		if err != nil {
			t.Fatalf("read the terminal after %q: %v", got, err)
		}
		got = append(got, buf[:n]...)
	}
	// The terminal turns "\n" into "\r\n".
	if want := "\r" + Line(State{Label: "m", Done: 3, Total: 4, Unit: "rows"}, 76) + "\033[K\r\n"; string(got) != want {
		t.Fatalf("the terminal shows\n%q\nwant\n%q", got, want)
	}
	if !strings.Contains(string(got), "75.0%") {
		t.Fatalf("no percent in %q", got)
	}
}

func mustCreate(t *testing.T) *os.File {
	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
