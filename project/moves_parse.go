package project

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/dburl"
)

// ParseMove reads one move file. file is its path in the project (moves/<name>.yaml); the
// move is named after it. Every problem of the file is reported, each reaching a *FileError
// with file:line (errors.As), joined; unknown keys are errors.
func ParseMove(file string, data []byte) (*tandem.MoveDefinition, error) {
	name := strings.TrimSuffix(strings.TrimSuffix(path.Base(file), ".yaml"), ".yml")
	p := &moveParser{file: file}
	d := &tandem.MoveDefinition{
		Name:     name,
		File:     file,
		Batch:    tandem.MoveBatchSettings{Size: tandem.DefaultMoveBatchSize, Target: tandem.DefaultMoveBatchTarget},
		Throttle: tandem.MoveThrottleSettings{Polite: true, Nice: tandem.DefaultMoveNice},
		Store:    "sql",
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlPosition(err.Error())
		return nil, moveError(file, line, "not valid YAML: "+msg)
	}
	if len(doc.Content) == 0 {
		return nil, moveError(file, 0, "empty file; a move needs from, to, key and mapping")
	}
	root := doc.Content[0]
	if name == "" || strings.ContainsAny(name, " \t/\\") {
		p.errf(root, "the file name %q does not make a move name; use letters, digits, - and _", path.Base(file))
	}
	seen := p.fields(root, "move", func(key string, k, v *yaml.Node) {
		switch key {
		case "from":
			d.From = p.table(k, v)
		case "to":
			d.To = p.table(k, v)
		case "key":
			d.Key, d.KeyLine = p.strings(v), k.Line
		case "key_from":
			d.KeyFrom = p.strings(v)
		case "mapping":
			d.Mapping = p.mapping(v)
		case "reverse":
			d.Reverse = p.mapping(v)
		case "batch":
			p.batch(v, d)
		case "throttle":
			p.throttle(v, &d.Throttle)
		case "store":
			d.Store = p.scalar(v)
			// ${VAR} is expanded where the store is opened, so that a password stays out of
			// the file: such a value is checked then.
			if d.Store != "sql" && !strings.HasPrefix(d.Store, "redis://") && !strings.HasPrefix(d.Store, "rediss://") && !strings.HasPrefix(d.Store, "${") {
				p.errf(v, "store is %q; write sql or a redis:// URL", dburl.Redact(d.Store))
			}
		default:
			p.errf(k, "unknown key %q; a move has from, to, key, key_from, mapping, reverse, batch, throttle and store", key)
		}
	})
	if root.Kind == yaml.MappingNode {
		for _, req := range []string{"from", "to", "key", "mapping"} {
			if !seen[req] {
				p.errf(root, "%s is missing", req)
			}
		}
		p.validate(d)
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return d, nil
}

// validate checks what needs more than one entry: the key against the mapping.
func (p *moveParser) validate(d *tandem.MoveDefinition) {
	if len(d.KeyFrom) > 0 && len(d.KeyFrom) != len(d.Key) {
		p.errs = append(p.errs, moveError(p.file, d.KeyLine, fmt.Sprintf("key has %d columns but key_from has %d; list one A column per key column", len(d.Key), len(d.KeyFrom))))
		return
	}
	if len(d.KeyFrom) > 0 || len(d.Mapping) == 0 {
		return
	}
	for _, k := range d.Key {
		m := d.MapFor(k)
		switch {
		case m == nil:
			p.errs = append(p.errs, moveError(p.file, d.KeyLine, fmt.Sprintf("key column %q has no mapping; map it from A's key column", k)))
		case !isBareIdent(m.Expr):
			p.errs = append(p.errs, moveError(p.file, m.Line, fmt.Sprintf("key column %q is mapped from the expression %q; a key is copied as it is: map it from one A column, or name A's key columns with key_from", k, m.Expr)))
		default:
			d.KeyFrom = append(d.KeyFrom, unquoteIdent(m.Expr))
		}
	}
	if len(d.KeyFrom) != len(d.Key) {
		d.KeyFrom = nil
	}
}

// moveParser collects errors while walking a move file's nodes.
type moveParser struct {
	file string
	errs []error
}

func (p *moveParser) errf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, moveError(p.file, n.Line, fmt.Sprintf(format, args...)))
}

// fields walks a mapping node, calling fn for each key; duplicates are errors. It returns the
// keys seen.
func (p *moveParser) fields(n *yaml.Node, what string, fn func(key string, k, v *yaml.Node)) map[string]bool {
	seen := map[string]bool{}
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s must be a mapping of keys to values", what)
		return seen
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.errf(k, "%s is written twice", k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k.Value, k, v)
	}
	return seen
}

func (p *moveParser) scalar(v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		p.errf(v, "expected a single value")
		return ""
	}
	return v.Value
}

func (p *moveParser) strings(v *yaml.Node) []string {
	var out []string
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Value != "" {
			out = []string{v.Value}
		}
	case yaml.SequenceNode:
		for _, c := range v.Content {
			if s := p.scalar(c); s != "" {
				out = append(out, s)
			}
		}
	default:
		p.errf(v, "expected a column name or a list of column names")
	}
	if len(out) == 0 && v.Kind != yaml.MappingNode {
		p.errf(v, "expected at least one column name")
	}
	return out
}

// table reads `schema.name` or a mapping {env, url, schema, table}.
func (p *moveParser) table(k, v *yaml.Node) tandem.MoveTable {
	t := tandem.MoveTable{Line: v.Line}
	if v.Kind == yaml.ScalarNode {
		if s, n, ok := strings.Cut(v.Value, "."); ok {
			t.Schema, t.Name = s, n
		} else {
			t.Name = v.Value
		}
	} else {
		p.fields(v, k.Value, func(key string, kk, vv *yaml.Node) {
			switch key {
			case "env":
				t.Env = p.scalar(vv)
			case "url":
				t.URL = p.scalar(vv)
			case "schema":
				t.Schema = p.scalar(vv)
			case "table":
				t.Name = p.scalar(vv)
			default:
				p.errf(kk, "unknown key %q in %s; write env, url, schema and table", key, k.Value)
			}
		})
	}
	if t.Name == "" {
		p.errf(v, "%s names no table", k.Value)
	}
	if t.Env != "" && t.URL != "" {
		p.errf(v, "%s has both env and url; write one", k.Value)
	}
	return t
}

func (p *moveParser) mapping(v *yaml.Node) []tandem.ColumnMap {
	var out []tandem.ColumnMap
	seen := map[string]bool{}
	if v.Kind != yaml.MappingNode {
		p.errf(v, "a mapping is a list of column: expression entries")
		return nil
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, e := v.Content[i], v.Content[i+1]
		col := strings.TrimSpace(k.Value)
		if seen[strings.ToLower(col)] {
			p.errf(k, "column %q is mapped twice", col)
			continue
		}
		seen[strings.ToLower(col)] = true
		expr := strings.TrimSpace(p.scalar(e))
		if col == "" {
			p.errf(k, "a mapping entry names no column")
			continue
		}
		if expr == "" {
			p.errf(e, "column %q is mapped from an empty expression", col)
			continue
		}
		out = append(out, tandem.ColumnMap{Column: col, Expr: expr, Line: k.Line})
	}
	if len(out) == 0 && len(p.errs) == 0 {
		p.errf(v, "the mapping is empty")
	}
	return out
}

func (p *moveParser) batch(v *yaml.Node, d *tandem.MoveDefinition) {
	b := &d.Batch
	p.fields(v, "batch", func(key string, k, vv *yaml.Node) {
		switch key {
		case "size":
			b.Size = p.positive(vv, "batch size", false)
		case "target":
			b.Target = p.duration(vv, "batch target")
		case "max_rows":
			b.MaxRows = p.positive(vv, "max_rows", true)
		case "workers":
			if d.Workers = p.positive(vv, "batch workers", false); d.Workers > tandem.MaxMoveWorkers {
				p.errf(vv, "batch workers is %d; write 1 to %d (a backfill has at most %d parts)", d.Workers, tandem.MaxMoveWorkers, tandem.MaxMoveWorkers)
			}
		default:
			p.errf(k, "unknown key %q in batch; write size, target, max_rows and workers", key)
		}
	})
}

func (p *moveParser) throttle(v *yaml.Node, t *tandem.MoveThrottleSettings) {
	niceSet := false
	defer func() {
		if !t.Polite && !niceSet {
			t.Nice = 0 // an impolite backfill does not rest unless told to
		}
	}()
	p.fields(v, "throttle", func(key string, k, vv *yaml.Node) {
		switch key {
		case "max_replica_lag":
			t.MaxReplicaLag = p.duration(vv, "max_replica_lag")
		case "max_active_sessions":
			t.MaxActiveSessions = p.positive(vv, "max_active_sessions", true)
		case "check":
			t.Check, t.CheckLine = strings.TrimSpace(p.scalar(vv)), vv.Line
		case "polite":
			b, err := strconv.ParseBool(p.scalar(vv))
			if err != nil {
				p.errf(vv, "polite is %q; write true or false", vv.Value)
			}
			t.Polite = b
		case "nice":
			f, err := strconv.ParseFloat(p.scalar(vv), 64)
			if err != nil || f < 0 || f > 100 {
				p.errf(vv, "nice is %q; write a number from 0 (never rest) to 100 (rest 100 times as long as each batch took)", vv.Value)
			}
			t.Nice, niceSet = f, true
		default:
			p.errf(k, "unknown key %q in throttle; write max_replica_lag, max_active_sessions, check, polite and nice", key)
		}
	})
}

func (p *moveParser) positive(v *yaml.Node, what string, zeroOK bool) int {
	n, err := strconv.Atoi(p.scalar(v))
	if err != nil || n < 0 || (n == 0 && !zeroOK) {
		p.errf(v, "%s is %q; write a whole number above zero", what, v.Value)
		return 0
	}
	return n
}

func (p *moveParser) duration(v *yaml.Node, what string) time.Duration {
	d, err := time.ParseDuration(p.scalar(v))
	if err != nil || d <= 0 {
		p.errf(v, "%s is %q; write a duration such as 250ms or 5s", what, v.Value)
		return 0
	}
	return d
}

// isBareIdent reports whether s is one column name, optionally quoted.
func isBareIdent(s string) bool {
	u := unquoteIdent(s)
	if u == "" {
		return false
	}
	if u != s {
		return true
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '$')) {
			return false
		}
	}
	return true
}

// unquoteIdent removes one level of "..." or `...` quoting.
func unquoteIdent(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '`' && s[len(s)-1] == '`') {
		q := string(s[0])
		inner := s[1 : len(s)-1]
		if strings.Contains(strings.ReplaceAll(inner, q+q, ""), q) {
			return ""
		}
		return strings.ReplaceAll(inner, q+q, q)
	}
	return s
}

// moveError is a problem at file:line of a move file.
func moveError(file string, line int, msg string) error {
	return &FileError{File: file, Line: line, Err: errors.New(msg)}
}
