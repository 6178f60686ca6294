package mysql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/tandem-db/tandem"
)

// fingerprintParts are the catalog rows that describe named objects: each selects one text per
// row from information_schema, for a schema and a list of lower-cased names. Filtering by name
// keeps MariaDB from opening every table of the schema, which a full Inspect does.
var fingerprintParts = []struct {
	sel, from, name string
}{
	{"CONCAT_WS('|', 'table', TABLE_NAME, TABLE_TYPE)", "TABLES", "TABLE_NAME"},
	{"CONCAT_WS('|', 'column', TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, IFNULL(COLUMN_DEFAULT, '<null>'), EXTRA)", "COLUMNS", "TABLE_NAME"},
	{"CONCAT_WS('|', 'index', TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, IFNULL(COLUMN_NAME, '<expr>'), NON_UNIQUE)", "STATISTICS", "TABLE_NAME"},
	{"CONCAT_WS('|', 'constraint', TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE)", "TABLE_CONSTRAINTS", "TABLE_NAME"},
	{"CONCAT_WS('|', 'view', TABLE_NAME, VIEW_DEFINITION)", "VIEWS", "TABLE_NAME"},
	{"CONCAT_WS('|', 'routine', ROUTINE_NAME, ROUTINE_TYPE, IFNULL(ROUTINE_DEFINITION, ''))", "ROUTINES", "ROUTINE_NAME"},
	{"CONCAT_WS('|', 'trigger', TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT)", "TRIGGERS", "TRIGGER_NAME"},
	{"CONCAT_WS('|', 'trigger', TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT)", "TRIGGERS", "EVENT_OBJECT_TABLE"},
}

// Fingerprint hashes the catalog rows of the named tables, views, routines and triggers of
// schema (the connection's database when empty), and whether a database of one of the names
// exists, in one round trip.
func (Dialect) Fingerprint(ctx context.Context, q tandem.Querier, schema string, names []string) (string, error) {
	if len(names) == 0 {
		return "", nil
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
	var (
		parts []string
		args  []any
	)
	lower := make([]any, len(names))
	for i, n := range names {
		lower[i] = strings.ToLower(n)
	}
	for _, p := range fingerprintParts {
		parts = append(parts, "SELECT "+p.sel+" AS r FROM information_schema."+p.from+
			" WHERE "+schemaColumn(p.from)+" = COALESCE(NULLIF(?, ''), DATABASE()) AND LOWER("+p.name+") IN "+in)
		args = append(append(args, schema), lower...)
	}
	parts = append(parts, "SELECT CONCAT_WS('|', 'schema', SCHEMA_NAME) AS r FROM information_schema.SCHEMATA WHERE LOWER(SCHEMA_NAME) IN "+in)
	args = append(args, lower...)
	rows, err := q.QueryContext(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return "", err
		}
		lines = append(lines, r)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// schemaColumn names the schema column of an information_schema table.
func schemaColumn(table string) string {
	switch table {
	case "ROUTINES":
		return "ROUTINE_SCHEMA"
	case "TRIGGERS":
		return "TRIGGER_SCHEMA"
	}
	return "TABLE_SCHEMA"
}
