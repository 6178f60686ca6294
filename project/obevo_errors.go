package project

import "fmt"

// lineErr builds the error for a problem at file:line of an Obevo project file. format may use
// %w to wrap one of the package's sentinel errors.
func lineErr(file string, line int, format string, args ...any) error {
	return &FileError{File: file, Line: line, Err: fmt.Errorf(format, args...)}
}
