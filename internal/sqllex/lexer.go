package sqllex

import "strings"

// kind is the kind of a token.
type kind uint8

const (
	kEOF          kind = iota
	kSpace             // a run of whitespace
	kLineComment       // -- ... or (MySQL) # ..., without the newline
	kBlockComment      // /* ... */
	kWord              // an unquoted identifier or keyword
	kQIdent            // "...", `...` or [...] identifier
	kString            // a string literal, with its prefix (E, N, X, B, U&, _charset)
	kDollar            // a PostgreSQL dollar-quoted string, tags included
	kNumber            // a numeric literal
	kParam             // $1, ?, ?1, :name, @name, @@var
	kTokenRef          // ${name}, replaced by tandem before the SQL runs
	kPunct             // an operator or punctuation
	kSemi              // ;
	kExecOpen          // MySQL "/*!" or "/*!50003": the comment's content is code
	kExecClose         // the "*/" that closes a MySQL executable comment
	kHint              // MySQL optimizer hint /*+ ... */
	kData              // PostgreSQL: the data block of COPY ... FROM STDIN, up to its "\." line (see copy.go)
	kMeta              // PostgreSQL: a psql meta-command (\set ...), from a backslash where no statement is open to the line end
)

// code reports whether a token of this kind is part of a statement's code (as opposed to
// whitespace and comments).
func (k kind) code() bool { return k > kBlockComment }

// token is one lexical token; start and end are byte offsets into the lexer's src.
type token struct {
	kind       kind
	start, end int
	line       int // 1-based line where the token starts
	tag        int // kDollar: length of the $tag$ delimiter; 0 when unterminated
}

// Character classes.
const (
	cSpace = 1 << iota
	cIdentStart
	cIdent
	cDigit
)

var class = func() (t [256]uint8) {
	for _, c := range " \t\n\r\f\v" {
		t[c] |= cSpace
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cIdentStart | cIdent
		t[c-'a'+'A'] |= cIdentStart | cIdent
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= cIdent | cDigit
	}
	t['_'] |= cIdentStart | cIdent
	// '$' continues an identifier in all three databases (a$b is one name); it never starts one.
	t['$'] |= cIdent
	// Bytes of multi-byte UTF-8 sequences are letters: identifiers may hold any non-ASCII text.
	for c := 0x80; c < 0x100; c++ {
		t[c] |= cIdentStart | cIdent
	}
	return t
}()

// lexer reads tokens from src. It never fails: an unterminated construct becomes a token that
// runs to the end of src, and err records the first such problem.
type lexer struct {
	src  string
	pos  int
	line int
	f    Flavor
	// stop, when set, is a client delimiter (MySQL DELIMITER) that ends words, numbers and
	// parameters, because the mysql client finds it anywhere outside quotes and comments.
	stop     string
	inExec   bool // inside a MySQL /*! ... */ executable comment
	execLine int
	// copy follows PostgreSQL statements for COPY ... FROM STDIN and psql meta-command lines
	// (copy.go); copyLine is the line of the COPY keyword.
	copy     copyState
	copyLine int
	err      *SyntaxError
}

func newLexer(src string, f Flavor, line int) lexer {
	l := lexer{src: src, f: f, line: line}
	if f != Postgres {
		l.copy = copyOff
	}
	return l
}

func (l *lexer) fail(line int, msg string) {
	if l.err == nil {
		l.err = &SyntaxError{Line: line, Msg: msg}
	}
}

// stopAt reports whether the client delimiter starts at i.
func (l *lexer) stopAt(i int) bool {
	return l.stop != "" && strings.HasPrefix(l.src[i:], l.stop)
}

// advance moves to j, counting the newlines passed.
func (l *lexer) advance(j int) {
	l.line += strings.Count(l.src[l.pos:j], "\n")
	l.pos = j
}

// next returns the next token. At the end of src it returns kEOF, again and again.
func (l *lexer) next() token {
	switch l.copy {
	case copyData:
		return l.data()
	case copyStmt:
		if l.metaAt(l.pos) {
			return l.meta()
		}
	}
	s := l.src
	i := l.pos
	t := token{start: i, line: l.line}
	if i >= len(s) {
		if l.inExec {
			l.inExec = false
			l.fail(l.execLine, "unterminated executable comment /*! (opened here)")
		}
		t.kind, t.end = kEOF, i
		return t
	}
	c := s[i]
	j := i + 1
	switch {
	case class[c]&cSpace != 0:
		for j < len(s) && class[s[j]]&cSpace != 0 {
			j++
		}
		t.kind = kSpace
		if c == '\n' || j-i > 1 {
			l.line += strings.Count(s[i:j], "\n")
		}
		l.pos, t.end = j, j
		return t
	case class[c]&cIdentStart != 0:
		j = l.word(i + 1)
		t.kind = kWord
		if j < len(s) {
			if q := s[j]; q == '\'' || (q == '"' && l.f == MySQL) {
				if prefix, backslash := l.stringPrefix(s[i:j]); prefix {
					t.kind = kString
					j = l.quoted(j+1, q, backslash || l.f == MySQL, t.line, "unterminated quoted string (opened here)")
				}
			} else if q == '&' && j == i+1 && (c == 'U' || c == 'u') && l.f == Postgres && j+1 < len(s) && (s[j+1] == '\'' || s[j+1] == '"') {
				// U&'...' and U&"...": Unicode escapes are written \XXXX, and \ never escapes the quote.
				if s[j+1] == '"' {
					t.kind = kQIdent
					j = l.quoted(j+2, '"', false, t.line, "unterminated quoted identifier (opened here)")
				} else {
					t.kind = kString
					j = l.quoted(j+2, '\'', false, t.line, "unterminated quoted string (opened here)")
				}
			}
		}
	case class[c]&cDigit != 0:
		t.kind, j = kNumber, l.number(j)
	}
	if t.kind != kEOF {
		l.pos, t.end = j, j
		if l.copy != copyOff {
			l.follow(t)
		}
		return t
	}
	var next byte
	if j < len(s) {
		next = s[j]
	}
	t.kind = kPunct
	switch c {
	case ';':
		t.kind = kSemi
	case '\'':
		t.kind = kString
		j = l.quoted(j, '\'', l.f == MySQL, t.line, "unterminated quoted string (opened here)")
	case '"':
		if l.f == MySQL {
			t.kind = kString
			j = l.quoted(j, '"', true, t.line, "unterminated quoted string (opened here)")
		} else {
			t.kind = kQIdent
			j = l.quoted(j, '"', false, t.line, "unterminated quoted identifier (opened here)")
		}
	case '`':
		if l.f != Postgres {
			t.kind = kQIdent
			j = l.quoted(j, '`', false, t.line, "unterminated quoted identifier (opened here)")
		}
	case '[':
		if l.f == SQLite {
			t.kind = kQIdent
			if k := strings.IndexByte(s[j:], ']'); k >= 0 {
				j += k + 1
			} else {
				j = len(s)
				l.fail(t.line, "unterminated quoted identifier [ (opened here)")
			}
			l.line += strings.Count(s[i:j], "\n")
		}
	case '.':
		if class[next]&cDigit != 0 {
			t.kind, j = kNumber, l.number(j)
		}
	case '-':
		if next == '-' && (l.f != MySQL || j+1 >= len(s) || s[j+1] <= ' ' || s[j+1] == 0x7f) {
			t.kind, j = kLineComment, lineEnd(s, j)
		}
	case '#':
		if l.f == MySQL {
			t.kind, j = kLineComment, lineEnd(s, j)
		}
	case '/':
		if next == '*' {
			j = l.blockComment(i, &t)
		}
	case '*':
		if next == '/' && l.inExec {
			l.inExec = false
			t.kind, j = kExecClose, j+1
		}
	case '$':
		j = l.dollar(i, &t)
	case '?':
		t.kind = kParam
		for j < len(s) && class[s[j]]&cDigit != 0 && !l.stopAt(j) {
			j++
		}
	case ':':
		switch {
		case next == ':' || next == '=':
			j++
		case l.f == MySQL:
		case class[next]&cIdentStart != 0:
			t.kind, j = kParam, l.word(j+1)
		case l.f == Postgres && (next == '\'' || next == '"'):
			// psql's :'name' and :"name" variable interpolation.
			t.kind = kParam
			j = l.quoted(j+1, next, false, t.line, "unterminated quoted variable name (opened here)")
		}
	case '@':
		switch l.f {
		case MySQL:
			t.kind = kParam
			if next == '@' {
				// @@session.sql_mode: the dots belong to the system variable's name.
				j++
				for j < len(s) && (class[s[j]]&cIdent != 0 || s[j] == '.') && !l.stopAt(j) {
					j++
				}
			} else if next == '\'' || next == '"' || next == '`' {
				j = l.quoted(j+1, next, next != '`', t.line, "unterminated quoted variable name (opened here)")
			} else {
				j = l.word(j)
			}
		case SQLite:
			if class[next]&cIdentStart != 0 {
				t.kind, j = kParam, l.word(j+1)
			}
		}
	}
	l.pos, t.end = j, j
	if l.copy != copyOff && t.kind != kLineComment && t.kind != kBlockComment {
		l.follow(t)
	}
	return t
}

// word returns the end of the identifier characters starting at j.
func (l *lexer) word(j int) int {
	s := l.src
	if l.stop == "" {
		for j < len(s) && class[s[j]]&cIdent != 0 {
			j++
		}
		return j
	}
	for j < len(s) && class[s[j]]&cIdent != 0 && !l.stopAt(j) {
		j++
	}
	return j
}

// number returns the end of a numeric literal. It is generous (1e10, 0x1F, 1.5, 1..10 are all
// one token) because all callers need is that numbers are not identifiers.
func (l *lexer) number(j int) int {
	s := l.src
	for j < len(s) && (class[s[j]]&cIdent != 0 || s[j] == '.') && s[j] != '$' && !l.stopAt(j) {
		j++
	}
	return j
}

// stringPrefix reports whether the word w, directly followed by a quote, is a string prefix
// rather than a name, and whether the string then takes backslash escapes.
func (l *lexer) stringPrefix(w string) (prefix, backslash bool) {
	if len(w) == 1 {
		switch w[0] {
		case 'E', 'e':
			return l.f == Postgres, true
		case 'N', 'n', 'X', 'x', 'B', 'b':
			return true, false
		}
		return false, false
	}
	// MySQL character set introducers: _utf8mb4'text'.
	return l.f == MySQL && w[0] == '_', true
}

// quoted returns the end of a token quoted with q, where j is just past the opening quote. A
// doubled quote stands for itself; with backslash, \x escapes any byte. Newlines are counted.
func (l *lexer) quoted(j int, q byte, backslash bool, line int, msg string) int {
	s := l.src
	start := j
	for j < len(s) {
		c := s[j]
		switch {
		case c == q:
			if j+1 < len(s) && s[j+1] == q {
				j += 2
				continue
			}
			l.line += strings.Count(s[start:j], "\n")
			return j + 1
		case c == '\\' && backslash:
			j += 2
			continue
		}
		j++
	}
	l.line += strings.Count(s[start:], "\n")
	l.fail(line, msg)
	return len(s)
}

// lineEnd returns the offset of the newline that ends the line holding j, or len(s).
func lineEnd(s string, j int) int {
	if k := strings.IndexByte(s[j:], '\n'); k >= 0 {
		return j + k
	}
	return len(s)
}

// blockComment lexes the comment opened by "/*" at i and returns its end.
func (l *lexer) blockComment(i int, t *token) int {
	s := l.src
	j := i + 2
	if l.f == MySQL && j < len(s) {
		switch s[j] {
		case '!':
			// /*!50003 CREATE*/: MySQL runs the content, so it is lexed as code.
			j++
			for j < len(s) && class[s[j]]&cDigit != 0 {
				j++
			}
			t.kind = kExecOpen
			if !l.inExec {
				l.inExec, l.execLine = true, t.line
			}
			return j
		case '+':
			t.kind = kHint
		}
	}
	if t.kind != kHint {
		t.kind = kBlockComment
	}
	if l.f != Postgres {
		if k := strings.Index(s[j:], "*/"); k >= 0 {
			j += k + 2
			l.line += strings.Count(s[i:j], "\n")
			return j
		}
	} else {
		// PostgreSQL comments nest: /* a /* b */ c */ is one comment.
		depth := 1
		for j < len(s) {
			switch s[j] {
			case '*':
				if j+1 < len(s) && s[j+1] == '/' {
					j += 2
					if depth--; depth == 0 {
						l.line += strings.Count(s[i:j], "\n")
						return j
					}
					continue
				}
			case '/':
				if j+1 < len(s) && s[j+1] == '*' {
					depth++
					j += 2
					continue
				}
			}
			j++
		}
	}
	l.line += strings.Count(s[i:], "\n")
	l.fail(t.line, "unterminated block comment /* (opened here)")
	return len(s)
}

// dollar lexes what starts with '$' at i: a token reference ${name}, a PostgreSQL parameter $1
// or dollar-quoted string $tag$...$tag$, an SQLite parameter $name, or a lone '$'.
func (l *lexer) dollar(i int, t *token) int {
	s := l.src
	j := i + 1
	if j >= len(s) {
		return j
	}
	c := s[j]
	switch {
	case c == '{':
		for k := j + 1; k < len(s); k++ {
			if s[k] == '}' {
				if k > j+1 {
					t.kind = kTokenRef
					return k + 1
				}
				break
			}
			if class[s[k]]&cSpace != 0 || s[k] == '{' || s[k] == '$' {
				break
			}
		}
		return j
	case l.f == SQLite:
		if class[c]&cIdentStart != 0 {
			t.kind = kParam
			return l.word(j + 1)
		}
		return j
	case l.f != Postgres:
		return j
	case class[c]&cDigit != 0:
		t.kind = kParam
		for j < len(s) && class[s[j]]&cDigit != 0 {
			j++
		}
		return j
	}
	// A tag: "$$" or "$" identifier "$", the identifier without '$' and not starting with a digit.
	k := j
	if c != '$' {
		if class[c]&cIdentStart == 0 {
			return j
		}
		for k < len(s) && class[s[k]]&cIdent != 0 && s[k] != '$' {
			k++
		}
		if k >= len(s) || s[k] != '$' {
			return j
		}
	}
	tag := s[i : k+1]
	t.kind = kDollar
	body := k + 1
	e := strings.Index(s[body:], tag)
	if e < 0 {
		l.line += strings.Count(s[i:], "\n")
		l.fail(t.line, "unterminated dollar-quoted string "+tag+" (opened here)")
		return len(s)
	}
	end := body + e + len(tag)
	l.line += strings.Count(s[body:body+e], "\n")
	t.tag = len(tag)
	return end
}

// text returns the source text of t.
func (l *lexer) text(t token) string { return l.src[t.start:t.end] }

// peekWords returns up to n words that follow, skipping whitespace and comments and stopping at
// any other token, without moving the lexer.
func (l *lexer) peekWords(n int) []string {
	c := *l
	var words []string
	for len(words) < n {
		t := c.next()
		switch t.kind {
		case kSpace, kLineComment, kBlockComment:
			continue
		case kWord:
			words = append(words, c.text(t))
			continue
		}
		break
	}
	return words
}

// eqUpper reports whether s equals the upper-case ASCII keyword kw, ignoring case.
func eqUpper(s, kw string) bool {
	if len(s) != len(kw) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != kw[i] {
			return false
		}
	}
	return true
}
