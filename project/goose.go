package project

import (
	"strings"

	"github.com/tandem-db/tandem"
)

// gooseAnnotation returns the annotation of a "-- +goose ..." line, upper-cased with single
// blanks ("UP", "NO TRANSACTION"), and whether the line is one.
func gooseAnnotation(line string) (string, bool) {
	s := strings.TrimSpace(line)
	if !strings.HasPrefix(s, "--") {
		return "", false
	}
	s = strings.TrimSpace(s[2:])
	const tag = "+goose"
	if len(s) < len(tag) || !strings.EqualFold(s[:len(tag)], tag) {
		return "", false
	}
	rest := s[len(tag):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false // "+gooseUp" is not goose's syntax, nor "+goosey"
	}
	return strings.ToUpper(strings.Join(strings.Fields(rest), " ")), true
}

// parseGoose fills c from a goose migration: the "-- +goose Up" section is its SQL, the
// "-- +goose Down" section its rollback. StatementBegin/End lines stay in the text because the
// lexer honours them; "NO TRANSACTION" sets Attrs.NoTransaction; "ENVSUB ON/OFF" is kept in the
// text and noted in Attrs.Extra["envsub"], since tandem does not substitute goose's variables.
func parseGoose(file string, data []byte, c *tandem.Change, errs *errList) {
	lines := fileLines(data)
	up, down := -1, -1 // 1-based lines of the markers
	begin := 0         // open StatementBegin
	closeSection := func(line int) {
		if begin > 0 {
			errs.addf(file, begin, "%w: \"-- +goose StatementBegin\" has no StatementEnd before line %d; add it", ErrMarker, line)
			begin = 0
		}
	}
	for i, ln := range lines {
		a, ok := gooseAnnotation(ln)
		if !ok {
			continue
		}
		n := i + 1
		switch a {
		case "UP":
			if up > 0 {
				errs.addf(file, n, "%w: a second \"-- +goose Up\" (the first is at line %d); keep one", ErrMarker, up)
				continue
			}
			if down > 0 {
				errs.addf(file, n, "%w: \"-- +goose Up\" after \"-- +goose Down\" (line %d); put the Up section first", ErrMarker, down)
				continue
			}
			up = n
		case "DOWN":
			if down > 0 {
				errs.addf(file, n, "%w: a second \"-- +goose Down\" (the first is at line %d); keep one", ErrMarker, down)
				continue
			}
			if up < 0 {
				errs.addf(file, n, "%w: \"-- +goose Down\" before \"-- +goose Up\"; put the Up section first", ErrMarker)
			}
			closeSection(n)
			down = n
		case "STATEMENTBEGIN":
			if begin > 0 {
				errs.addf(file, n, "%w: \"-- +goose StatementBegin\" inside another one (opened at line %d); close it with StatementEnd first", ErrMarker, begin)
				continue
			}
			begin = n
		case "STATEMENTEND":
			if begin == 0 {
				errs.addf(file, n, "%w: \"-- +goose StatementEnd\" without a StatementBegin", ErrMarker)
			}
			begin = 0
		case "NO TRANSACTION":
			c.Attrs.NoTransaction = true
		case "ENVSUB ON", "ENVSUB OFF":
			if c.Attrs.Extra == nil {
				c.Attrs.Extra = map[string]string{}
			}
			c.Attrs.Extra["envsub"] = strings.ToLower(strings.TrimPrefix(a, "ENVSUB "))
		default:
			errs.addf(file, n, "%w: unknown goose annotation %q (known: Up, Down, StatementBegin, StatementEnd, NO TRANSACTION, ENVSUB ON, ENVSUB OFF)", ErrMarker, strings.TrimSpace(ln))
		}
	}
	closeSection(len(lines) + 1)
	if up < 0 {
		errs.addf(file, 1, "%w: no \"-- +goose Up\" annotation; goose migrations start with it", ErrMarker)
		return
	}
	if i := firstContent(lines, 0, up-1); i >= 0 {
		errs.addf(file, i+1, "%w: SQL before \"-- +goose Up\" belongs to no section; move it below the annotation", ErrMarker)
	}
	setUpDown(c, lines, up, down)
}
