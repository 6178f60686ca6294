package sqllex

import (
	"strconv"
	"strings"
)

// Options controls Split.
type Options struct {
	Flavor Flavor
	// GoBatches makes a line holding only "GO" (any case, surrounding blanks allowed) a
	// statement separator, as in Obevo and SQL Server scripts. ";" still separates too.
	GoBatches bool
}

// Statement is one statement of a script.
type Statement struct {
	// Text is the statement without its terminating delimiter, from its first code token to its
	// last: surrounding whitespace and comments are trimmed, comments inside it are kept.
	Text string
	// Line is the 1-based line in the input where Text starts.
	Line int
	// Offset is the byte offset in the input where Text starts: src[Offset:] begins with Text.
	Offset int
	// Data is the data block that follows a PostgreSQL COPY ... FROM STDIN statement, or nil.
	Data *CopyData
}

// CopyData is the data block of a COPY ... FROM STDIN statement.
type CopyData struct {
	// Rows holds the block's lines byte for byte, each with its newline, without the "\."
	// line that ends the block: what psql sends to the server.
	Rows string
	// Line is the 1-based line in the input where the block's first line is.
	Line int
}

// Split splits a script into statements.
//
// Statements end at ";" outside strings, comments, dollar quotes and BEGIN ... END bodies of
// MySQL routines, triggers and events, SQLite triggers and PostgreSQL BEGIN ATOMIC functions. In
// MySQL, a "DELIMITER xx" line at the start of a statement changes the delimiter until the next
// DELIMITER line. In every flavor, the lines "-- +goose StatementBegin" and "-- +goose
// StatementEnd" make what lies between them exactly one statement. Empty statements are
// dropped; a last statement without a delimiter is kept.
//
// In the PostgreSQL flavor, the lines after COPY ... FROM STDIN; up to a line holding only "\."
// are the statement's data (Statement.Data), as psql reads them. A backslash where no statement
// is open starts a psql meta-command, which runs to the end of the line: \restrict, \unrestrict and
// \set ON_ERROR_STOP on are dropped, any other gives a *SyntaxError, because tandem runs SQL
// only.
//
// An unterminated quote, comment, dollar quote, BEGIN block, goose block or COPY data block gives
// a *SyntaxError with the line where it opened, and no statements.
func Split(src string, o Options) ([]Statement, error) {
	sp := splitter{src: src, o: o, l: newLexer(src, o.Flavor, 1), bol: true, start: -1}
	if err := sp.run(); err != nil {
		return nil, err
	}
	return sp.out, nil
}

type splitter struct {
	src string
	o   Options
	// l.stop is the statement delimiter a MySQL DELIMITER line set; "" means ";".
	l   lexer
	bol bool // only whitespace since the start of the current line
	out []Statement

	// The statement being read: start < 0 while it holds no code yet.
	start, end, line int

	blk block
}

func (sp *splitter) run() error {
	l := &sp.l
	for {
		if l.stop != "" && strings.HasPrefix(sp.src[l.pos:], l.stop) {
			sp.flush()
			l.pos += len(l.stop)
			sp.bol = false
			continue
		}
		if sp.bol && l.pos < len(sp.src) {
			if sp.o.GoBatches && sp.goLine() {
				continue
			}
			if sp.o.Flavor == MySQL && sp.start < 0 && sp.delimiterLine() {
				continue
			}
		}
		t := l.next()
		if l.err != nil {
			return l.err
		}
		switch t.kind {
		case kEOF:
			if sp.blk.depth > 0 {
				return &SyntaxError{Line: sp.blk.openLine, Msg: "unterminated " + sp.blk.openWord + " ... END block (opened here)"}
			}
			sp.flush()
			return nil
		case kSpace:
			if l.line != t.line {
				sp.bol = true
			}
		case kLineComment:
			if sp.bol {
				switch gooseAnnotation(l.text(t)) {
				case gooseBegin:
					if err := sp.gooseBlock(t.line); err != nil {
						return err
					}
				case gooseEnd:
					return &SyntaxError{Line: t.line, Msg: "-- +goose StatementEnd without a StatementBegin before it"}
				}
			}
		case kBlockComment:
			sp.bol = false
		case kMeta:
			if ok, msg := checkMeta(l.text(t)); !ok {
				return &SyntaxError{Line: t.line, Msg: msg}
			}
		case kData:
			if sp.start >= 0 || len(sp.out) == 0 {
				return &SyntaxError{Line: t.line, Msg: "COPY ... FROM stdin data inside a BEGIN ... END block; put the COPY on its own"}
			}
			last := &sp.out[len(sp.out)-1]
			last.Data = &CopyData{Rows: copyRows(l.text(t)), Line: t.line + 1}
			sp.bol = false
		case kSemi:
			sp.bol = false
			if l.stop == "" && sp.blk.depth == 0 {
				sp.flush()
				continue
			}
			sp.code(t)
		default:
			sp.bol = false
			sp.code(t)
		}
	}
}

// code adds a code token to the current statement.
func (sp *splitter) code(t token) {
	if sp.start < 0 {
		sp.start, sp.line = t.start, t.line
		sp.blk = block{}
	}
	sp.end = t.end
	if sp.blk.phase != phaseNone && sp.l.stop == "" {
		sp.blk.track(&sp.l, t)
	}
}

// flush ends the current statement.
func (sp *splitter) flush() {
	if sp.start >= 0 {
		sp.out = append(sp.out, Statement{Text: sp.src[sp.start:sp.end], Line: sp.line, Offset: sp.start})
	}
	sp.start = -1
	sp.blk = block{}
}

// goLine consumes a line holding only GO, ending the current statement.
func (sp *splitter) goLine() bool {
	s := sp.src[sp.l.pos:]
	if len(s) < 2 || !eqUpper(s[:2], "GO") {
		return false
	}
	j := 2
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\f' || s[j] == '\v') {
		j++
	}
	if j < len(s) && s[j] != '\n' {
		return false
	}
	sp.flush()
	if j < len(s) {
		j++ // the newline
	}
	sp.l.advance(sp.l.pos + j)
	sp.bol = true
	return true
}

// maxDelimiter is the longest delimiter the mysql client accepts.
const maxDelimiter = 16

// delimiterLine consumes a MySQL client "DELIMITER xx" line and sets the delimiter to xx.
func (sp *splitter) delimiterLine() bool {
	d, end, ok := delimiterDirective(sp.src[sp.l.pos:])
	if !ok {
		return false
	}
	if len(d) > maxDelimiter {
		sp.l.fail(sp.l.line, "DELIMITER "+d[:maxDelimiter]+"... is longer than "+strconv.Itoa(maxDelimiter)+" bytes; use a short delimiter such as $$ or //")
		return false
	}
	sp.l.stop = ""
	if d != ";" {
		sp.l.stop = d
	}
	sp.l.advance(sp.l.pos + end)
	return true
}

// delimiterDirective reads a MySQL client "DELIMITER xx" line at the start of s and returns xx
// (unquoted) and the offset of the end of the line. The rest of the line after xx is ignored,
// as the mysql client does.
func delimiterDirective(s string) (d string, end int, ok bool) {
	const kw = "DELIMITER"
	if len(s) <= len(kw) || !eqUpper(s[:len(kw)], kw) || (s[len(kw)] != ' ' && s[len(kw)] != '\t') {
		return "", 0, false
	}
	j := len(kw)
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	k := j
	for k < len(s) && class[s[k]]&cSpace == 0 {
		k++
	}
	d = s[j:k]
	if len(d) >= 2 && (d[0] == '\'' || d[0] == '"' || d[0] == '`') && d[len(d)-1] == d[0] {
		d = d[1 : len(d)-1]
	}
	return d, lineEnd(s, k), d != ""
}

// gooseBlock reads from just after a "-- +goose StatementBegin" line to the matching
// StatementEnd line, and adds what lies between as one statement (without a trailing ";").
func (sp *splitter) gooseBlock(openLine int) error {
	sp.flush()
	l := &sp.l
	stop := l.stop
	l.stop = "" // goose knows nothing of DELIMITER; only the annotations end the block
	defer func() { l.stop = stop }()
	first, last, line := -1, -1, 0
	bol := false
	for {
		t := l.next()
		if l.err != nil {
			return l.err
		}
		switch t.kind {
		case kEOF:
			return &SyntaxError{Line: openLine, Msg: "unterminated -- +goose StatementBegin (opened here); end it with a -- +goose StatementEnd line"}
		case kSpace:
			if l.line != t.line {
				bol = true
			}
			continue
		case kLineComment:
			if bol {
				switch gooseAnnotation(l.text(t)) {
				case gooseEnd:
					if first >= 0 {
						sp.out = append(sp.out, Statement{Text: sp.src[first:last], Line: line, Offset: first})
					}
					sp.bol = false
					return nil
				case gooseBegin:
					return &SyntaxError{Line: t.line, Msg: "-- +goose StatementBegin inside the block opened at line " + strconv.Itoa(openLine) + "; end that block first"}
				}
			}
			continue
		case kBlockComment:
		case kSemi:
		case kData:
			return &SyntaxError{Line: t.line, Msg: "COPY ... FROM stdin data inside a -- +goose StatementBegin block; put the COPY and its data outside the block"}
		case kMeta:
			if ok, msg := checkMeta(l.text(t)); !ok {
				return &SyntaxError{Line: t.line, Msg: msg}
			}
			continue
		default:
			if first < 0 {
				first, line = t.start, t.line
			}
			last = t.end
		}
		bol = false
	}
}

type gooseKind int

const (
	gooseNone gooseKind = iota
	gooseBegin
	gooseEnd
)

// gooseAnnotation recognises "-- +goose StatementBegin" and "-- +goose StatementEnd" (any case,
// any blanks) in the text of a line comment.
func gooseAnnotation(c string) gooseKind {
	if len(c) < 2 || c[0] != '-' {
		return gooseNone
	}
	c = strings.TrimSpace(c[2:])
	const p = "+goose"
	if len(c) <= len(p) || !strings.EqualFold(c[:len(p)], p) || class[c[len(p)]]&cSpace == 0 {
		return gooseNone
	}
	switch c = strings.TrimSpace(c[len(p):]); {
	case strings.EqualFold(c, "StatementBegin"):
		return gooseBegin
	case strings.EqualFold(c, "StatementEnd"):
		return gooseEnd
	}
	return gooseNone
}
