package project

import (
	"fmt"
	"strings"
)

// Obevo marks up its files with lines that start with "////" (file-level sections) and "//"
// (subsections of a change):
//
//	//// METADATA includeEnvs=test* excludePlatforms=HSQL
//	//// CHANGE FK name=chng2 dependencies="TABLE_B.chng1"
//	// ROLLBACK
//	// ROLLBACK-IF-ALREADY-DEPLOYED
//	//// DROP_COMMAND
//	//// BODY
//
// A marker line holds attributes (key=value, the value optionally in double quotes with \" for a
// quote) and toggles (a bare word such as FK or DROP_TABLE). Obevo finds markers anywhere in the
// text; tandem only where a line starts with one (after blanks), so that SQL or a string that
// merely contains "//// CHANGE" is not split.

// Obevo section names.
const (
	obevoChange      = "CHANGE"
	obevoMetadata    = "METADATA"
	obevoDropCommand = "DROP_COMMAND"
	obevoBody        = "BODY"

	obevoRollback               = "ROLLBACK"
	obevoRollbackIfAlreadyDepl  = "ROLLBACK-IF-ALREADY-DEPLOYED"
	obevoSectionPrefix          = "////"
	obevoSubsectionPrefix       = "//"
	obevoMarkerAttrHelpExamples = `name=chng1, includeEnvs="qa*,uat"`
)

// obevoAttr is one key=value attribute of a marker line.
type obevoAttr struct {
	Key, Value string
}

// obevoMarker is a parsed marker line: which section it opens, its attributes in the order
// written, and its toggles.
type obevoMarker struct {
	Section string // CHANGE, METADATA, DROP_COMMAND, BODY, ROLLBACK, ROLLBACK-IF-ALREADY-DEPLOYED
	Line    int
	Attrs   []obevoAttr
	Toggles []string
	// Bad marks a marker line that did not parse (already reported), so that its missing
	// attributes do not cause more errors.
	Bad bool
}

// Attr returns the value of attribute key and whether it was written.
func (m *obevoMarker) Attr(key string) (string, bool) {
	for _, a := range m.Attrs {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// markerSection reports which Obevo section a line opens, and the rest of the line after the
// section name. A section name must be followed by a blank or the end of the line.
func markerSection(line string) (section, rest string, ok bool) {
	t := strings.TrimLeft(line, " \t")
	t = strings.TrimRight(t, "\r")
	if p, ok := strings.CutPrefix(t, obevoSectionPrefix+" "); ok {
		for _, s := range []string{obevoChange, obevoMetadata, obevoDropCommand, obevoBody} {
			if r, ok := cutWord(p, s); ok {
				return s, r, true
			}
		}
		return "", "", false
	}
	if p, ok := strings.CutPrefix(t, obevoSubsectionPrefix+" "); ok {
		// the longer name first: ROLLBACK is a prefix of ROLLBACK-IF-ALREADY-DEPLOYED
		for _, s := range []string{obevoRollbackIfAlreadyDepl, obevoRollback} {
			if r, ok := cutWord(p, s); ok {
				return s, r, true
			}
		}
	}
	return "", "", false
}

// cutWord cuts word from the start of s when it is followed by a blank or the end of s.
func cutWord(s, word string) (string, bool) {
	r, ok := strings.CutPrefix(s, word)
	if !ok || (r != "" && r[0] != ' ' && r[0] != '\t') {
		return "", false
	}
	return r, true
}

// parseMarkerAttrs parses the attributes and toggles of a marker line (the text after the
// section name). Errors say what is wrong without a position; the caller adds file:line.
func parseMarkerAttrs(s string) (attrs []obevoAttr, toggles []string, err error) {
	i := 0
	skipBlanks := func() {
		for i < len(s) && isBlank(s[i]) {
			i++
		}
	}
	// word reads a quoted or bare literal at i.
	word := func() (string, error) {
		if s[i] == '"' {
			var b strings.Builder
			for j := i + 1; j < len(s); j++ {
				switch {
				case s[j] == '\\' && j+1 < len(s) && s[j+1] == '"':
					b.WriteByte('"')
					j++
				case s[j] == '"':
					i = j + 1
					return b.String(), nil
				default:
					b.WriteByte(s[j])
				}
			}
			return "", fmt.Errorf("quoted value %s is not terminated; add the closing quote", s[i:])
		}
		j := i
		for j < len(s) && !isBlank(s[j]) && s[j] != '=' {
			j++
		}
		w := s[i:j]
		i = j
		return w, nil
	}
	seen := map[string]bool{}
	for {
		skipBlanks()
		if i >= len(s) {
			return attrs, toggles, nil
		}
		if s[i] == '=' {
			return nil, nil, fmt.Errorf("%q has no attribute name before it; write attributes as key=value, e.g. %s", "=", obevoMarkerAttrHelpExamples)
		}
		key, err := word()
		if err != nil {
			return nil, nil, err
		}
		if i >= len(s) || s[i] != '=' {
			toggles = append(toggles, key)
			continue
		}
		i++ // '='
		if key == "" {
			return nil, nil, fmt.Errorf("attribute name is empty; write attributes as key=value, e.g. %s", obevoMarkerAttrHelpExamples)
		}
		var value string
		if i < len(s) && !isBlank(s[i]) {
			if s[i] == '=' {
				return nil, nil, fmt.Errorf("attribute %s has two %q; quote a value that holds one: %s=\"a=b\"", key, "=", key)
			}
			if value, err = word(); err != nil {
				return nil, nil, err
			}
			if i < len(s) && s[i] == '=' {
				return nil, nil, fmt.Errorf("attribute %s has two %q; quote a value that holds one: %s=\"a=b\"", key, "=", key)
			}
			if i < len(s) && !isBlank(s[i]) {
				return nil, nil, fmt.Errorf("attribute %s: text %q follows the closing quote; separate attributes with a blank", key, s[i:])
			}
		}
		if seen[key] {
			return nil, nil, fmt.Errorf("attribute %s is given twice; keep one", key)
		}
		seen[key] = true
		attrs = append(attrs, obevoAttr{Key: key, Value: value})
	}
}

// parseMarker parses a whole marker line; ok is false when the line is not a marker.
func parseMarker(line string, lineNo int) (m *obevoMarker, ok bool, err error) {
	section, rest, ok := markerSection(line)
	if !ok {
		return nil, false, nil
	}
	attrs, toggles, err := parseMarkerAttrs(rest)
	if err != nil {
		return nil, true, err
	}
	return &obevoMarker{Section: section, Line: lineNo, Attrs: attrs, Toggles: toggles}, true, nil
}
