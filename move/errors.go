package move

import (
	"errors"
	"fmt"
	"strings"
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
