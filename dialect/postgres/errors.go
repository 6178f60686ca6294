package postgres

import "errors"

// SQLSTATE codes after which a change may be retried from the start.
const (
	codeLockNotAvailable = "55P03" // lock_timeout expired
	codeDeadlock         = "40P01"
)

// Retryable reports whether err is a lock wait that hit lock_timeout, or a deadlock. It reads the
// SQLSTATE through the SQLState() method of the driver's error type.
func (Dialect) Retryable(err error) bool {
	var e interface{ SQLState() string }
	if !errors.As(err, &e) {
		return false
	}
	switch e.SQLState() {
	case codeLockNotAvailable, codeDeadlock:
		return true
	}
	return false
}
