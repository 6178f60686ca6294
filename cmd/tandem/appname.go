package main

import (
	"net/url"
	"strings"

	"github.com/tandem-db/tandem/internal/dburl"
)

// withApplicationName names tandem's PostgreSQL sessions "tandem <command>" (for example
// "tandem deploy"), so that pg_stat_activity, a lock holder in an error message and a
// statement still running after a killed deploy all read as tandem's. A URL that sets
// application_name keeps its own.
func withApplicationName(u dburl.URL, command string) dburl.URL {
	if u.Dialect != dburl.Postgres {
		return u
	}
	pu, err := url.Parse(u.DSN)
	if err != nil {
		return u // Parse accepted it; leave the DSN as the user wrote it
	}
	q := pu.Query()
	for k := range q {
		if strings.EqualFold(k, "application_name") {
			return u
		}
	}
	name := "tandem"
	if command != "" {
		name += " " + command
	}
	sep := "?"
	if strings.Contains(u.DSN, "?") {
		sep = "&"
	}
	// %20, not +: pgx reads the query with PathUnescape semantics for spaces.
	u.DSN += sep + "application_name=" + strings.ReplaceAll(url.QueryEscape(name), "+", "%20")
	return u
}
