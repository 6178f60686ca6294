package sqlite

import "errors"

// Primary result codes after which a change may be retried. Extended codes (such as
// SQLITE_BUSY_SNAPSHOT, 517) carry the primary code in their low byte.
const (
	codeBusy   = 5 // SQLITE_BUSY: another connection holds a conflicting lock past busy_timeout
	codeLocked = 6 // SQLITE_LOCKED: a conflict within the same connection or shared cache
)

// Retryable reports whether err is SQLITE_BUSY or SQLITE_LOCKED (or one of their extended
// codes), read through the Code() method of the driver's error type.
func (Dialect) Retryable(err error) bool {
	var e interface{ Code() int }
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case codeBusy, codeLocked:
		return true
	}
	return false
}
