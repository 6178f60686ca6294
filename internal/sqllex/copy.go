package sqllex

import "strings"

// copyState follows PostgreSQL statements far enough to find the two things in a psql script
// that are not SQL: the data block after COPY ... FROM STDIN, which runs to a line holding
// only "\.", and psql meta-commands ("\set ON_ERROR_STOP on", "\restrict KEY"), which start
// with a backslash where no statement is open and run to the end of the line.
type copyState uint8

const (
	copyStmt  copyState = iota // no code since the last ";" (or the start): a statement may begin
	copyOther                  // inside a statement that is not COPY ... FROM STDIN
	copyHead                   // after COPY, before FROM
	copyFrom                   // after COPY ... FROM
	copyArmed                  // after COPY ... FROM STDIN: its ";" is followed by data
	copyData                   // the next token is the data block
	copyOff                    // not PostgreSQL, or a dollar-quoted body: nothing is followed
)

// follow moves the COPY state past t, a code token (next calls it for no other).
func (l *lexer) follow(t token) {
	switch t.kind {
	case kSemi:
		if l.copy == copyArmed {
			l.copy = copyData
		} else {
			l.copy = copyStmt
		}
		return
	}
	switch l.copy {
	case copyStmt:
		l.copy = copyOther
		if t.kind == kWord && eqUpper(l.text(t), "COPY") {
			l.copy, l.copyLine = copyHead, t.line
		}
	case copyHead:
		if t.kind == kWord {
			switch w := l.text(t); {
			case eqUpper(w, "FROM"):
				l.copy = copyFrom
			case eqUpper(w, "TO"):
				l.copy = copyOther
			}
		}
	case copyFrom:
		l.copy = copyOther
		if t.kind == kWord && eqUpper(l.text(t), "STDIN") {
			l.copy = copyArmed
		}
	}
}

// data lexes the data block that follows the ";" of COPY ... FROM STDIN: the rest of that line
// (which must be blank), the data lines, and the line "\." that ends them, without its
// newline. psql sends the lines between as the COPY's data, byte for byte.
func (l *lexer) data() token {
	l.copy = copyStmt
	s := l.src
	t := token{kind: kData, start: l.pos, line: l.line}
	e := lineEnd(s, l.pos)
	if rest := strings.Trim(s[l.pos:e], " \t\r\f\v"); rest != "" && !strings.HasPrefix(rest, "--") {
		l.fail(l.line, "text after COPY ... FROM stdin; on the same line; the data rows start on the next line")
	}
	for p := e + 1; p <= len(s); {
		e = lineEnd(s, p)
		if line := strings.TrimSuffix(s[p:e], "\r"); line == `\.` {
			l.advance(e)
			t.end = e
			return t
		}
		if e == len(s) {
			break
		}
		p = e + 1
	}
	l.fail(l.copyLine, `COPY data block never ends: no line "\." after the data of the COPY ... FROM stdin opened here`)
	l.advance(len(s))
	t.end = len(s)
	return t
}

// copyRows returns the data lines of a kData token's text: what psql would send to the server.
func copyRows(tok string) string {
	_, rows, ok := strings.Cut(tok, "\n")
	if !ok {
		return ""
	}
	rows = strings.TrimSuffix(rows, `\.`)
	if strings.HasSuffix(rows, `\.`+"\r") {
		rows = strings.TrimSuffix(rows, `\.`+"\r")
	}
	return rows
}

// metaAt reports whether a psql meta-command starts at i, where no statement is open: a
// backslash, which psql reads as a meta-command anywhere outside quotes, and which can start no
// SQL statement.
func (l *lexer) metaAt(i int) bool {
	return i < len(l.src) && l.src[i] == '\\'
}

// meta lexes a psql meta-command line, without its newline.
func (l *lexer) meta() token {
	t := token{kind: kMeta, start: l.pos, line: l.line}
	t.end = lineEnd(l.src, l.pos)
	l.pos = t.end
	return t
}

// checkMeta says whether tandem accepts the psql meta-command line m, which it then drops:
// \restrict and \unrestrict (which recent pg_dump versions write around a dump) and
// \set ON_ERROR_STOP on (tandem always stops at the first error). Anything else is refused
// rather than sent to the server or ignored.
func checkMeta(m string) (ok bool, msg string) {
	f := strings.Fields(strings.TrimSuffix(m, "\r"))
	cmd := f[0]
	switch cmd {
	case `\restrict`, `\unrestrict`:
		return true, ""
	case `\set`:
		if len(f) == 3 && f[1] == "ON_ERROR_STOP" {
			switch strings.ToLower(f[2]) {
			case "on", "1", "true", "yes":
				return true, ""
			}
			return false, `psql meta-command "\set ON_ERROR_STOP ` + f[2] + `": tandem always stops at the first error; remove the line or set it on`
		}
	}
	if len(cmd) > 40 {
		cmd = cmd[:40] + "..."
	}
	return false, "psql meta-command " + cmd + " is not SQL; tandem runs SQL only and accepts only \\restrict, \\unrestrict and \\set ON_ERROR_STOP on: remove the line, or do what it does in SQL"
}
