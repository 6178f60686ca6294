package project

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-db/tandem"
)

// Native markers are SQL comments ("-- tandem:change name attr=value ...") so that a file stays
// valid SQL for any other tool. In a CSV they are "#" comments.
const (
	dirObject   = "object"
	dirChange   = "change"
	dirRollback = "rollback"
)

// directive is one parsed marker line.
type directive struct {
	kind  string // dirObject, dirChange or dirRollback
	name  string // the change name of a change marker
	attrs tandem.Attrs
	line  int
}

// markerBody returns what follows "tandem:" on a comment line that starts with prefix ("--" or
// "#"), and whether the line is a tandem marker at all. "tandem:" is matched case-insensitively,
// so that "-- Tandem:change" is read (and checked) rather than silently taken as a comment.
func markerBody(line, prefix string) (string, bool) {
	s := strings.TrimSpace(line)
	if !strings.HasPrefix(s, prefix) {
		return "", false
	}
	s = strings.TrimLeft(s[len(prefix):], " \t")
	const tag = "tandem:"
	if len(s) < len(tag) || !strings.EqualFold(s[:len(tag)], tag) {
		return "", false
	}
	return s[len(tag):], true
}

// parseDirective parses the text after "tandem:" on a marker line.
func parseDirective(body string, line int) (directive, error) {
	d := directive{line: line}
	kind, rest := body, ""
	if i := strings.IndexAny(body, " \t"); i >= 0 {
		kind, rest = body[:i], body[i+1:]
	}
	d.kind = strings.ToLower(kind)
	toks, err := tokenize(rest)
	if err != nil {
		return d, err
	}
	switch d.kind {
	case dirChange:
		if len(toks) == 0 || toks[0].eq >= 0 {
			return d, fmt.Errorf("%w: the change has no name; write \"-- tandem:change <name> [attributes]\"", ErrMarker)
		}
		d.name = unquote(toks[0].raw)
		if d.name == "" || strings.ContainsAny(d.name, "/") {
			return d, fmt.Errorf("%w: change name %q must be non-empty and hold no \"/\"", ErrMarker, d.name)
		}
		toks = toks[1:]
	case dirRollback:
		if len(toks) > 0 {
			return d, fmt.Errorf("%w: \"-- tandem:rollback\" takes no name or attributes; put attributes on the change marker", ErrMarker)
		}
		return d, nil
	case dirObject:
	default:
		return d, fmt.Errorf("%w %q after \"tandem:\" (known: object, change, rollback)", ErrUnknownDirective, kind)
	}
	err = parseAttrs(toks, &d.attrs)
	return d, err
}

// token is one whitespace-separated word of a marker, quotes kept; eq is the index of its first
// "=" outside quotes, or -1.
type token struct {
	raw string
	eq  int
}

// tokenize splits s on blanks outside double quotes. Inside quotes, \" and \\ escape.
func tokenize(s string) ([]token, error) {
	var toks []token
	var b strings.Builder
	eq := -1
	inQuote, inWord := false, false
	flush := func() {
		if inWord {
			toks = append(toks, token{raw: b.String(), eq: eq})
		}
		b.Reset()
		eq, inWord = -1, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			b.WriteByte(c)
			b.WriteByte(s[i+1])
			i++
		case c == '"':
			inQuote = !inQuote
			inWord = true
			b.WriteByte(c)
		case !inQuote && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			flush()
		default:
			if c == '=' && !inQuote && eq < 0 {
				eq = b.Len()
			}
			inWord = true
			b.WriteByte(c)
		}
	}
	if inQuote {
		return nil, fmt.Errorf("%w: unterminated double quote in marker", ErrMarker)
	}
	flush()
	return toks, nil
}

// unquote removes the double quotes of a token (anywhere in it) and resolves \" and \\ inside them.
func unquote(s string) string {
	if !strings.Contains(s, `"`) {
		return s
	}
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		case c == '"':
			inQuote = !inQuote
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// knownAttrs lists the attributes a marker may carry, for the unknown-attribute message.
var knownAttrs = []string{"depends", "depends+", "depends-", "envs", "exclude-envs", "dialects", "exclude-dialects", "transaction", "rebaseline", "inactive", "drop", "key", "changeset"}

// knownDialects are the names dialects= may use (patterns are let through unchecked).
var knownDialects = []string{"mysql", "postgres", "sqlite"}

// parseAttrs applies attribute tokens to a. A list value is split on commas (quote it to hold
// blanks: depends="a, b"); a list entry cannot itself hold a comma.
func parseAttrs(toks []token, a *tandem.Attrs) error {
	seen := map[string]bool{}
	for _, t := range toks {
		key, raw := t.raw, ""
		hasValue := t.eq >= 0
		if hasValue {
			key, raw = t.raw[:t.eq], t.raw[t.eq+1:]
		}
		key = strings.ToLower(key)
		if !slices.Contains(knownAttrs, key) {
			return fmt.Errorf("%w %q (known: %s)", ErrUnknownAttribute, unquote(key), strings.Join(knownAttrs, ", "))
		}
		if seen[key] {
			return fmt.Errorf("%w: %s is given twice on one marker", ErrBadAttribute, key)
		}
		seen[key] = true
		value := unquote(raw)
		switch key {
		case "inactive", "drop":
			b := true
			if hasValue {
				var err error
				if b, err = parseBool(key, value); err != nil {
					return err
				}
			}
			if key == "inactive" {
				a.Inactive = b
			} else {
				a.Drop = b
			}
			continue
		}
		if !hasValue {
			return fmt.Errorf("%w: %s needs a value (%s=...)", ErrBadAttribute, key, key)
		}
		switch key {
		case "transaction":
			switch strings.ToLower(value) {
			case "on", "true":
				a.NoTransaction = false
			case "off", "false":
				a.NoTransaction = true
			default:
				return fmt.Errorf("%w: transaction=%s; write transaction=off or transaction=on", ErrBadAttribute, value)
			}
			continue
		case "changeset":
			if strings.TrimSpace(value) == "" || strings.ContainsAny(value, ", \t") {
				return fmt.Errorf("%w: changeset=%q; name one changeset, without blanks or commas (changeset=phaseA)", ErrBadAttribute, value)
			}
			a.Changeset = value
			continue
		case "depends":
			// an empty list is meaningful: the change depends on nothing
			deps, err := refList(key, value)
			if err != nil {
				return err
			}
			a.Depends, a.DependsSet = deps, true
			continue
		}
		list := splitList(value)
		if len(list) == 0 {
			return fmt.Errorf("%w: %s needs at least one value", ErrBadAttribute, key)
		}
		switch key {
		case "depends+", "depends-":
			deps, err := refList(key, value)
			if err != nil {
				return err
			}
			if key == "depends+" {
				a.DependsAdd = deps
			} else {
				a.DependsExclude = deps
			}
		case "envs":
			a.IncludeEnvs = list
		case "exclude-envs":
			a.ExcludeEnvs = list
		case "dialects", "exclude-dialects":
			for _, d := range list {
				if !strings.ContainsAny(d, "*?[") && !slices.Contains(knownDialects, strings.ToLower(d)) {
					return fmt.Errorf("%w: %s names unknown dialect %q (known: %s)", ErrBadAttribute, key, d, strings.Join(knownDialects, ", "))
				}
			}
			if key == "dialects" {
				a.IncludeDialects = list
			} else {
				a.ExcludeDialects = list
			}
		case "rebaseline":
			a.Rebaseline = list
		case "key":
			a.Key = list
		}
	}
	return nil
}

func parseBool(key, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "on", "yes":
		return true, nil
	case "false", "off", "no":
		return false, nil
	}
	return false, fmt.Errorf("%w: %s=%s; write %s, %s=true or %s=false", ErrBadAttribute, key, v, key, key, key)
}

// splitList splits a comma-separated value, trimming blanks and dropping empty entries.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// refList parses a list of object references: name, schema.name or schema.type.name, each
// optionally followed by /change.
func refList(key, v string) ([]string, error) {
	list := splitList(v)
	for _, ref := range list {
		if err := checkRef(ref); err != nil {
			return nil, fmt.Errorf("%w: %s entry %q %v", ErrBadAttribute, key, ref, err)
		}
	}
	if list == nil {
		list = []string{}
	}
	return list, nil
}

func checkRef(ref string) error {
	obj, change, hasChange := strings.Cut(ref, "/")
	if hasChange && (change == "" || strings.Contains(change, "/")) {
		return fmt.Errorf("must be object/change with one \"/\"")
	}
	parts := strings.Split(obj, ".")
	if len(parts) > 3 || slices.Contains(parts, "") {
		return fmt.Errorf("must be name, schema.name or schema.type.name")
	}
	if len(parts) == 3 {
		if _, ok := typeForFolder(parts[1]); !ok && !tandem.ObjectType(strings.ToLower(parts[1])).Valid() {
			return fmt.Errorf("names unknown type %q (known: %s)", parts[1], knownFolders)
		}
	}
	return nil
}
