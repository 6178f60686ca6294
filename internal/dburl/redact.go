package dburl

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// mask is what a password is replaced by.
const mask = "xxxxx"

// minSecret is the shortest password Scrub replaces wherever it appears; a shorter one would
// garble the text, so it is hidden only where one of the forms puts it.
const minSecret = 4

// secretKeys are the parameters, in a URL's query or a key=value connection string, whose
// values are passwords. They are compared ignoring case, after percent-decoding.
var secretKeys = []string{"password", "sslpassword"}

// Redact returns raw, one database or store URL or connection string as a user wrote it, with
// every password replaced by xxxxx, for output and logs. It knows the forms that Scrub knows
// and reads raw as a whole, so that a URL that does not parse (a '/' or a blank in the
// password) is still hidden. It over-redacts rather than risk showing a password.
func Redact(raw string) string {
	return replace(raw, spans(raw, true))
}

// Scrub returns text with every password it recognises replaced by xxxxx, and every
// occurrence of each of secrets (see Passwords) of at least 4 characters. It is the one place
// that knows the forms a password takes in tandem's input:
//
//   - a URL's user info: scheme://user:password@host (postgres, mysql, redis, rediss, ...),
//     up to the last '@' of the word, so that an unescaped '@' or '/' in the password is
//     hidden too;
//   - a password or sslpassword parameter, in any case, in a URL's query (?password=pw&...)
//     or a key=value connection string (password=pw, password = 'a b', password='it\'s');
//   - a go-sql-driver DSN: user:password@tcp(host:port)/db, user:password@/db.
//
// text is free text (an error message, a log line) that may quote URLs among other words:
// a URL ends at the first blank. Scrub is idempotent, so it may be applied at every boundary
// where text leaves the program.
func Scrub(text string, secrets ...string) string {
	secrets = slices.Clone(secrets)
	// Longest first, so that a password that contains another is replaced whole.
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, s := range secrets {
		if len(s) >= minSecret && s != mask {
			text = strings.ReplaceAll(text, s, mask)
		}
	}
	return replace(text, spans(text, false))
}

// Passwords returns the passwords that raw, one URL or connection string, holds in any of the
// forms Scrub knows: each as written, decoded, and percent-encoded, since a driver or a server
// may quote any of them. A caller gives them to Scrub for text that quotes a password outside
// those forms (a server that echoes the statement it refused).
func Passwords(raw string) []string {
	var out []string
	add := func(pw string) {
		if pw != "" && pw != mask && !slices.Contains(out, pw) {
			out = append(out, pw)
		}
	}
	for _, sp := range spans(raw, true) {
		written := raw[sp.start:sp.end]
		add(written)
		decoded := written
		switch sp.kind {
		case quotedValue:
			decoded = unquoteValue(written)
		case userinfo:
			if d, err := url.PathUnescape(written); err == nil {
				decoded = d
			}
		case queryValue:
			if d, err := url.QueryUnescape(written); err == nil {
				decoded = d
			}
		}
		add(decoded)
		add(url.QueryEscape(decoded))
		add(url.PathEscape(decoded))
	}
	return out
}

type spanKind int

const (
	userinfo    spanKind = iota // scheme://user:PASSWORD@host
	dsnPassword                 // user:PASSWORD@tcp(host)/db
	queryValue                  // ?password=VALUE&
	plainValue                  // password=VALUE (key=value string)
	quotedValue                 // password='VALUE'
)

// span is where a password is in a string: s[start:end].
type span struct {
	start, end int
	kind       spanKind
}

// spans finds every password in s. With whole set, s is one URL or connection string;
// otherwise it is free text, whose words are read one by one.
func spans(s string, whole bool) []span {
	var out []span
	words := [][2]int{{0, len(s)}}
	if !whole {
		words = wordBounds(s)
	}
	for _, w := range words {
		word := s[w[0]:w[1]]
		if strings.Contains(word, "://") {
			out = append(out, userinfoSpans(word, w[0])...)
		} else if sp, ok := dsnSpan(word, w[0]); ok {
			out = append(out, sp)
		}
	}
	out = append(out, paramSpans(s)...)
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	return out
}

// wordBounds splits s at blanks.
func wordBounds(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		switch {
		case unicode.IsSpace(r) && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		case !unicode.IsSpace(r) && start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

// userinfoSpans finds the user-info passwords of the URLs in word: after the first ':'
// following "://", up to the last '@' (a password may hold an unescaped '@' or '/', which
// stops the URL from parsing).
func userinfoSpans(word string, offset int) []span {
	var out []span
	from := 0
	for {
		i := strings.Index(word[from:], "://")
		if i < 0 {
			return out
		}
		restStart := from + i + 3
		rest := word[restStart:]
		at := strings.LastIndexByte(rest, '@')
		if at < 0 {
			from = restStart
			continue
		}
		colon := strings.IndexByte(rest[:at], ':')
		if colon >= 0 && colon+1 < at && !placeholder(rest[colon+1:at]) {
			out = append(out, span{offset + restStart + colon + 1, offset + restStart + at, userinfo})
		}
		from = restStart + at + 1
	}
}

// dsnSpan finds the password of a go-sql-driver DSN, user:password@net(addr)/db or
// user:password@/db: after the first ':', up to the last '@' that a network or the database
// follows.
func dsnSpan(word string, offset int) (span, bool) {
	for at := strings.LastIndexByte(word, '@'); at >= 0; at = strings.LastIndexByte(word[:at], '@') {
		if !dsnAddress(word[at+1:]) {
			continue
		}
		colon := strings.IndexByte(word[:at], ':')
		if colon < 0 || colon+1 == at || placeholder(word[colon+1:at]) {
			return span{}, false
		}
		return span{offset + colon + 1, offset + at, dsnPassword}, true
	}
	return span{}, false
}

// dsnAddress reports whether s, what follows the '@' of a go-sql-driver DSN, starts like its
// address part: net(addr) or the '/' before the database.
func dsnAddress(s string) bool {
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
		i++
	}
	return i < len(s) && (s[i] == '(' || i == 0 && s[i] == '/')
}

// paramKey finds a parameter's key and its '=': at the start, or after a blank, a query's '?'
// or '&', or punctuation that may enclose a connection string.
var paramKey = regexp.MustCompile(`(?:^|[\s?&;,(\[{"'` + "`" + `])([\w%]+)\s*=[ \t]*`)

// paramSpans finds the values of password parameters in s. After '?' or '&' a value is a URL
// query's, which ends at the next '&' or blank; otherwise it is a key=value string's: quoted
// with '\” escapes, or up to the next blank.
func paramSpans(s string) []span {
	var out []span
	pos := 0
	for pos < len(s) {
		m := paramKey.FindStringSubmatchIndex(s[pos:])
		if m == nil {
			break
		}
		keyStart, keyEnd, valStart := pos+m[2], pos+m[3], pos+m[1]
		pos = valStart
		if !isSecretKey(s[keyStart:keyEnd]) {
			continue
		}
		query := keyStart > 0 && (s[keyStart-1] == '?' || s[keyStart-1] == '&')
		var sp span
		switch {
		case query:
			end := valStart
			for end < len(s) && s[end] != '&' && !isBlank(s[end]) {
				end++
			}
			sp = span{valStart, end, queryValue}
		case valStart < len(s) && s[valStart] == '\'':
			end := valStart + 1
			for end < len(s) && s[end] != '\'' {
				if s[end] == '\\' && end+1 < len(s) {
					end++
				}
				end++
			}
			sp = span{valStart + 1, end, quotedValue}
			pos = min(end+1, len(s))
		default:
			end := valStart
			for end < len(s) && !isBlank(s[end]) {
				end++
			}
			sp = span{valStart, end, plainValue}
		}
		if sp.end > sp.start && !masked(s[sp.start:sp.end]) {
			out = append(out, sp)
		}
		pos = max(pos, sp.end)
	}
	return out
}

// placeholder reports whether a user-info password is the word "password" of a hint that says
// which URL to write (mysql://user:password@host). Someone whose password it is still has it
// hidden, by Scrub's secrets.
func placeholder(pw string) bool { return strings.EqualFold(pw, "password") }

func isSecretKey(k string) bool {
	if d, err := url.QueryUnescape(k); err == nil {
		k = d
	}
	return slices.Contains(secretKeys, strings.ToLower(k))
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// masked reports whether a value found in free text is an earlier mask followed by the
// punctuation around it, so that scrubbing twice changes nothing.
func masked(v string) bool {
	rest, ok := strings.CutPrefix(v, mask)
	return ok && strings.Trim(rest, `:;,.)]}"'`+"`") == ""
}

// unquoteValue undoes a key=value string's backslash escapes.
func unquoteValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// replace puts the mask over each span; s holds them sorted by start, and overlapping spans
// are masked as one.
func replace(s string, sps []span) string {
	if len(sps) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(sps); {
		start, end := sps[i].start, sps[i].end
		for i++; i < len(sps) && sps[i].start <= end; i++ {
			end = max(end, sps[i].end)
		}
		b.WriteString(s[last:start])
		b.WriteString(mask)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// Expand resolves a URL as written in a project (tandem.yaml, a move's table or store):
// expand replaces its ${VAR} references (nil: none), and learn is told the result before
// anyone parses, opens or prints it, so that its passwords can be scrubbed from any output,
// an error quoting the URL included (nil: nobody). The error of expand is returned as it is;
// it must not quote the URL.
func Expand(raw string, expand func(string) (string, error), learn func(url string)) (string, error) {
	out := raw
	if expand != nil {
		var err error
		if out, err = expand(raw); err != nil {
			return "", err
		}
	}
	if learn != nil {
		learn(out)
	}
	return out, nil
}
