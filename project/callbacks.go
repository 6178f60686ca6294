package project

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// callbackName matches Flyway's SQL callback files: beforeMigrate.sql, afterMigrate__grants.sql.
var callbackName = regexp.MustCompile(`^((?:before|after)[A-Z][A-Za-z]*)(?:__(.+))?\.sql$`)

// parseCallbackName reports whether a file in a migration folder is named like a Flyway callback,
// and its event as Flyway spells it. The event may be one tandem does not run.
func parseCallbackName(base string) (string, bool) {
	m := callbackName.FindStringSubmatch(base)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// addCallback reads a Flyway callback file of a migration folder into the project, or records
// an error naming the file when its event is one tandem does not run.
func (l *loader) addCallback(p, event string) {
	var ev tandem.CallbackEvent
	for _, e := range tandem.CallbackEvents {
		if strings.EqualFold(string(e), event) {
			ev = e
		}
	}
	if ev == "" {
		known := make([]string, len(tandem.CallbackEvents))
		for i, e := range tandem.CallbackEvents {
			known[i] = string(e)
		}
		l.errs.addf(p, 0, "%w: Flyway callback %s is not run by tandem (it runs %s); remove the file or run its SQL another way", ErrMigrationName, event, strings.Join(known, ", "))
		return
	}
	data, ok := l.read(p)
	if !ok {
		return
	}
	lines := fileLines(data)
	sql, line := section(lines, 0, len(lines))
	if sql == "" {
		l.errs.addf(p, 1, "the callback has %w; write its statements or delete the file", ErrEmpty)
		return
	}
	l.project.Callbacks = append(l.project.Callbacks, tandem.Callback{Event: ev, Script: tandem.Script{File: p, SQL: sql, Line: line}})
}

// sortCallbacks puts callbacks in event order, and in file name order within an event, which
// is the order they run in.
func sortCallbacks(cbs []tandem.Callback) {
	slices.SortStableFunc(cbs, func(a, b tandem.Callback) int {
		return cmp.Or(cmp.Compare(slices.Index(tandem.CallbackEvents, a.Event), slices.Index(tandem.CallbackEvents, b.Event)), cmp.Compare(a.File, b.File))
	})
}
