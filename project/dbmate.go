package project

import (
	"strings"

	"github.com/tandem-db/tandem"
)

// dbmateMarker returns the block ("up" or "down") and the options of a dbmate "-- migrate:up"
// or "-- migrate:down" line, and whether the line is one.
func dbmateMarker(line string) (block, opts string, ok bool) {
	s := strings.TrimSpace(line)
	if !strings.HasPrefix(s, "--") {
		return "", "", false
	}
	s = strings.TrimSpace(s[2:])
	rest, ok := strings.CutPrefix(s, "migrate:")
	if !ok {
		return "", "", false
	}
	block, opts, _ = strings.Cut(rest, " ")
	if block != "up" && block != "down" {
		return "", "", false
	}
	return block, strings.TrimSpace(opts), true
}

// isDbmate reports whether a file named like a goose migration is a dbmate one: it has a
// "-- migrate:up" line and no goose annotation.
func isDbmate(data []byte) bool {
	dbmate := false
	for _, ln := range fileLines(data) {
		if _, ok := gooseAnnotation(ln); ok {
			return false
		}
		if b, _, ok := dbmateMarker(ln); ok && b == "up" {
			dbmate = true
		}
	}
	return dbmate
}

// parseDbmate fills c from a dbmate migration: the "-- migrate:up" block is its SQL, the
// "-- migrate:down" block its rollback. "transaction:false" on the up line sets
// Attrs.NoTransaction; on the down line alone it is refused, since tandem runs a change and its
// rollback alike.
func parseDbmate(file string, data []byte, c *tandem.Change, errs *errList) {
	lines := fileLines(data)
	up, down := -1, -1 // 1-based lines of the markers
	upNoTx, downNoTx := false, false
	for i, ln := range lines {
		block, opts, ok := dbmateMarker(ln)
		if !ok {
			continue
		}
		n := i + 1
		noTx := false
		for _, o := range strings.Fields(opts) {
			k, v, _ := strings.Cut(o, ":")
			switch {
			case k == "transaction" && (v == "false" || v == "true"):
				noTx = v == "false"
			default:
				errs.addf(file, n, "%w: unknown dbmate option %q (known: transaction:false, transaction:true)", ErrMarker, o)
			}
		}
		switch {
		case block == "up" && up > 0:
			errs.addf(file, n, "%w: a second \"-- migrate:up\" (the first is at line %d); keep one", ErrMarker, up)
		case block == "up" && down > 0:
			errs.addf(file, n, "%w: \"-- migrate:up\" after \"-- migrate:down\" (line %d); put the up block first", ErrMarker, down)
		case block == "up":
			up, upNoTx = n, noTx
		case down > 0:
			errs.addf(file, n, "%w: a second \"-- migrate:down\" (the first is at line %d); keep one", ErrMarker, down)
		default:
			down, downNoTx = n, noTx
		}
	}
	if up < 0 {
		errs.addf(file, 1, "%w: no \"-- migrate:up\" line; dbmate migrations start with it", ErrMarker)
		return
	}
	if i := firstContent(lines, 0, up-1); i >= 0 {
		errs.addf(file, i+1, "%w: SQL before \"-- migrate:up\" belongs to no block; move it below the line", ErrMarker)
	}
	if downNoTx != upNoTx && down > 0 && downNoTx {
		errs.addf(file, down, "%w: \"transaction:false\" on the down block only; tandem runs a migration and its rollback the same way, so put it on the up line too or remove it", ErrBadAttribute)
	}
	c.Attrs.NoTransaction = upNoTx
	setUpDown(c, lines, up, down)
}
