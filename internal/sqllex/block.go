package sqllex

// block follows the structure of one statement as far as splitting needs: whether it creates a
// routine whose body may hold ";" (a MySQL procedure, function, trigger or event, an SQLite
// trigger, a PostgreSQL function or procedure with a BEGIN ATOMIC body), and how deep inside
// BEGIN ... END (and CASE ... END, IF ... END IF, ...) the lexer is. While depth > 0, ";" does
// not end the statement.
type block struct {
	phase    phase
	head     int // tokens read in the head, to give up on a DEFINER clause that never ends
	prevEq   bool
	depth    int
	openLine int
	openWord string
	// stmtStart: a statement of the body starts here (after ";", BEGIN, THEN, ELSE, DO, LOOP,
	// REPEAT, a label's ":", FOR EACH ROW), so that MySQL's IF, LOOP, WHILE and REPEAT here
	// open blocks rather than being the IF() and REPEAT() functions.
	stmtStart bool
	afterEnd  bool // the last token was END: END IF, END LOOP, ... close one block, not open one
}

type phase uint8

const (
	phaseFirst phase = iota // before the statement's first word
	phaseHead               // after CREATE, before the object type
	phaseBody               // a routine: track BEGIN ... END
	phaseNone               // nothing to track
)

func (b *block) open(t token, word string) {
	if b.depth == 0 {
		b.openLine, b.openWord = t.line, word
	}
	b.depth++
}

// track feeds one code token of the statement.
func (b *block) track(l *lexer, t token) {
	if t.kind == kExecOpen || t.kind == kExecClose {
		return // /*!50003 CREATE*/ /*!50017 DEFINER=...*/ /*!50003 TRIGGER ...: the markers are transparent
	}
	var w string
	if t.kind == kWord {
		w = l.text(t)
	}
	switch b.phase {
	case phaseFirst:
		b.phase = phaseNone
		switch {
		case eqUpper(w, "CREATE"):
			b.phase = phaseHead
		case l.f == MySQL && eqUpper(w, "BEGIN"):
			// MariaDB's anonymous compound statement: BEGIN NOT ATOMIC ... END.
			if ws := l.peekWords(2); len(ws) == 2 && eqUpper(ws[0], "NOT") && eqUpper(ws[1], "ATOMIC") {
				b.phase = phaseBody
				b.open(t, "BEGIN")
				b.stmtStart = true
			}
		}
	case phaseHead:
		b.head++
		b.phase = b.headStep(l.f, t, w)
		b.prevEq = t.kind == kPunct && l.text(t) == "="
	case phaseBody:
		b.bodyStep(l, t, w)
	}
}

// headStep reads one token after CREATE and says what comes next.
func (b *block) headStep(f Flavor, t token, w string) phase {
	switch f {
	case Postgres:
		switch {
		case eqUpper(w, "OR"), eqUpper(w, "REPLACE"):
			return phaseHead
		case eqUpper(w, "FUNCTION"), eqUpper(w, "PROCEDURE"):
			return phaseBody
		}
	case SQLite:
		switch {
		case eqUpper(w, "TEMP"), eqUpper(w, "TEMPORARY"):
			return phaseHead
		case eqUpper(w, "TRIGGER"):
			return phaseBody
		}
	case MySQL:
		if b.head > 16 {
			return phaseNone
		}
		if t.kind != kWord {
			// The pieces of DEFINER = 'user'@'host', `user`@`host` or CURRENT_USER().
			return phaseHead
		}
		switch {
		case eqUpper(w, "TRIGGER"), eqUpper(w, "PROCEDURE"), eqUpper(w, "FUNCTION"), eqUpper(w, "EVENT"):
			return phaseBody
		case eqUpper(w, "OR"), eqUpper(w, "REPLACE"), eqUpper(w, "AGGREGATE"), eqUpper(w, "DEFINER"),
			eqUpper(w, "CURRENT_USER"), eqUpper(w, "SQL"), eqUpper(w, "SECURITY"), eqUpper(w, "INVOKER"):
			return phaseHead
		case b.prevEq:
			return phaseHead // DEFINER=root@localhost: the user name is a plain word
		}
	}
	return phaseNone
}

// bodyStep tracks BEGIN ... END nesting in a routine.
func (b *block) bodyStep(l *lexer, t token, w string) {
	mysql := l.f == MySQL
	if t.kind != kWord {
		b.afterEnd = false
		// After ";" or a label's ":" a statement starts; so it does after the parameter list of
		// a routine whose body is one IF, WHILE, LOOP or REPEAT statement with no BEGIN.
		b.stmtStart = t.kind == kSemi || (mysql && t.kind == kPunct &&
			(l.text(t) == ":" || (l.text(t) == ")" && b.depth == 0)))
		return
	}
	if b.afterEnd {
		b.afterEnd = false
		if mysql && (eqUpper(w, "IF") || eqUpper(w, "LOOP") || eqUpper(w, "WHILE") || eqUpper(w, "REPEAT") || eqUpper(w, "CASE")) {
			b.stmtStart = false
			return
		}
	}
	switch {
	case eqUpper(w, "BEGIN"):
		if l.f != Postgres {
			b.open(t, "BEGIN")
		} else if b.depth == 0 {
			if ws := l.peekWords(1); len(ws) == 1 && eqUpper(ws[0], "ATOMIC") {
				b.open(t, "BEGIN ATOMIC")
			}
		}
	case eqUpper(w, "CASE"):
		b.open(t, "CASE")
	case eqUpper(w, "END"):
		if b.depth > 0 {
			b.depth--
		}
		b.afterEnd = true
	case mysql && b.stmtStart:
		switch {
		case eqUpper(w, "IF"):
			b.open(t, "IF")
		case eqUpper(w, "LOOP"):
			b.open(t, "LOOP")
		case eqUpper(w, "WHILE"):
			b.open(t, "WHILE")
		case eqUpper(w, "REPEAT"):
			b.open(t, "REPEAT")
		}
	}
	// ROW: a trigger body starts after FOR EACH ROW; DO: an event body or a WHILE's.
	b.stmtStart = mysql && (eqUpper(w, "BEGIN") || eqUpper(w, "THEN") || eqUpper(w, "ELSE") ||
		eqUpper(w, "DO") || eqUpper(w, "LOOP") || eqUpper(w, "REPEAT") || eqUpper(w, "ROW"))
}
