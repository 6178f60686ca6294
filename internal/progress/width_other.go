//go:build !unix

package progress

import "io"

// TerminalWidth returns $COLUMNS, else 80: this system's terminal size is not asked.
func TerminalWidth(io.Writer) int { return columnsEnv() }
