package project

import (
	"strings"

	"github.com/tandem-db/tandem"
)

// obevoFile turns the text of one Obevo object file into an object, collecting errors with
// file:line.
type obevoFile struct {
	loader  *obevoLoader
	path    string
	schemas []string
	errs    []error
}

func (f *obevoFile) errorf(line int, format string, args ...any) {
	f.errs = append(f.errs, lineErr(f.path, line, format, args...))
}

// obevoBlock is a run of lines: the text before the first marker (Marker nil), or a marker line
// and the lines up to the next marker.
type obevoBlock struct {
	Marker *obevoMarker
	Start  int      // 1-based line of the first body line
	Lines  []string // body lines, without line ends
}

// text returns the body with leading blank lines and trailing blanks removed, and the line where
// the returned text starts (0 when it is empty).
func (b *obevoBlock) text() (string, int) {
	lines, start := b.Lines, b.Start
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
		start++
	}
	text := strings.TrimRight(strings.Join(lines, "\n"), " \t\r\n")
	if text == "" {
		return "", 0
	}
	return text, start
}

// splitLines splits text into lines, dropping the CR of CRLF line ends, so that SQL reads the
// same whatever line ends a checkout uses.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// blocks splits a file into marker blocks. Rollback markers ("// ROLLBACK...") count only
// inside a CHANGE section, where Obevo looks for them. A marker line that does not parse is
// reported and read as a marker without attributes, so that one typo yields one error.
func (f *obevoFile) blocks(text string) []*obevoBlock {
	cur := &obevoBlock{Start: 1}
	out := []*obevoBlock{cur}
	inChange := false
	for i, line := range splitLines(text) {
		n := i + 1
		sec, _, isMarker := markerSection(line)
		if !isMarker || (!inChange && (sec == obevoRollback || sec == obevoRollbackIfAlreadyDepl)) {
			cur.Lines = append(cur.Lines, line)
			continue
		}
		m, _, err := parseMarker(line, n)
		if err != nil {
			f.errorf(n, "%s line: %v", markerPrefix(sec)+" "+sec, err)
			m = &obevoMarker{Section: sec, Line: n, Bad: true}
		}
		switch m.Section {
		case obevoChange:
			inChange = true
		case obevoMetadata, obevoDropCommand, obevoBody:
			inChange = false
		}
		cur = &obevoBlock{Marker: m, Start: n + 1}
		out = append(out, cur)
	}
	return out
}

// firstSQL returns the index of the first line that holds something other than blanks and SQL
// comments ("--" lines and /* */ blocks), or -1.
func firstSQL(lines []string) int {
	inBlock := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		for t != "" {
			if inBlock {
				end := strings.Index(t, "*/")
				if end < 0 {
					t = ""
					break
				}
				inBlock = false
				t = strings.TrimSpace(t[end+2:])
				continue
			}
			switch {
			case strings.HasPrefix(t, "--"):
				t = ""
			case strings.HasPrefix(t, "/*"):
				inBlock = true
				t = t[2:]
			default:
				return i
			}
		}
	}
	return -1
}

// onlyComments reports whether lines hold nothing but blanks and SQL comments.
func onlyComments(lines []string) bool { return firstSQL(lines) < 0 }

// fileMetadata returns the file's METADATA marker, merged over the folder's package-info
// metadata, and the remaining blocks. A METADATA line must come before any SQL (comments may
// precede it) and appear at most once.
func (f *obevoFile) fileMetadata(blocks []*obevoBlock, pkg *obevoMarker) (*obevoMarker, []*obevoBlock) {
	var meta *obevoMarker
	var rest []*obevoBlock
	sawContent := false
	for _, b := range blocks {
		if b.Marker == nil || b.Marker.Section != obevoMetadata {
			if b.Marker != nil || !onlyComments(b.Lines) {
				sawContent = true
			}
			rest = append(rest, b)
			continue
		}
		switch {
		case meta != nil:
			f.errorf(b.Marker.Line, "second //// METADATA line; merge it into the one on line %d", meta.Line)
		case sawContent:
			f.errorf(b.Marker.Line, "//// METADATA must come before the SQL and any //// CHANGE line; move it to the top of the file")
		default:
			// only comments came before: they belong to no change, and the content starts
			// after the METADATA line
			meta = b.Marker
			rest = append(rest[:0], &obevoBlock{Start: b.Start, Lines: b.Lines})
		}
	}
	return mergeMarkers(pkg, meta), rest
}

func markerPrefix(section string) string {
	if section == obevoRollback || section == obevoRollbackIfAlreadyDepl {
		return obevoSubsectionPrefix
	}
	return obevoSectionPrefix
}

// mergeMarkers lays file metadata over folder metadata: an attribute written in the file wins.
func mergeMarkers(pkg, file *obevoMarker) *obevoMarker {
	if pkg == nil {
		return file
	}
	out := &obevoMarker{Section: obevoMetadata}
	if file != nil {
		out.Line = file.Line
		out.Attrs = append(out.Attrs, file.Attrs...)
		out.Toggles = append(out.Toggles, file.Toggles...)
	}
	for _, a := range pkg.Attrs {
		if _, ok := out.Attr(a.Key); !ok {
			out.Attrs = append(out.Attrs, a)
		}
	}
	for _, t := range pkg.Toggles {
		if !hasString(out.Toggles, t) {
			out.Toggles = append(out.Toggles, t)
		}
	}
	return out
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// buildStateful reads a table, migration or sequence file: an optional METADATA line, then
// "//// CHANGE" sections. A change may end with a "// ROLLBACK" section (SQL that undoes it when
// an older release is deployed again) or a "// ROLLBACK-IF-ALREADY-DEPLOYED" section, Obevo's
// way to withdraw a change: where it was never deployed it is skipped, and where it was, the
// section's SQL undoes it and its record is removed. tandem marks such a change Inactive, keeps
// the SQL in Rollback and sets Extra["rollbackIfAlreadyDeployed"]="true".
//
// A sequence file without CHANGE markers (Obevo treats sequences as rerunnable) is one change
// named after the object.
func (f *obevoFile) buildStateful(o *tandem.Object, text string, pkg *obevoMarker) bool {
	meta, blocks := f.fileMetadata(f.blocks(text), pkg)
	o.Attrs = f.attrs(meta, obevoObjectAttrs)
	hasChange := false
	for _, b := range blocks {
		if b.Marker != nil && b.Marker.Section == obevoChange {
			hasChange = true
		}
	}
	if !hasChange {
		if o.Key.Type == tandem.Sequence {
			return f.buildStateless(o, text, pkg)
		}
		f.errorf(1, "no //// CHANGE line; a %s file is a list of changes, each starting with a line such as //// CHANGE name=init", o.Key.Type)
		return false
	}
	before := len(f.errs)
	var cur *tandem.Change
	var rollbackSeen string
	for _, b := range blocks {
		if b.Marker == nil {
			if i := firstSQL(b.Lines); i >= 0 {
				f.errorf(b.Start+i, "SQL before the first //// CHANGE line; put it inside a change")
			}
			continue
		}
		switch b.Marker.Section {
		case obevoChange:
			cur = f.change(o, b)
			rollbackSeen = ""
			if cur != nil {
				o.Changes = append(o.Changes, cur)
			}
		case obevoRollback, obevoRollbackIfAlreadyDepl:
			if cur == nil {
				continue
			}
			if rollbackSeen != "" {
				f.errorf(b.Marker.Line, "change %s already has a // %s section; tandem keeps one rollback per change, so keep one of them", cur.Name, rollbackSeen)
				continue
			}
			rollbackSeen = b.Marker.Section
			cur.Rollback, cur.RollbackLine = b.text()
			cur.HasRollback = true
			if b.Marker.Section == obevoRollbackIfAlreadyDepl {
				cur.Attrs.Inactive = true
				setExtra(&cur.Attrs, "rollbackIfAlreadyDeployed", "true")
			}
		case obevoDropCommand, obevoBody:
			f.errorf(b.Marker.Line, "//// %s does not belong in a %s file; it is for views, functions and other rerunnable objects", b.Marker.Section, o.Key.Type)
		}
	}
	return len(f.errs) == before
}

// change builds one change from its CHANGE block. Attributes written on the CHANGE line are the
// change's; the file's METADATA supplies environment and platform restrictions where the change
// sets none, and its includeDependencies, as Obevo does.
func (f *obevoFile) change(o *tandem.Object, b *obevoBlock) *tandem.Change {
	m := b.Marker
	if m.Bad {
		return nil
	}
	name, ok := m.Attr("name")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		f.errorf(m.Line, "//// CHANGE line has no name; add one, e.g. //// CHANGE name=chng%d", len(o.Changes)+1)
		return nil
	}
	for _, c := range o.Changes {
		if strings.EqualFold(c.Name, name) {
			f.errorf(m.Line, "change name %q is used twice in this file (first on line %d); change names must be unique within an object", name, c.Line)
			return nil
		}
	}
	c := &tandem.Change{
		Object: o.Key,
		Name:   name,
		File:   f.path,
		Line:   m.Line,
		Seq:    len(o.Changes),
		Attrs:  f.attrs(m, obevoChangeAttrs),
	}
	c.SQL, c.SQLLine = b.text()
	if inherit := o.Attrs; true {
		if len(c.Attrs.IncludeEnvs) == 0 && len(c.Attrs.ExcludeEnvs) == 0 {
			c.Attrs.IncludeEnvs, c.Attrs.ExcludeEnvs = cloneList(inherit.IncludeEnvs), cloneList(inherit.ExcludeEnvs)
		}
		if len(c.Attrs.IncludeDialects) == 0 && len(c.Attrs.ExcludeDialects) == 0 {
			c.Attrs.IncludeDialects, c.Attrs.ExcludeDialects = cloneList(inherit.IncludeDialects), cloneList(inherit.ExcludeDialects)
		}
		if len(inherit.DependsAdd) > 0 {
			c.Attrs.DependsAdd = append(c.Attrs.DependsAdd, inherit.DependsAdd...)
		}
	}
	return c
}

// buildStateless reads a view, function, procedure, trigger or type file (or a sequence or
// static data SQL file): the whole text after the optional METADATA line is one change named
// after the object. Comments before the METADATA line are left out, as Obevo does. A
// "//// DROP_COMMAND" section after the SQL is kept in Attrs.Extra["dropCommand"]; tandem drops
// objects with its own statement and warns about it.
func (f *obevoFile) buildStateless(o *tandem.Object, text string, pkg *obevoMarker) bool {
	before := len(f.errs)
	meta, blocks := f.fileMetadata(f.blocks(text), pkg)
	o.Attrs = f.attrs(meta, obevoObjectAttrs)
	c := &tandem.Change{
		Object: o.Key,
		Name:   strings.ToLower(o.Name),
		File:   f.path,
		Line:   1,
	}
	var body *obevoBlock
	for _, b := range blocks {
		if b.Marker == nil {
			switch {
			case body == nil:
				body = b
			case onlyComments(b.Lines):
			default:
				f.errorf(b.Start, "more SQL after the definition; an object file holds one definition")
			}
			continue
		}
		switch b.Marker.Section {
		case obevoDropCommand:
			sql, _ := b.text()
			setExtra(&o.Attrs, "dropCommand", sql)
			f.loader.warnf("%s:%d: tandem drops %s with its own statement; the //// DROP_COMMAND section is kept but not run", f.path, b.Marker.Line, o.Key)
		case obevoBody:
			f.errorf(b.Marker.Line, "//// BODY sections are for Oracle packages, which tandem does not deploy")
		case obevoChange:
			f.errorf(b.Marker.Line, "//// CHANGE does not belong in a %s file; write the whole definition, and tandem recreates it when it changes", o.Key.Type)
		}
	}
	if body != nil {
		c.SQL, c.SQLLine = body.text()
	}
	c.Attrs = cloneAttrs(o.Attrs)
	o.Changes = []*tandem.Change{c}
	return len(f.errs) == before
}

// buildCSV reads a static data CSV: an optional METADATA first line, then the header and rows.
// Like a native CSV object it has one change named after it, without SQL: the rows are in
// Object.Data.
func (f *obevoFile) buildCSV(o *tandem.Object, data []byte, pkg *obevoMarker, opt csvOptions) bool {
	text := string(data)
	first := 1
	var meta *obevoMarker
	firstLine, rest, _ := strings.Cut(text, "\n")
	m, ok, err := parseMarker(firstLine, 1)
	switch {
	case ok && err != nil:
		f.errorf(1, "//// METADATA line: %v", err)
		return false
	case ok && m.Section != obevoMetadata:
		f.errorf(1, "//// %s does not belong in a CSV file; only a //// METADATA first line does", m.Section)
		return false
	case ok:
		meta, text, first = m, rest, 2
	}
	meta = mergeMarkers(pkg, meta)
	o.Attrs = f.attrs(meta, obevoObjectAttrs)
	d, err := parseCSVWith(f.path, []byte(text), first, opt)
	if err != nil {
		f.errs = append(f.errs, err)
		return false
	}
	o.Data = d
	c := &tandem.Change{
		Object:  o.Key,
		Name:    o.Key.Name,
		File:    f.path,
		Line:    1,
		SQLLine: first,
		Attrs:   cloneAttrs(o.Attrs),
	}
	o.Changes = []*tandem.Change{c}
	return true
}
