package move

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// ErrNoReverse is returned by CopyBack (and anything needing the B -> A direction) when the
// move's file has no reverse mapping.
var ErrNoReverse = errors.New("the move has no reverse mapping, so rows written to B cannot be copied back to A; add a reverse: section to the move's file")

// ErrNoBound is returned by Backfiller.Run when the bound H has not been fixed yet.
var ErrNoBound = errors.New("the backfill's upper bound is not fixed; fix it (FixBound) once every instance has acknowledged dual-write")

// UniqueConflictError is returned when mapped rows of A collide on a unique key of B other than
// its primary key. The backfill never skips or replaces such rows: the data (or the mapping)
// must be fixed first.
type UniqueConflictError struct {
	Move    string
	Index   string   // B's unique index or constraint
	Columns []string // its columns
	// Keys are the A keys involved: rows of A whose mapped values collide with each other or
	// with a row already in B.
	Keys []Key
	// Existing are keys of rows already in B that the mapped rows collide with.
	Existing []Key
}

func (e *UniqueConflictError) Error() string {
	ks := make([]string, len(e.Keys))
	for i, k := range e.Keys {
		ks[i] = k.String()
	}
	msg := fmt.Sprintf("move %s: mapped rows of A violate the unique key %s (%s) of B: A keys %s", e.Move, e.Index, strings.Join(e.Columns, ", "), strings.Join(ks, ", "))
	if len(e.Existing) > 0 {
		ex := make([]string, len(e.Existing))
		for i, k := range e.Existing {
			ex[i] = k.String()
		}
		msg += " collide with B rows " + strings.Join(ex, ", ")
	}
	return msg + "; fix those rows or the mapping, then resume"
}

// Error is an error of a move that says what to do about it: what happened (Err), to which
// move and in which phase, and a neutral Hint apart from the message, which a front end turns
// into advice in its own terms (tandem.Hints finds it).
type Error struct {
	Move  string
	Phase tandem.Phase // the phase the move is in, or "" when the message does not depend on it
	Err   error        // what happened
	Hint  tandem.Hint  // what to do; its Text names no flag and no command
}

// Error is "move <name>: <what happened>", or "move <name> is <phase>: <what happened>".
func (e *Error) Error() string {
	if e.Phase != "" {
		return fmt.Sprintf("move %s is %s: %v", e.Move, e.Phase, e.Err)
	}
	return fmt.Sprintf("move %s: %v", e.Move, e.Err)
}

// Unwrap returns what happened.
func (e *Error) Unwrap() error { return e.Err }

// Hints returns the error's hint.
func (e *Error) Hints() []tandem.Hint { return []tandem.Hint{e.Hint} }

// MoveName names the move the error is about, for advice that names it.
func (e *Error) MoveName() string { return e.Move }
