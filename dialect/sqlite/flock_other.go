//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlite

import (
	"errors"
	"os"
	"runtime"
)

// tryLockFile reports that this system has no flock(2): the SQLite deploy lock needs a lock
// that the kernel releases when its process dies, and tandem implements it on Unix systems
// only.
func tryLockFile(path string) (*os.File, bool, error) {
	return nil, false, errors.New("the SQLite deploy lock uses flock(2), which " + runtime.GOOS + " lacks; deploy to SQLite from Linux, macOS or BSD")
}
