package move

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Key is the value of a row's key columns, in key order. Values are int64, float64, string or
// time.Time as the drivers return them ([]byte is turned into string).
type Key []any

// String renders the key as (1) or (1, "x"), the form messages use.
func (k Key) String() string {
	parts := make([]string, len(k))
	for i, v := range k {
		switch v := v.(type) {
		case nil:
			parts[i] = "NULL"
		case string:
			parts[i] = fmt.Sprintf("%q", v)
		case time.Time:
			parts[i] = v.UTC().Format(keyTimeFormat)
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// keyTimeFormat is how time keys are written in a checkpoint: a form that PostgreSQL, MySQL and
// SQLite all read back as the same time.
const keyTimeFormat = "2006-01-02 15:04:05.999999999"

// Bound is the upper bound H of a backfill: the largest key of A when dual-write became
// effective. Rows with a key up to H are copied; later rows are written by the application.
type Bound struct {
	// Key is H; nil when A was empty, so that there is nothing to copy.
	Key Key
}

// Empty reports whether A had no rows when the bound was fixed.
func (b Bound) Empty() bool { return b.Key == nil }

// String renders the bound for messages.
func (b Bound) String() string {
	if b.Empty() {
		return "none (A was empty)"
	}
	return b.Key.String()
}

// Encode renders k as the JSON array that the move's tables (the checkpoint, the reverse log
// and the outbox) store.
func (k Key) Encode() (string, error) { return encodeKey(k) }

// encodeKey renders k as a JSON array for the checkpoint table.
func encodeKey(k Key) (string, error) {
	vals := make([]any, len(k))
	for i, v := range k {
		if t, ok := v.(time.Time); ok {
			v = t.UTC().Format(keyTimeFormat)
		}
		vals[i] = v
	}
	b, err := json.Marshal(vals)
	if err != nil {
		return "", fmt.Errorf("encode key %v: %w", k, err)
	}
	return string(b), nil
}

// decodeKey reads a key written by encodeKey. Whole numbers come back as int64.
func decodeKey(s string) (Key, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil {
		return nil, fmt.Errorf("checkpoint key %q: %w", s, err)
	}
	k := make(Key, len(vals))
	for i, v := range vals {
		if n, ok := v.(json.Number); ok {
			if x, err := n.Int64(); err == nil {
				k[i] = x
			} else if f, err := n.Float64(); err == nil {
				k[i] = f
			} else {
				k[i] = n.String()
			}
			continue
		}
		k[i] = v
	}
	return k, nil
}

// keyValue normalizes a key value as scanned, so that keys compare and print alike whatever the
// driver: bytes become a string.
func keyValue(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// scanKey reads n key columns from vals.
func scanKey(vals []any) Key {
	k := make(Key, len(vals))
	for i, v := range vals {
		k[i] = keyValue(v)
	}
	return k
}
