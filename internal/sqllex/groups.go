package sqllex

import "strings"

// Groups returns the text inside each parenthesized group that directly follows the keyword
// word (skipping whitespace and comments), in order: Groups("CREATE TABLE t (a int CHECK (a >
// 0), CHECK (a < 9))", SQLite, "CHECK") gives ["a > 0", "a < 9"]. Only unquoted words count,
// and parentheses inside literals, quoted identifiers and comments do not; the text is trimmed.
// A group left open at the end of src is dropped.
func Groups(src string, f Flavor, word string) []string {
	word = strings.ToUpper(word)
	var out []string
	l := newLexer(src, f, 1)
	after := false // the last code token was word
	for {
		t := l.next()
		switch {
		case t.kind == kEOF:
			return out
		case !t.kind.code():
			continue
		case after && t.kind == kPunct && l.text(t) == "(":
			if end, ok := closeParen(&l); ok {
				out = append(out, strings.TrimSpace(src[t.end:end]))
			}
			after = false
			continue
		}
		after = t.kind == kWord && eqUpper(l.text(t), word)
	}
}

// closeParen reads up to the parenthesis that closes one already read, and returns where that
// closing parenthesis starts.
func closeParen(l *lexer) (int, bool) {
	depth := 1
	for {
		t := l.next()
		if t.kind == kEOF {
			return 0, false
		}
		if t.kind != kPunct {
			continue
		}
		switch l.text(t) {
		case "(":
			depth++
		case ")":
			if depth--; depth == 0 {
				return t.start, true
			}
		}
	}
}
