// Package ptytest opens pseudo-terminals, so that tests can run code whose output changes on a
// terminal (a progress bar) against a real one. It is test support: only _test.go files import
// it. Open works on Linux; elsewhere it returns ErrUnsupported.
package ptytest

import "errors"

// ErrUnsupported is returned by Open on systems where this package cannot open a terminal.
var ErrUnsupported = errors.New("ptytest: pseudo-terminals are opened on linux only")
