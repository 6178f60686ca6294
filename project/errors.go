package project

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// FileError is a problem found at a place in a project file. Load returns every FileError of a
// load joined with errors.Join, sorted by file and line, so that a user can fix them all at once;
// use errors.As to reach one.
type FileError struct {
	File string // slash-separated path relative to the project root
	Line int    // 1-based; 0 when the problem is with the file as a whole
	Err  error
}

// Error renders "file:line: message" (or "file: message" without a line).
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error, so that errors.Is finds the sentinels below.
func (e *FileError) Unwrap() error { return e.Err }

// Sentinel errors wrapped by the FileErrors that Load returns, for callers (and tests) that act on
// the kind of problem.
var (
	// ErrUnknownAttribute: a marker names an attribute tandem does not know.
	ErrUnknownAttribute = errors.New("unknown attribute")
	// ErrBadAttribute: a known attribute has a value it cannot take.
	ErrBadAttribute = errors.New("bad attribute")
	// ErrUnknownDirective: a "-- tandem:" comment is followed by something other than object,
	// change or rollback.
	ErrUnknownDirective = errors.New("unknown directive")
	// ErrMarker: a marker is misplaced or malformed (a change without a name, a rollback before
	// any change, a change marker in a view, content outside any change, ...).
	ErrMarker = errors.New("misplaced marker")
	// ErrDuplicate: two files define the same object or migration version, or a file has two
	// changes with the same name.
	ErrDuplicate = errors.New("duplicate")
	// ErrEmpty: a change or definition has no SQL.
	ErrEmpty = errors.New("no SQL")
	// ErrMigrationName: a migration folder holds a file that fits no naming scheme, mixes
	// schemes, or has a down (undo) file without its up file.
	ErrMigrationName = errors.New("bad migration file")
	// ErrChecksum: an Atlas migration directory's files differ from its atlas.sum.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrNothingRead: the project folder holds .sql files but none of them is in a layout tandem
	// reads.
	ErrNothingRead = errors.New("no file read")
	// ErrConfig: tandem.yaml is malformed or holds an unknown key or a bad value.
	ErrConfig = errors.New("bad configuration")
	// ErrUnsetVariable is returned by ExpandEnv when a ${NAME} names an unset variable.
	ErrUnsetVariable = errors.New("environment variable not set")
)

// errList collects the errors of a load, so that Load reports all of them at once.
type errList struct {
	errs []*FileError
}

// add records err at file:line. An error that already carries its position (a *FileError from a
// helper such as parseCSV) is kept as it is.
func (l *errList) add(file string, line int, err error) {
	var fe *FileError
	if errors.As(err, &fe) {
		if fe == err {
			l.errs = append(l.errs, fe)
			return
		}
		// wrapped: keep the outer message but sort by the inner position
		l.errs = append(l.errs, &FileError{File: fe.File, Line: fe.Line, Err: positioned{err}})
		return
	}
	l.errs = append(l.errs, &FileError{File: file, Line: line, Err: err})
}

// positioned is an error whose message already names its file and line.
type positioned struct{ error }

func (p positioned) Unwrap() error { return p.error }

// addf records a formatted error at file:line; format may use %w.
func (l *errList) addf(file string, line int, format string, args ...any) {
	l.add(file, line, fmt.Errorf(format, args...))
}

// err returns every collected error sorted by file and line, joined; nil when there are none.
func (l *errList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(l.errs, func(a, b *FileError) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	out := make([]error, len(l.errs))
	for i, e := range l.errs {
		if p, ok := e.Err.(positioned); ok {
			out[i] = p.error
			continue
		}
		out[i] = e
	}
	return errors.Join(out...)
}

// addPositioned records err, whose message already starts with its file and line (as parseCSV's
// errors do), without prefixing the position again; file and line only sort it.
func (l *errList) addPositioned(file string, line int, err error) {
	var fe *FileError
	if errors.As(err, &fe) {
		l.add(file, line, err)
		return
	}
	l.errs = append(l.errs, &FileError{File: file, Line: line, Err: positioned{err}})
}
