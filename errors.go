package tandem

import (
	"errors"
	"fmt"
)

// ErrNotFound is wrapped by a Dialect when an object it was asked about does not exist.
var ErrNotFound = errors.New("not found")

// ErrNotSupported is returned by an optional ability that the connection at hand cannot provide
// (a driver other than the one the ability needs); the caller falls back to the generic way.
var ErrNotSupported = errors.New("not supported by this connection")

// LockError is returned by Dialect.Lock when another deploy holds the lock for longer than the
// wait allowed.
type LockError struct {
	Key    string
	Holder string // who holds it, as the database tells (e.g. "pid 4242 on host db1 since 10:04"); may be empty
	Waited string
}

func (e *LockError) Error() string {
	msg := fmt.Sprintf("another deploy holds the lock %q", e.Key)
	if e.Holder != "" {
		msg += " (" + e.Holder + ")"
	}
	if e.Waited != "" {
		msg += "; waited " + e.Waited
	}
	return msg + "; wait for it to finish, or raise --lock-wait"
}
