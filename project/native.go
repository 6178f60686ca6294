package project

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// fileLines returns the lines of a file without a byte order mark and with CRLF read as LF, so
// that a change's text (and so its hash) does not depend on how a checkout ends its lines.
func fileLines(data []byte) []string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	return strings.Split(text, "\n")
}

// setUpDown sets c's SQL to the lines after the up marker at line up (1-based) and, when a
// down marker follows it at line down, its rollback to the lines after that: the layout of
// goose and dbmate files.
func setUpDown(c *tandem.Change, lines []string, up, down int) {
	upEnd := len(lines)
	if down > up {
		upEnd = down - 1
		c.Rollback, c.RollbackLine = section(lines, down, len(lines))
		c.HasRollback = true
	}
	c.SQL, c.SQLLine = section(lines, up, upEnd)
}

// section returns lines[from:to] as one text without leading blank lines and trailing blanks,
// and the 1-based line where the text starts (0 when it is empty). Trimming keeps a change's text
// stable when blank lines around markers are edited.
func section(lines []string, from, to int) (string, int) {
	for from < to && strings.TrimSpace(lines[from]) == "" {
		from++
	}
	for to > from && strings.TrimSpace(lines[to-1]) == "" {
		to--
	}
	if from >= to {
		return "", 0
	}
	text := strings.TrimRight(strings.Join(lines[from:to], "\n"), " \t\n")
	return text, from + 1
}

// firstContent returns the index of the first line in lines[from:to] that holds something other
// than blanks and SQL comments ("--" lines and /* */ blocks), or -1.
func firstContent(lines []string, from, to int) int {
	inBlock := false
	for i := from; i < to; i++ {
		s := strings.TrimSpace(lines[i])
		for s != "" {
			if inBlock {
				end := strings.Index(s, "*/")
				if end < 0 {
					s = ""
					break
				}
				s, inBlock = strings.TrimSpace(s[end+2:]), false
				continue
			}
			if strings.HasPrefix(s, "--") {
				s = ""
				break
			}
			if strings.HasPrefix(s, "/*") {
				s, inBlock = s[2:], true
				continue
			}
			return i
		}
	}
	return -1
}

// parseSQLObject fills obj (whose Key, Name, Schema and File are set) from a native per-object SQL
// file, reporting every problem to errs.
//
// A stateful object (table, sequence, migration) is a list of changes, each starting at a
// "-- tandem:change name" marker and optionally holding a "-- tandem:rollback" section. A
// stateful file without change markers is one change named "init" (its rollback, if any,
// follows a "-- tandem:rollback" marker). A stateless object (view, function, ...) is one
// definition: the whole file after its optional "-- tandem:object" marker.
func parseSQLObject(obj *tandem.Object, data []byte, errs *errList) {
	file := obj.File
	lines := fileLines(data)
	var dirs []directive
	for i, ln := range lines {
		body, ok := markerBody(ln, "--")
		if !ok {
			continue
		}
		d, err := parseDirective(body, i+1)
		if err != nil {
			errs.add(file, i+1, err)
		}
		switch d.kind {
		case dirObject, dirChange, dirRollback:
			dirs = append(dirs, d)
		}
	}

	// the object marker: at most one, in the header before any SQL or change
	bodyStart := 0
	var objDir *directive
	for i := range dirs {
		d := &dirs[i]
		if d.kind != dirObject {
			continue
		}
		if objDir != nil {
			errs.addf(file, d.line, "%w: a second \"-- tandem:object\" marker (the first is at line %d); merge their attributes into one", ErrMarker, objDir.line)
			continue
		}
		objDir = d
		if i > 0 || firstContent(lines, 0, d.line-1) >= 0 {
			errs.addf(file, d.line, "%w: \"-- tandem:object\" must come before any SQL or change marker; move it to the top of the file", ErrMarker)
		}
		obj.Attrs = d.attrs
		bodyStart = d.line
	}

	if !obj.Key.Type.Stateful() {
		for _, d := range dirs {
			switch d.kind {
			case dirChange:
				errs.addf(file, d.line, "%w: %s redeployed whole; remove the marker", ErrMarker, typeWords(obj.Key.Type))
			case dirRollback:
				errs.addf(file, d.line, "%w: %s redeployed whole and roll back to their previous definition; remove the marker", ErrMarker, typeWords(obj.Key.Type))
			}
		}
		sql, line := section(lines, bodyStart, len(lines))
		if firstContent(lines, bodyStart, len(lines)) < 0 {
			errs.addf(file, 1, "the file has %w; write the object's definition", ErrEmpty)
		}
		if line == 0 {
			line = 1
		}
		obj.Changes = []*tandem.Change{{
			Object: obj.Key, Name: obj.Key.Name, File: file, Line: 1, SQL: sql, SQLLine: line,
		}}
		return
	}

	var changes []directive
	for _, d := range dirs {
		if d.kind == dirChange {
			changes = append(changes, d)
		}
	}
	if len(changes) == 0 {
		obj.Changes = []*tandem.Change{buildChange(obj, "init", 1, tandem.Attrs{}, dirs, lines, bodyStart, len(lines), true, errs)}
		return
	}

	if i := firstContent(lines, 0, changes[0].line-1); i >= 0 {
		errs.addf(file, i+1, "%w: SQL before the first \"-- tandem:change\" marker belongs to no change; move it below a marker or delete it", ErrMarker)
	}
	for _, d := range dirs {
		if d.kind == dirRollback && d.line < changes[0].line {
			errs.addf(file, d.line, "%w: \"-- tandem:rollback\" before the first change; put it after the change it undoes", ErrMarker)
		}
	}
	firstLine := map[string]int{}
	for i, c := range changes {
		end := len(lines)
		if i+1 < len(changes) {
			end = changes[i+1].line - 1
		}
		if c.name != "" {
			key := strings.ToLower(c.name)
			if prev, ok := firstLine[key]; ok {
				errs.addf(file, c.line, "%w change %q (first at line %d); give every change of a file its own name", ErrDuplicate, c.name, prev)
			} else {
				firstLine[key] = c.line
			}
		}
		ch := buildChange(obj, c.name, c.line, c.attrs, dirs, lines, c.line, end, false, errs)
		ch.Seq = i
		obj.Changes = append(obj.Changes, ch)
	}
}

// buildChange makes the change whose text is lines[from:to] (0-based), split at a rollback
// marker inside that range. implicit is set for the "init" change of a file without markers.
func buildChange(obj *tandem.Object, name string, line int, attrs tandem.Attrs, dirs []directive, lines []string, from, to int, implicit bool, errs *errList) *tandem.Change {
	file := obj.File
	rb := -1
	for _, d := range dirs {
		if d.kind != dirRollback || d.line <= from || d.line > to {
			continue
		}
		if rb >= 0 {
			errs.addf(file, d.line, "%w: a second \"-- tandem:rollback\" for change %q (the first is at line %d); keep one", ErrMarker, name, rb)
			continue
		}
		rb = d.line
	}
	c := &tandem.Change{Object: obj.Key, Name: name, File: file, Line: line, Attrs: attrs}
	sqlEnd := to
	if rb >= 0 {
		sqlEnd = rb - 1
		c.Rollback, c.RollbackLine = section(lines, rb, to)
		c.HasRollback = true
	}
	c.SQL, c.SQLLine = section(lines, from, sqlEnd)
	if c.SQL == "" {
		c.SQLLine = line
	}
	if firstContent(lines, from, sqlEnd) < 0 {
		// only comments: nothing would run
		if !attrs.Inactive {
			if implicit {
				errs.addf(file, line, "the file has %w; write the object's DDL", ErrEmpty)
			} else {
				errs.addf(file, line, "change %q has %w; write its statements below the marker", name, ErrEmpty)
			}
		}
	}
	return c
}

// parseCSVObject fills obj from a native static data CSV. Leading "#" lines are comments; one of
// them may be a "# tandem:object" marker with the object's attributes (key=..., envs=...).
func parseCSVObject(obj *tandem.Object, data []byte, errs *errList) {
	file := obj.File
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	offset, line := 0, 1
	objLine := 0
	for offset < len(data) {
		end := bytes.IndexByte(data[offset:], '\n')
		next := len(data)
		if end >= 0 {
			next = offset + end + 1
		}
		text := strings.TrimSpace(string(data[offset:next]))
		if text != "" && !strings.HasPrefix(text, "#") {
			break
		}
		if body, ok := markerBody(text, "#"); ok {
			d, err := parseDirective(body, line)
			switch {
			case err != nil:
				errs.add(file, line, err)
			case d.kind != dirObject:
				errs.addf(file, line, "%w: a static data file takes only \"# tandem:object\"; its rows are one definition", ErrMarker)
			case objLine > 0:
				errs.addf(file, line, "%w: a second \"# tandem:object\" marker (the first is at line %d); merge their attributes into one", ErrMarker, objLine)
			default:
				obj.Attrs, objLine = d.attrs, line
			}
		}
		offset, line = next, line+1
	}
	obj.Format = tandem.FormatCSV
	d, err := parseCSV(file, data[offset:], line)
	if err != nil {
		errs.addPositioned(file, line, err)
	}
	obj.Data = d
	obj.Changes = []*tandem.Change{{Object: obj.Key, Name: obj.Key.Name, File: file, Line: 1, SQLLine: line}}
}

// restriction describes where an object applies, to tell apart two files for one object that
// are meant for different environments or dialects.
func restriction(a tandem.Attrs) string {
	norm := func(l []string) string {
		out := make([]string, len(l))
		for i, s := range l {
			out[i] = strings.ToLower(s)
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	return fmt.Sprintf("%s|%s|%s|%s", norm(a.IncludeEnvs), norm(a.ExcludeEnvs), norm(a.IncludeDialects), norm(a.ExcludeDialects))
}
