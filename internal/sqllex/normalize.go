package sqllex

// Normalize returns src with comments removed and every run of whitespace outside literals
// folded to one space, trimmed; trailing delimiters (";") at the very end are dropped. Two
// scripts that differ only in comments and whitespace normalize to the same string, which is
// what change hashes are computed from.
//
// Text inside '...' strings and quoted identifiers is kept byte for byte. PostgreSQL
// dollar-quoted bodies are normalized with the same rules, except that their edges are not
// trimmed and a ";" that ends them is kept; a body that does not lex (an unterminated quote or
// comment inside) is kept byte for byte. A comment between two tokens becomes a space, so
// removing it never joins the tokens. In MySQL, two adjacent "-" operators are written "- -", so
// that a comment removed after them cannot turn them into a comment. MySQL /*! */ and /*+ */ comments are code and are kept.
// Input that does not lex is normalized up to the problem and kept as it is from there.
// PostgreSQL psql meta-commands are dropped like comments (\restrict KEY changes with every
// pg_dump of the same schema); the data block of a COPY ... FROM STDIN is kept byte for byte,
// on the lines after the COPY, and what follows it starts on a new line.
//
// Normalize is idempotent on input that lexes without error.
func Normalize(src string, f Flavor) string {
	out, _ := appendNormalized(make([]byte, 0, len(src)), src, f, 1, 0, true)
	return string(out)
}

// appendNormalized appends the normalized src to dst. top marks the whole script, whose edges
// and trailing delimiters are trimmed; below the top (a dollar-quoted body), ok is false when
// the body does not lex, and dst is then only good for truncating.
func appendNormalized(dst []byte, src string, f Flavor, line, depth int, top bool) (_ []byte, ok bool) {
	l := newLexer(src, f, line)
	if depth > 0 {
		l.copy = copyOff
	}
	base := len(dst)
	cut := base // top: where the output ends once trailing blanks and delimiters are dropped
	space := false
	dash := false // MySQL: the last token emitted was a "-" operator
	nl := false   // the last token emitted was a COPY data block: a newline must follow it
	for {
		t := l.next()
		if l.err != nil && !top {
			return dst, false
		}
		switch t.kind {
		case kEOF:
			if top {
				return dst[:cut], l.err == nil
			}
			if space {
				dst = append(dst, ' ')
			}
			return dst, true
		case kSpace, kLineComment, kBlockComment, kMeta:
			// psql meta-commands are dropped: the ones tandem accepts change nothing it runs,
			// and \restrict KEY changes with every pg_dump of the same schema.
			space = true
			continue
		case kData:
			// The data block is kept byte for byte, from the line after its COPY to its "\."
			// line, and what follows starts on a new line.
			if l.err == nil {
				dst = append(dst, '\n')
				dst = append(dst, copyRows(l.text(t))...)
				dst = append(dst, '\\', '.')
			} else {
				dst = append(dst, l.text(t)...)
			}
			cut, space, dash, nl = len(dst), false, false, true
			continue
		}
		isDash := f == MySQL && t.kind == kPunct && src[t.start] == '-'
		if nl {
			dst = append(dst, '\n')
		} else if (space && (!top || len(dst) > base)) || (isDash && dash) {
			// MySQL reads "--" as two operators when a comment follows it directly ("--#c"),
			// but as a comment when a blank does; "- -" keeps them operators whatever follows.
			dst = append(dst, ' ')
		}
		space, dash, nl = false, isDash, false
		if t.kind == kDollar && t.tag > 0 && depth < maxDepth {
			tag := src[t.start : t.start+t.tag]
			dst = append(dst, tag...)
			mark := len(dst)
			body := src[t.start+t.tag : t.end-t.tag]
			var bodyOK bool
			dst, bodyOK = appendNormalized(dst, body, f, t.line, depth+1, false)
			if !bodyOK {
				dst = append(dst[:mark], body...)
			}
			dst = append(dst, tag...)
		} else {
			dst = append(dst, src[t.start:t.end]...)
		}
		if t.kind != kSemi {
			cut = len(dst)
		}
	}
}
