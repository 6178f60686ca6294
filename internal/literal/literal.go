// Package literal tells whether the text of a static data value spells a value of a kind of
// column: a whole number, a number, a boolean, a date, a time of day. Dialects whose casts
// accept any text (SQLite's CAST('eighty' AS INTEGER) is 0, MySQL's with only a warning) use it
// to refuse such values before a row is written, with the same rules on both.
package literal

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	integerRe = regexp.MustCompile(`^[+-]?[0-9]+$`)
	numberRe  = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	clockRe   = regexp.MustCompile(`^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$`)
)

// Integer reports whether s, blanks around it aside, is a whole number in decimal digits with an
// optional sign ("42", "-7"; not "1.5", "1e3" or "12abc"), and returns it when it fits in 64
// bits (ok is then true; a longer number is a whole number that fits no integer column).
func Integer(s string) (n int64, whole, ok bool) {
	s = strings.TrimSpace(s)
	if !integerRe.MatchString(s) {
		return 0, false, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, true, err == nil
}

// Unsigned is Integer for a number without a minus sign, returned as a uint64.
func Unsigned(s string) (n uint64, whole, ok bool) {
	s = strings.TrimSpace(s)
	if !integerRe.MatchString(s) || strings.HasPrefix(s, "-") {
		return 0, false, false
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "+"), 10, 64)
	return n, true, err == nil
}

// Number reports whether s, blanks around it aside, is a decimal number: digits with an
// optional sign, decimal point and exponent ("1.5", "-.5", "1e3"; not "1,5", "inf" or "0x10").
func Number(s string) bool { return numberRe.MatchString(strings.TrimSpace(s)) }

// Bool reports whether s is one of the spellings of a boolean that tandem's casts accept, in any
// case: 1/0, t/f, true/false, y/n, yes/no, on/off.
func Bool(s string) bool {
	switch strings.ToLower(s) {
	case "1", "t", "true", "y", "yes", "on", "0", "f", "false", "n", "no", "off":
		return true
	}
	return false
}

// BoolHint says how to write a boolean, for messages.
const BoolHint = "write true or false (or t/f, yes/no, y/n, on/off, 1/0)"

// Date reports whether s is a calendar date written YYYY-MM-DD ("2024-02-29"; not "2024-02-30",
// "2024-1-2" or "yesterday").
func Date(s string) bool { return parses(s, "2006-01-02") }

// DateTime reports whether s is a date, optionally followed by a blank or "T" and a time of day
// (HH:MM, HH:MM:SS or HH:MM:SS.fraction).
func DateTime(s string) bool {
	if Date(s) {
		return true
	}
	if len(s) < 11 || (s[10] != ' ' && s[10] != 'T') {
		return false
	}
	return Date(s[:10]) && Clock(s[11:])
}

// Clock reports whether s is a time of day: HH:MM, HH:MM:SS or HH:MM:SS.fraction, hours 00-23.
func Clock(s string) bool {
	return clockRe.MatchString(s) && (parses(s, "15:04") || parses(s, "15:04:05"))
}

// parses reports whether s is exactly the layout's form (time.Parse accepts a fraction after
// the seconds by itself).
func parses(s, layout string) bool {
	_, err := time.Parse(layout, s)
	return err == nil
}
