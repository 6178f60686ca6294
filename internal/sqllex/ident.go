package sqllex

import "strings"

// Ident is an identifier or a qualified name (a.b or a.b.c) found in code.
type Ident struct {
	// Parts are the name's parts, unquoted, case kept: "public"."Users" gives ["public", "Users"].
	Parts []string
	// Line is the 1-based line where the name starts.
	Line int
	// Quoted reports whether any part was quoted.
	Quoted bool
}

// maxDepth bounds how deep dollar-quoted bodies inside dollar-quoted bodies are entered, so that
// crafted input cannot make the work quadratic.
const maxDepth = 16

// Identifiers calls fn for every identifier outside comments and string literals, in order.
// Bodies in PostgreSQL dollar quotes ($$...$$, $fn$...$fn$) are scanned too, recursively with the
// same rules, because they are function bodies. Keywords are reported as well; callers filter by
// the names they know. Numbers, operators, parameters ($1, ?, :name, @var) and ${token}
// references are not identifiers. MySQL DELIMITER lines are followed and not reported. The parts of a qualified name are joined by dots with no
// blanks between them. Unterminated constructs are scanned as far as they go.
//
// fn owns the Ident it is given; its Parts are not reused.
func Identifiers(src string, f Flavor, fn func(Ident)) {
	var a partAlloc
	identifiers(src, f, 1, 0, fn, &a)
}

func identifiers(src string, f Flavor, line, depth int, fn func(Ident), a *partAlloc) {
	l := newLexer(src, f, line)
	if depth > 0 {
		l.copy = copyOff
	}
	var parts [8]string
	bol := true
	for {
		if l.stop != "" && strings.HasPrefix(src[l.pos:], l.stop) {
			l.pos += len(l.stop)
			bol = false
			continue
		}
		if bol && f == MySQL && depth == 0 {
			// Follow DELIMITER lines, so that "END$$" gives END and not a name "END$$".
			if d, end, ok := delimiterDirective(src[l.pos:]); ok && len(d) <= maxDelimiter {
				l.stop = ""
				if d != ";" {
					l.stop = d
				}
				l.advance(l.pos + end)
				continue
			}
		}
		t := l.next()
		switch t.kind {
		case kSpace:
			bol = bol || l.line != t.line
			continue
		case kLineComment:
			continue
		}
		bol = false
		switch t.kind {
		case kEOF:
			return
		case kDollar:
			if t.tag > 0 && depth < maxDepth {
				identifiers(src[t.start+t.tag:t.end-t.tag], f, t.line, depth+1, fn, a)
			}
		case kWord, kQIdent:
			n, quoted := 1, t.kind == kQIdent
			parts[0] = unquote(l.text(t))
			for l.pos+1 < len(src) && src[l.pos] == '.' && startsName(src[l.pos+1], f) {
				save := l
				l.pos++
				u := l.next()
				if u.kind != kWord && u.kind != kQIdent {
					l = save
					break
				}
				quoted = quoted || u.kind == kQIdent
				if n < len(parts) {
					parts[n] = unquote(l.text(u))
				}
				n++
			}
			n = min(n, len(parts))
			fn(Ident{Parts: a.take(parts[:n]), Line: t.line, Quoted: quoted})
		}
	}
}

// startsName reports whether c can start the next part of a qualified name.
func startsName(c byte, f Flavor) bool {
	if class[c]&cIdentStart != 0 {
		return true
	}
	switch c {
	case '"':
		return f != MySQL
	case '`':
		return f != Postgres
	case '[':
		return f == SQLite
	}
	return false
}

// unquote returns the name a word or quoted identifier stands for.
func unquote(s string) string {
	if len(s) < 2 {
		return s
	}
	var q byte
	switch s[0] {
	case '"', '`':
		q = s[0]
	case '[':
		if s[len(s)-1] == ']' {
			return s[1 : len(s)-1]
		}
		return s[1:]
	case 'U', 'u':
		if s[1] == '&' && len(s) >= 3 {
			return unquote(s[2:])
		}
		return s
	default:
		return s
	}
	body := s[1:]
	if len(body) > 0 && body[len(body)-1] == q {
		body = body[:len(body)-1]
	}
	dq := string([]byte{q, q})
	if strings.Contains(body, dq) {
		body = strings.ReplaceAll(body, dq, dq[:1])
	}
	return body
}

// partAlloc hands out Parts slices from shared chunks, to make one allocation per many names.
// Chunks start small and double, so that the many short scripts of a large project (one view
// each) do not each pay for a large chunk.
type partAlloc struct {
	buf  []string
	next int
}

func (a *partAlloc) take(p []string) []string {
	if len(a.buf) < len(p) {
		a.next = min(max(2*a.next, 16), 256)
		a.buf = make([]string, max(a.next, len(p)))
	}
	out := a.buf[:len(p):len(p)]
	copy(out, p)
	a.buf = a.buf[len(p):]
	return out
}

// Keywords returns the first n words of stmt, upper-cased, skipping comments and whitespace
// (e.g. ["CREATE", "INDEX", "CONCURRENTLY"]); dialects use it to classify statements. Only
// unquoted words count: quoted identifiers, literals and punctuation are skipped, so
// ALTER TYPE "mood" ADD VALUE gives [ALTER TYPE ADD VALUE]. Dollar-quoted bodies are not
// entered; the content of MySQL /*! */ comments is.
func Keywords(stmt string, f Flavor, n int) []string {
	if n <= 0 {
		return nil
	}
	var out []string
	l := newLexer(stmt, f, 1)
	for len(out) < n {
		t := l.next()
		if t.kind == kEOF {
			break
		}
		if t.kind == kWord {
			out = append(out, strings.ToUpper(l.text(t)))
		}
	}
	return out
}
