package sqlite

import "strings"

// SQLite keeps no catalog of check constraints, generated column expressions, index
// expressions, index predicates or trigger timing: they are read from the CREATE statements
// sqlite_schema keeps, with the small tokenizer below.

// token is one lexical token of a statement: its text as written and its upper-cased form
// for a bare word.
type token struct {
	text  string
	word  string // upper-cased text of a bare word; empty for anything else
	start int    // byte offsets in the statement
	end   int
}

// tokenize splits sql into tokens, skipping comments and white space. Quoted strings and
// identifiers are single tokens.
func tokenize(sql string) []token {
	var out []token
	for i := 0; i < len(sql); {
		c := sql[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			if end := strings.Index(sql[i+2:], "*/"); end >= 0 {
				i += end + 4
			} else {
				i = len(sql)
			}
			continue
		case c == '\'' || c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			for i++; i < len(sql); i++ {
				if sql[i] == closer {
					if closer != ']' && i+1 < len(sql) && sql[i+1] == closer {
						i++
						continue
					}
					i++
					break
				}
			}
		case isWordByte(c):
			for i < len(sql) && isWordByte(sql[i]) {
				i++
			}
		default:
			i++
		}
		t := token{text: sql[start:i], start: start, end: i}
		if isWordByte(c) {
			t.word = strings.ToUpper(t.text)
		}
		out = append(out, t)
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// unquote returns the name an identifier token stands for.
func unquote(t string) string {
	if len(t) >= 2 {
		switch t[0] {
		case '"', '`':
			return strings.ReplaceAll(t[1:len(t)-1], t[:1]+t[:1], t[:1])
		case '[':
			return t[1 : len(t)-1]
		}
	}
	return t
}

// group returns the index of the ")" that closes the "(" at toks[open], or len(toks).
func group(toks []token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks)
}

// items splits the tokens between toks[open] = "(" and its closing ")" at top-level commas.
func items(toks []token, open int) (parts [][]token, closeAt int) {
	closeAt = group(toks, open)
	start := open + 1
	depth := 0
	for i := open + 1; i < closeAt; i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				parts = append(parts, toks[start:i])
				start = i + 1
			}
		}
	}
	if start < closeAt {
		parts = append(parts, toks[start:closeAt])
	}
	return parts, closeAt
}

// between is the statement text from toks[from] to toks[to-1].
func between(sql string, toks []token, from, to int) string {
	if from >= to || from >= len(toks) {
		return ""
	}
	return strings.TrimSpace(sql[toks[from].start:toks[to-1].end])
}

// tableParts is what the CREATE TABLE statement says that pragmas do not.
type tableParts struct {
	checks    []checkPart
	columns   map[string]columnPart // by lower-case name
	fkNames   []string              // names of the FOREIGN KEY constraints, in order, "" when unnamed
	pkName    string
	uniqNames []string
}

type checkPart struct{ name, expr string }

type columnPart struct {
	generated     string
	collation     string
	autoIncrement bool
}

// parseTable reads the checks (table and column ones), generated column expressions and
// collations of a CREATE TABLE statement. A CREATE TABLE ... AS SELECT has none.
func parseTable(sql string) tableParts {
	parts := tableParts{columns: map[string]columnPart{}}
	toks := tokenize(sql)
	open := -1
	for i, t := range toks {
		if t.text == "(" {
			open = i
			break
		}
		if t.word == "AS" {
			return parts
		}
	}
	if open < 0 {
		return parts
	}
	defs, _ := items(toks, open)
	for _, d := range defs {
		if len(d) == 0 {
			continue
		}
		switch d[0].word {
		case "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN":
			name := ""
			kind := d[0].word
			if kind == "CONSTRAINT" && len(d) > 2 {
				name, kind = unquote(d[1].text), d[2].word
			}
			switch kind {
			case "PRIMARY":
				parts.pkName = name
			case "UNIQUE":
				parts.uniqNames = append(parts.uniqNames, name)
			case "FOREIGN":
				parts.fkNames = append(parts.fkNames, name)
			}
			parts.checks = append(parts.checks, checks(sql, d)...)
			continue
		}
		col := columnPart{}
		for i := 1; i < len(d); i++ {
			switch {
			case d[i].text == "(":
				i = group(d, i) // a type's size, a default or check expression: nothing to read here
			case d[i].word == "COLLATE" && i+1 < len(d):
				col.collation = unquote(d[i+1].text)
			case d[i].word == "AUTOINCREMENT":
				col.autoIncrement = true
			case d[i].word == "AS" && i+1 < len(d) && d[i+1].text == "(":
				end := group(d, i+1)
				col.generated = between(sql, d, i+2, end)
				i = end
			case d[i].word == "REFERENCES":
				parts.fkNames = append(parts.fkNames, constraintNameAt(d, i))
			case d[i].word == "PRIMARY":
				parts.pkName = constraintNameAt(d, i)
			case d[i].word == "UNIQUE":
				parts.uniqNames = append(parts.uniqNames, constraintNameAt(d, i))
			}
		}
		parts.columns[strings.ToLower(unquote(d[0].text))] = col
		parts.checks = append(parts.checks, checks(sql, d)...)
	}
	return parts
}

// constraintNameAt is the name of the column constraint whose keyword is d[i]: the token
// after CONSTRAINT two places before it, or "".
func constraintNameAt(d []token, i int) string {
	if i >= 2 && d[i-2].word == "CONSTRAINT" {
		return unquote(d[i-1].text)
	}
	return ""
}

// checks finds every CHECK (expr) in a column or table constraint definition.
func checks(sql string, d []token) []checkPart {
	var out []checkPart
	for i := 0; i+1 < len(d); i++ {
		if d[i].word == "CHECK" && d[i+1].text == "(" {
			end := group(d, i+1)
			out = append(out, checkPart{name: constraintNameAt(d, i), expr: between(sql, d, i+2, end)})
			i = end
		}
	}
	return out
}

// indexParts is what a CREATE INDEX statement says that pragmas do not: the text of each key
// part (without its COLLATE and ASC/DESC) and the predicate of a partial index.
type indexParts struct {
	keys  []string
	where string
}

func parseIndex(sql string) indexParts {
	var parts indexParts
	toks := tokenize(sql)
	for i, t := range toks {
		if t.text != "(" {
			continue
		}
		keys, end := items(toks, i)
		for _, k := range keys {
			n := len(k)
			if n > 0 && (k[n-1].word == "ASC" || k[n-1].word == "DESC") {
				n--
			}
			if n >= 2 && k[n-2].word == "COLLATE" {
				n -= 2
			}
			parts.keys = append(parts.keys, between(sql, k, 0, n))
		}
		if end+1 < len(toks) && toks[end+1].word == "WHERE" {
			parts.where = strings.TrimSuffix(strings.TrimSpace(sql[toks[end+1].end:]), ";")
			parts.where = strings.TrimSpace(parts.where)
		}
		break
	}
	return parts
}

// triggerHeader reads the timing and events of a CREATE TRIGGER statement. SQLite fires a
// trigger without a timing BEFORE.
func triggerHeader(sql string) (timing string, events []string) {
	timing = "BEFORE"
	for _, t := range tokenize(sql) {
		switch t.word {
		case "BEFORE", "AFTER":
			timing = t.word
		case "INSTEAD":
			timing = "INSTEAD OF"
		case "INSERT", "UPDATE", "DELETE":
			return timing, []string{t.word}
		case "BEGIN":
			return timing, nil
		}
	}
	return timing, nil
}
