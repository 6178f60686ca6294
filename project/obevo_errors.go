package project

import "fmt"

// obevoError carries the file and line of a problem found while reading a project.
//
// It stands in for the package's shared file:line error type until that exists, so that every
// error of this file set is built by lineErr in one place.
type obevoError struct {
	File string
	Line int
	Err  error
}

func (e *obevoError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *obevoError) Unwrap() error { return e.Err }

// lineErr builds the error for a problem at file:line; the message is prefixed with the package.
func lineErr(file string, line int, format string, args ...any) error {
	return &obevoError{File: file, Line: line, Err: fmt.Errorf("project: "+format, args...)}
}
