package move

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// class is a coarse type family, enough to compare types across databases and to carry values
// from one driver to another.
type class int

const (
	cText class = iota
	cInt
	cDecimal
	cFloat
	cBool
	cTime
	cDate
	cJSON
	cBytes
	cUUID
)

var classNames = [...]string{"text", "integer", "decimal", "floating point", "boolean", "timestamp", "date", "json", "binary", "uuid"}

func (c class) String() string { return classNames[c] }

// classify maps a declared type (as the catalogs of PostgreSQL, MySQL and SQLite write it, or
// as a driver names a result column) to its family.
func classify(typ string) class {
	t := strings.ToLower(strings.TrimSpace(typ))
	base := t
	if i := strings.IndexByte(base, '('); i >= 0 {
		base = strings.TrimSpace(base[:i])
	}
	switch {
	case t == "tinyint(1)" || strings.HasPrefix(base, "bool"):
		return cBool
	case strings.Contains(base, "int") && !strings.Contains(base, "interval") && !strings.Contains(base, "point"):
		return cInt
	case strings.HasPrefix(base, "numeric") || strings.HasPrefix(base, "decimal") || base == "dec" || base == "fixed" || base == "money":
		return cDecimal
	case strings.Contains(base, "real") || strings.Contains(base, "float") || strings.Contains(base, "doub"):
		return cFloat
	case strings.Contains(base, "timestamp") || strings.Contains(base, "datetime"):
		return cTime
	case base == "date":
		return cDate
	case strings.HasPrefix(base, "json"):
		return cJSON
	case base == "bytea" || strings.Contains(base, "blob") || strings.Contains(base, "binary"):
		return cBytes
	case base == "uuid":
		return cUUID
	}
	return cText
}

// compatible reports whether values of class from can be stored in a column of class to without
// a likely failure or silent loss.
func compatible(from, to class) bool {
	if from == to || to == cText {
		return true
	}
	switch to {
	case cInt:
		return from == cBool
	case cDecimal, cFloat:
		return from == cInt || from == cDecimal || from == cFloat
	case cBool:
		return from == cInt
	case cTime:
		return from == cDate
	case cDate:
		return from == cTime
	case cJSON, cUUID:
		return from == cText
	case cBytes:
		return from == cText
	}
	return false
}

// convert carries a value read from one database into a bind parameter for a column of class
// to in another: bytes become text except for binary columns, 0/1 become booleans, text
// timestamps become times.
func convert(v any, to class) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		if to == cBytes {
			return x
		}
		v = string(x)
	case [16]byte:
		if to == cUUID || to == cText {
			return uuidString(x)
		}
	}
	switch to {
	case cBool:
		switch x := v.(type) {
		case int64:
			return x != 0
		case string:
			if b, err := strconv.ParseBool(strings.ToLower(x)); err == nil {
				return b
			}
		}
	case cInt:
		if b, ok := v.(bool); ok {
			if b {
				return int64(1)
			}
			return int64(0)
		}
	case cTime, cDate:
		if s, ok := v.(string); ok {
			if t := parseTimeText(s); !t.IsZero() {
				return t
			}
		}
	case cJSON:
		if m, ok := v.(map[string]any); ok {
			b, _ := json.Marshal(m)
			return string(b)
		}
	}
	return v
}

// normalize renders a value canonically for its column's class, so that values read from two
// different databases compare equal when they mean the same: numbers by value, times in UTC,
// JSON re-encoded with sorted keys, bytes as text.
func normalize(v any, c class) string {
	switch x := v.(type) {
	case nil:
		return "\x00NULL"
	case []byte:
		v = string(x)
	case [16]byte:
		v = uuidString(x)
	}
	switch c {
	case cInt, cDecimal, cFloat:
		if r, ok := toRat(v); ok {
			return r.RatString()
		}
	case cBool:
		switch x := v.(type) {
		case bool:
			return strconv.FormatBool(x)
		case int64:
			return strconv.FormatBool(x != 0)
		case string:
			if b, err := strconv.ParseBool(strings.ToLower(x)); err == nil {
				return strconv.FormatBool(b)
			}
		}
	case cTime:
		switch x := v.(type) {
		case time.Time:
			return x.UTC().Format(time.RFC3339Nano)
		case string:
			if t := parseTimeText(x); !t.IsZero() {
				return t.Format(time.RFC3339Nano)
			}
		}
	case cDate:
		switch x := v.(type) {
		case time.Time:
			return x.Format("2006-01-02")
		case string:
			if len(x) >= 10 {
				return x[:10]
			}
		}
	case cJSON:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		default:
			b, _ := json.Marshal(x)
			s = string(b)
		}
		var j any
		if err := json.Unmarshal([]byte(s), &j); err == nil {
			b, _ := json.Marshal(j)
			return string(b)
		}
		return s
	case cUUID:
		return strings.ToLower(fmt.Sprint(v))
	}
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

func toRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(x), true
	case float64:
		r := new(big.Rat)
		if _, ok := r.SetString(strconv.FormatFloat(x, 'g', -1, 64)); ok {
			return r, true
		}
	case bool:
		if x {
			return big.NewRat(1, 1), true
		}
		return new(big.Rat), true
	case string:
		r := new(big.Rat)
		if _, ok := r.SetString(strings.TrimSpace(x)); ok {
			return r, true
		}
	}
	return nil, false
}

func uuidString(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
