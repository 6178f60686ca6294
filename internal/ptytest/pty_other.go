//go:build !linux

package ptytest

import "os"

// Open returns ErrUnsupported: pseudo-terminals are opened on Linux only.
func Open(cols int) (pty, tty *os.File, err error) { return nil, nil, ErrUnsupported }
