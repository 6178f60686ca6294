package move

import "strings"

// MapSchemas rewrites the logical schemas an SQL expression names into physical ones, as
// deploy places them: a qualified reference such as app.orders becomes app_dev.orders when
// physical maps "app" to "app_dev", and a token ${app_physicalName} becomes app_dev too.
// Names are matched without regard to case; a quoted name ("app".orders), text in string
// literals and comments, and a part after a dot (x.app.y) are left as written. quote renders
// a physical name that is not a plain lower-case identifier.
func MapSchemas(expr string, physical map[string]string, quote func(string) string) string {
	if len(physical) == 0 {
		return expr
	}
	lookup := func(name string) (string, bool) {
		for k, v := range physical {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
		return "", false
	}
	render := func(phys string) string {
		if plainIdent(phys) {
			return phys
		}
		return quote(phys)
	}
	var sb strings.Builder
	i := 0
	for i < len(expr) {
		c := expr[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := skipQuoted(expr, i, c)
			sb.WriteString(expr[i:j])
			i = j
		case c == '-' && strings.HasPrefix(expr[i:], "--"):
			j := strings.IndexByte(expr[i:], '\n')
			if j < 0 {
				j = len(expr) - i
			}
			sb.WriteString(expr[i : i+j])
			i += j
		case c == '/' && strings.HasPrefix(expr[i:], "/*"):
			j := strings.Index(expr[i+2:], "*/")
			end := len(expr)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			sb.WriteString(expr[i:end])
			i = end
		case c == '$' && strings.HasPrefix(expr[i:], "${"):
			j := strings.IndexByte(expr[i:], '}')
			if j > 0 {
				name := expr[i+2 : i+j]
				if s, ok := strings.CutSuffix(name, "_physicalName"); ok {
					if phys, ok := lookup(s); ok {
						sb.WriteString(phys)
						i += j + 1
						continue
					}
				}
			}
			sb.WriteByte(c)
			i++
		case identStart(c):
			j := i
			for j < len(expr) && identPart(expr[j]) {
				j++
			}
			word := expr[i:j]
			afterDot := i > 0 && expr[i-1] == '.'
			if !afterDot && j < len(expr) && expr[j] == '.' {
				if phys, ok := lookup(word); ok {
					sb.WriteString(render(phys))
					i = j
					continue
				}
			}
			sb.WriteString(word)
			i = j
		default:
			sb.WriteByte(c)
			i++
		}
	}
	return sb.String()
}

// skipQuoted returns the index after the quoted text that starts at i with quote q (a
// doubled quote inside stays inside; a backslash escapes in MySQL strings, and is harmless to
// honour elsewhere for the purpose of finding the end).
func skipQuoted(s string, i int, q byte) int {
	j := i + 1
	for j < len(s) {
		switch s[j] {
		case '\\':
			if q != '"' {
				j += 2
				continue
			}
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j += 2
				continue
			}
			return j + 1
		}
		j++
	}
	return len(s)
}

func identStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func identPart(c byte) bool { return identStart(c) || c >= '0' && c <= '9' || c == '$' }

// plainIdent reports whether s needs no quotes on any engine: lower case letters, digits and
// underscores, not starting with a digit.
func plainIdent(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
