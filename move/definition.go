package move

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tandem-db/tandem/internal/dburl"
)

// Definition is a move as written in the project, in moves/<name>.yaml:
//
//	from: {schema: public, table: users}       # A; env: or url: name another database
//	to:   {schema: public, table: accounts}    # B
//	key: [id]                                  # B's primary key
//	mapping:                                   # each B column from an SQL expression over A's columns
//	  id: id
//	  full_name: first_name || ' ' || last_name
//	  email: lower(email)
//	reverse:                                   # optional: each A column from B's columns
//	  id: id
//	batch: {size: 1000, target: 250ms, max_rows: 0, workers: 1}
//	throttle: {max_replica_lag: 10s, max_active_sessions: 50, check: "SELECT ...", polite: true, nice: 1}
//	store: sql                                 # or redis://host:6379/0
type Definition struct {
	Name string
	// File is the definition's path inside the project (moves/<name>.yaml), for messages.
	File string
	From Table // A
	To   Table // B
	// Key lists B's primary key columns. Each is copied from the A column of the same position
	// in KeyFrom.
	Key []string
	// KeyFrom lists the A columns that hold the key, in Key's order. When key_from is not
	// written, each key column's mapping must be a bare A column, which is taken.
	KeyFrom []string
	// KeyLine is the line of the key entry.
	KeyLine int
	// Mapping gives each B column from an SQL expression over A's columns, in file order.
	Mapping []ColumnMap
	// Reverse gives each A column from an expression over B's columns; it is needed to roll
	// back from write-b. Empty when the file has none.
	Reverse []ColumnMap
	Batch   BatchSettings
	// Workers is how many parts of the backfill one process copies at once, each on its own
	// connection (batch.workers; default 1). The backfill's --workers flag overrides it.
	Workers  int
	Throttle ThrottleSettings
	// Store is "sql" (the default: a table in B's database) or a redis:// URL.
	Store string
}

// Table is one end of a move as written.
type Table struct {
	// Env is an environment name in tandem.yaml; empty means the deploying environment.
	Env string
	// URL is an explicit database URL, instead of Env.
	URL    string
	Schema string
	Name   string
	Line   int
}

// String renders schema.name, or name.
func (t Table) String() string {
	if t.Schema == "" {
		return t.Name
	}
	return t.Schema + "." + t.Name
}

// ColumnMap is one entry of a mapping: Column (of the target) = Expr (over the source).
type ColumnMap struct {
	Column, Expr string
	Line         int
}

// BatchSettings steer the backfill's batches.
type BatchSettings struct {
	// Size is the first batch size in rows (default 1000); it adapts to Target.
	Size int
	// Target is the batch time the size adapts to (default 250ms).
	Target time.Duration
	// MaxRows caps the copy rate in rows per second; 0 means unlimited.
	MaxRows int
}

// ThrottleSettings say when the backfill pauses between batches.
type ThrottleSettings struct {
	// MaxReplicaLag pauses while a replica of B's database lags by more; 0 disables.
	MaxReplicaLag time.Duration
	// MaxActiveSessions pauses while A's database has more active sessions; 0 disables.
	MaxActiveSessions int
	// Check is an SQL query run on A's database that returns one boolean: true means pause.
	Check     string
	CheckLine int
	// Polite (default true) makes each batch wait only briefly for row locks held by the
	// application, and back off and retry with a smaller batch instead.
	Polite bool
	// Nice is how long the backfill rests after each batch, as a multiple of the batch's
	// time: 1 (the default when polite) leaves the database alone half of the time, 0 (the
	// default when not polite) never rests.
	Nice float64
}

// Defaults applied to a definition when the file does not set them.
const (
	DefaultBatchSize   = 1000
	DefaultBatchTarget = 250 * time.Millisecond
	DefaultNice        = 1.0
)

// DefinitionError is a problem in a move's file, with where it is.
type DefinitionError struct {
	File string
	Line int
	Msg  string
}

func (e *DefinitionError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("move: %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("move: %s: %s", e.File, e.Msg)
}

// LoadDefinitions reads every moves/*.yaml (and *.yml) of a project, sorted by name. A project
// without a moves folder has no moves. Every problem of every file is reported, each as a
// *DefinitionError with file:line; unknown keys are errors. One broken file fails the whole
// load: a program that must go on with the other moves uses LoadCatalog.
func LoadDefinitions(fsys fs.FS) ([]*Definition, error) {
	cat, err := LoadCatalog(fsys)
	if err != nil {
		return nil, err
	}
	if len(cat.Broken) > 0 {
		errs := make([]error, len(cat.Broken))
		for i, b := range cat.Broken {
			errs[i] = b.Err
		}
		return nil, errors.Join(errs...)
	}
	return cat.Defs, nil
}

// ParseDefinition reads one move file. file is its path in the project (moves/<name>.yaml);
// the move is named after it.
func ParseDefinition(file string, data []byte) (*Definition, error) {
	name := strings.TrimSuffix(strings.TrimSuffix(path.Base(file), ".yaml"), ".yml")
	p := &parser{file: file}
	d := &Definition{
		Name:     name,
		File:     file,
		Batch:    BatchSettings{Size: DefaultBatchSize, Target: DefaultBatchTarget},
		Throttle: ThrottleSettings{Polite: true, Nice: DefaultNice},
		Store:    "sql",
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := yamlErrLine(err)
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, fmt.Sprintf("line %d: ", line))
		return nil, &DefinitionError{File: file, Line: line, Msg: "not valid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil, &DefinitionError{File: file, Msg: "empty file; a move needs from, to, key and mapping"}
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
		d.validate(p, root)
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return d, nil
}

// validate checks what needs more than one entry: the key against the mapping.
func (d *Definition) validate(p *parser, root *yaml.Node) {
	if len(d.KeyFrom) > 0 && len(d.KeyFrom) != len(d.Key) {
		p.errs = append(p.errs, &DefinitionError{File: p.file, Line: d.KeyLine, Msg: fmt.Sprintf("key has %d columns but key_from has %d; list one A column per key column", len(d.Key), len(d.KeyFrom))})
		return
	}
	if len(d.KeyFrom) > 0 || len(d.Mapping) == 0 {
		return
	}
	for _, k := range d.Key {
		m := d.MapFor(k)
		switch {
		case m == nil:
			p.errs = append(p.errs, &DefinitionError{File: p.file, Line: d.KeyLine, Msg: fmt.Sprintf("key column %q has no mapping; map it from A's key column", k)})
		case !isBareIdent(m.Expr):
			p.errs = append(p.errs, &DefinitionError{File: p.file, Line: m.Line, Msg: fmt.Sprintf("key column %q is mapped from the expression %q; a key is copied as it is: map it from one A column, or name A's key columns with key_from", k, m.Expr)})
		default:
			d.KeyFrom = append(d.KeyFrom, unquoteIdent(m.Expr))
		}
	}
	if len(d.KeyFrom) != len(d.Key) {
		d.KeyFrom = nil
	}
}

// MapFor returns the mapping entry of B column col (case-insensitive), or nil.
func (d *Definition) MapFor(col string) *ColumnMap {
	for i := range d.Mapping {
		if strings.EqualFold(d.Mapping[i].Column, col) {
			return &d.Mapping[i]
		}
	}
	return nil
}

// parser collects errors while walking a file's nodes.
type parser struct {
	file string
	errs []error
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &DefinitionError{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

// fields walks a mapping node, calling fn for each key; duplicates are errors. It returns the
// keys seen.
func (p *parser) fields(n *yaml.Node, what string, fn func(key string, k, v *yaml.Node)) map[string]bool {
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

func (p *parser) scalar(v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		p.errf(v, "expected a single value")
		return ""
	}
	return v.Value
}

func (p *parser) strings(v *yaml.Node) []string {
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
func (p *parser) table(k, v *yaml.Node) Table {
	t := Table{Line: v.Line}
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

func (p *parser) mapping(v *yaml.Node) []ColumnMap {
	var out []ColumnMap
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
		out = append(out, ColumnMap{Column: col, Expr: expr, Line: k.Line})
	}
	if len(out) == 0 && len(p.errs) == 0 {
		p.errf(v, "the mapping is empty")
	}
	return out
}

func (p *parser) batch(v *yaml.Node, d *Definition) {
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
			if d.Workers = p.positive(vv, "batch workers", false); d.Workers > maxParts {
				p.errf(vv, "batch workers is %d; write 1 to %d (a backfill has at most %d parts)", d.Workers, maxParts, maxParts)
			}
		default:
			p.errf(k, "unknown key %q in batch; write size, target, max_rows and workers", key)
		}
	})
}

func (p *parser) throttle(v *yaml.Node, t *ThrottleSettings) {
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

func (p *parser) positive(v *yaml.Node, what string, zeroOK bool) int {
	n, err := strconv.Atoi(p.scalar(v))
	if err != nil || n < 0 || (n == 0 && !zeroOK) {
		p.errf(v, "%s is %q; write a whole number above zero", what, v.Value)
		return 0
	}
	return n
}

func (p *parser) duration(v *yaml.Node, what string) time.Duration {
	d, err := time.ParseDuration(p.scalar(v))
	if err != nil || d <= 0 {
		p.errf(v, "%s is %q; write a duration such as 250ms or 5s", what, v.Value)
		return 0
	}
	return d
}

// yamlErrLine finds "line N" in a yaml.v3 syntax error.
func yamlErrLine(err error) int {
	s := err.Error()
	i := strings.Index(s, "line ")
	if i < 0 {
		return 0
	}
	s = s[i+5:]
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, _ := strconv.Atoi(s[:j])
	return n
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
