package main

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdWaitSQL polls a query until its rows, columns joined by "|" and rows by ";", are WANT,
// for up to 20 seconds: it waits for a command running in the background to get somewhere
// (a deploy inside a change that sleeps).
//
//	waitsql URL QUERY WANT
func cmdWaitSQL(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: waitsql URL QUERY WANT")
	}
	db := openScriptDB(ts, "waitsql", args[0])
	defer db.Close()
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for {
		got, err := queryRows(db, args[1])
		if err == nil && got == args[2] {
			return
		}
		last = fmt.Sprintf("%q", got)
		if err != nil {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitsql: %s did not return %q within 20s; last: %s", args[1], args[2], last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func queryRows(db *sql.DB, query string) (string, error) {
	rows, err := db.Query(query)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return strings.Join(out, ";"), rows.Err()
}
