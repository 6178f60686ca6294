package mysql

import (
	"errors"

	driver "github.com/go-sql-driver/mysql"
)

// Server error numbers after which a change may be retried from the start.
const (
	erLockWaitTimeout = 1205 // lock_wait_timeout or innodb_lock_wait_timeout expired
	erLockDeadlock    = 1213
)

// Retryable reports whether err is a lock wait timeout (metadata or row lock) or a deadlock.
func (Dialect) Retryable(err error) bool {
	var e *driver.MySQLError
	if !errors.As(err, &e) {
		return false
	}
	return e.Number == erLockWaitTimeout || e.Number == erLockDeadlock
}
