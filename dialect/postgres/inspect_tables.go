package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandem-db/tandem"
)

// fkAction names a referential action code of pg_constraint in SQL words.
var fkAction = map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

// fkMatch names a match type code of pg_constraint.
var fkMatch = map[string]string{"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}

// inspectConstraints reads primary keys, unique, foreign key, check and exclusion
// constraints, each with its columns and with the text pg_get_constraintdef gives.
func inspectConstraints(ctx context.Context, q tandem.Querier, list string, rels *relations) error {
	return tandem.ScanStrings(ctx, q, `SELECT k.conrelid::text, k.conname, k.contype::text, pg_get_constraintdef(k.oid, true),
       (SELECT string_agg(a.attname, chr(31) ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(num, ord)
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num),
       fn.nspname, fc.relname,
       (SELECT string_agg(a.attname, chr(31) ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY u(num, ord)
        JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num),
       k.confupdtype::text, k.confdeltype::text, k.confmatchtype::text,
       CASE WHEN k.contype = 'c' THEN pg_get_expr(k.conbin, k.conrelid, true) END
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = k.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE n.nspname IN `+list+` AND k.contype IN ('p', 'u', 'f', 'c', 'x')`, func(c []string) error {
		t := rels.tables[c[0]]
		if t == nil {
			return nil
		}
		switch c[2] {
		case "p":
			t.PrimaryKey = &tandem.KeyDesc{Name: c[1], Columns: split(c[4]), Definition: c[3]}
		case "u":
			t.Uniques = append(t.Uniques, tandem.KeyDesc{Name: c[1], Columns: split(c[4]), Definition: c[3]})
		case "f":
			if c[5] == t.Schema {
				c[5] = ""
			}
			t.ForeignKeys = append(t.ForeignKeys, tandem.ForeignKeyDesc{Name: c[1], Columns: split(c[4]),
				RefSchema: c[5], RefTable: c[6], RefColumns: split(c[7]),
				OnUpdate: fkAction[c[8]], OnDelete: fkAction[c[9]], Match: fkMatch[c[10]], Definition: c[3]})
		case "c":
			t.Checks = append(t.Checks, tandem.CheckDesc{Name: c[1], Expression: c[11], Definition: c[3]})
		case "x":
			t.Exclusions = append(t.Exclusions, tandem.ExclusionDesc{Name: c[1], Definition: c[3]})
		}
		return nil
	})
}

// inspectIndexes reads the indexes that no constraint owns: their key columns and expressions
// (c or e, then a or d for the order, then the column name or expression), included columns,
// predicate and access method, and the text pg_get_indexdef gives. An invalid index (a
// concurrent build that failed) is told apart from the valid one of the same definition:
// queries do not use it.
func inspectIndexes(ctx context.Context, q tandem.Querier, list string, rels *relations) error {
	return tandem.ScanStrings(ctx, q, `SELECT i.indrelid::text, ci.relname, pg_get_indexdef(i.indexrelid),
       CASE WHEN i.indisvalid THEN 't' ELSE 'f' END, CASE WHEN i.indisunique THEN 't' ELSE 'f' END, am.amname,
       pg_get_expr(i.indpred, i.indrelid, true),
       (SELECT string_agg(CASE WHEN i.indkey[k - 1] = 0 THEN 'e' ELSE 'c' END
                          || CASE WHEN i.indoption[k - 1]::int & 1 = 1 THEN 'd' ELSE 'a' END
                          || coalesce((SELECT a.attname FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]),
                                      pg_get_indexdef(i.indexrelid, k, true)), chr(31) ORDER BY k)
        FROM generate_series(1, i.indnkeyatts) k),
       (SELECT string_agg(a.attname, chr(31) ORDER BY k) FROM generate_series(i.indnkeyatts + 1, i.indnatts) k
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1])
FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ci.relnamespace
JOIN pg_am am ON am.oid = ci.relam
WHERE n.nspname IN `+list+` AND NOT EXISTS (SELECT 1 FROM pg_constraint k
      WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))`, func(c []string) error {
		t := rels.tables[c[0]]
		if t == nil {
			return nil
		}
		ix := tandem.IndexDesc{Name: c[1], Definition: c[2], Invalid: c[3] == "f", Unique: c[4] == "t", Method: c[5],
			Where: c[6], Include: split(c[8])}
		for _, k := range split(c[7]) {
			if len(k) < 2 {
				return fmt.Errorf("index %s: unreadable key part %q", c[1], k)
			}
			key := tandem.IndexKey{Descending: k[1] == 'd'}
			if k[0] == 'c' {
				key.Column = k[2:]
			} else {
				key.Expression = strings.TrimSpace(k[2:])
			}
			ix.Keys = append(ix.Keys, key)
		}
		t.Indexes = append(t.Indexes, ix)
		return nil
	})
}
