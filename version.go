package tandem

import "strings"

// CompareVersions compares two migration versions part by part, numerically: it returns -1 when
// a sorts before b, 0 when they are the same version and +1 otherwise. Parts are separated by
// "." or "_" ("1_1" is "1.1"), leading zeros do not count ("0001" is "1"), and missing parts count
// as zero ("1" is "1.0"), as in Flyway. A part that is not a number compares as text, after
// every number.
func CompareVersions(a, b string) int {
	pa, pb := versionParts(a), versionParts(b)
	for i := 0; i < len(pa) || i < len(pb); i++ {
		x, y := "0", "0"
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if c := comparePart(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// versionParts splits a version into its parts, at "." and "_".
func versionParts(v string) []string {
	if v == "" {
		return nil
	}
	return strings.FieldsFunc(v, func(r rune) bool { return r == '.' || r == '_' })
}

func comparePart(x, y string) int {
	nx, ny := isDigits(x), isDigits(y)
	switch {
	case nx && ny:
		x, y = trimZeros(x), trimZeros(y)
		if len(x) != len(y) {
			if len(x) < len(y) {
				return -1
			}
			return 1
		}
		return strings.Compare(x, y)
	case nx:
		return -1
	case ny:
		return 1
	}
	return strings.Compare(x, y)
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// trimZeros strips leading zeros from a number, keeping one digit.
func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

// CanonicalVersion is a migration version as the key of its migration: numeric parts without
// leading zeros, joined by "." ("0001" is "1", "1_01" is "1.1").
func CanonicalVersion(v string) string {
	parts := versionParts(v)
	for i, p := range parts {
		if isDigits(p) {
			parts[i] = trimZeros(p)
		}
	}
	return strings.Join(parts, ".")
}
