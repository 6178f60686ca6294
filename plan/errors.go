package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// ErrNoEnvironment is returned by Build when Options.Env is nil.
var ErrNoEnvironment = errors.New("no environment given to plan for")

// DuplicateError is returned by Build when two files define the same object and both apply to
// the environment and dialect planned for.
type DuplicateError struct {
	Key     tandem.ObjectKey
	Files   []string // the files that define it, sorted
	Env     string
	Dialect string
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s is defined by %s, which all apply to environment %s (dialect %s); delete one, or restrict them with includeEnvs or includeDialects so that one applies",
		e.Key, strings.Join(e.Files, " and "), e.Env, e.Dialect)
}

// ReferenceError is returned by Build (joined with any others) when a depends attribute names
// nothing in the project, or names it ambiguously. The Graph explains an object with the same
// error for a name it does not know.
type ReferenceError struct {
	File   string
	Line   int
	Change string // the change carrying the attribute: "schema.type.object/change"
	Attr   string // "depends", "depends+" or "depends-" (Obevo: "dependencies", ...); "explain" for Explain
	Entry  string // the entry as written
	Reason string // what is wrong with it
}

func (e *ReferenceError) Error() string {
	if e.Attr == "explain" {
		return fmt.Sprintf("%q %s; give an object as name, schema.name, type.name or schema.type.name", e.Entry, e.Reason)
	}
	where := ""
	if e.File != "" {
		where = fmt.Sprintf("%s:%d: ", e.File, e.Line)
	}
	who := ""
	if e.Change != "" {
		who = "change " + e.Change + ": "
	}
	return fmt.Sprintf("%s%s%s entry %q %s; write it as name, schema.name, schema.type.name or object/change, or remove it",
		where, who, e.Attr, e.Entry, e.Reason)
}
