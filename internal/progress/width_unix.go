//go:build unix

package progress

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// TerminalWidth returns the width in columns of the terminal w writes to, else $COLUMNS, else 80.
func TerminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 0 {
			return int(ws.Col)
		}
	}
	return columnsEnv()
}
