package project

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/tandem-db/tandem"
)

// A Liquibase project of formatted SQL files is read in place: the .sql files at the project
// root whose first line is "--liquibase formatted sql", in file name order, each a sequence of
// "--changeset author:id" changesets. The changesets of one file are the changes of one
// migration object (named after the file, changes named author:id, so that a changeset's
// identity is author:id and its file, as in Liquibase); a runOnChange or runAlways changeset is
// a repeatable script instead, rerun when edited (or on every deploy). Each changeset depends on
// the one before it, so they deploy in changelog order.

// ErrLiquibase: a formatted SQL changelog holds something tandem cannot run (a precondition, a
// context expression, failOnError:false, ...).
var ErrLiquibase = errors.New("unsupported Liquibase changelog")

var (
	lbHeader    = regexp.MustCompile(`(?i)^--\s*liquibase\s+formatted\s+sql\b`)
	lbChangeset = regexp.MustCompile(`(?i)^--\s*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+)(.*)$`)
	lbRollback  = regexp.MustCompile(`(?i)^--\s*rollback(?:\s+(.*))?$`)
	lbComment   = regexp.MustCompile(`(?i)^--\s*comment:?\s*(.*)$`)
	lbCheckSum  = regexp.MustCompile(`(?i)^--\s*validCheckSum:?\s*(.*)$`)
	lbRefused   = regexp.MustCompile(`(?i)^--\s*(precondition[-\w]*|ignoreLines:\S*|property\b)`)
	lbBlockRb   = regexp.MustCompile(`(?i)^/\*\s*liquibase\s+rollback\b`)
)

// isLiquibaseFile reports whether a file's first line is the formatted SQL header.
func isLiquibaseFile(data []byte) bool {
	first, _, _ := strings.Cut(strings.TrimPrefix(string(data), "\xef\xbb\xbf"), "\n")
	return lbHeader.MatchString(strings.TrimSpace(first))
}

// liquibaseFiles returns the root .sql files that are Liquibase formatted SQL, in name order.
func liquibaseFiles(fsys fs.FS, entries []fs.DirEntry) []string {
	var out []string
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(path.Ext(e.Name()), ".sql") {
			continue
		}
		if data, err := fs.ReadFile(fsys, e.Name()); err == nil && isLiquibaseFile(data) {
			out = append(out, e.Name())
		}
	}
	return out
}

// lbItem is one changeset as an object change, for chaining changesets in changelog order.
type lbItem struct {
	ref        string // its depends entry: "migration.<file>/<author:id>" or "repeatable.<name>"
	obj        tandem.ObjectKey
	restricted bool // it may not apply everywhere (context, dbms, ignore)
	change     *tandem.Change
}

// isLiquibase reports whether the project root is a Liquibase project: it holds formatted SQL
// files or a master changelog.
func isLiquibase(fsys fs.FS, entries []fs.DirEntry) bool {
	return len(liquibaseFiles(fsys, entries)) > 0 || liquibaseMaster(fsys, entries) != ""
}

// liquibaseRoot returns the changelog files of a project without a master changelog: the .sql
// files at the root in name order. Other files and folders are warned about.
func (l *loader) liquibaseRoot(entries []fs.DirEntry) []string {
	var files []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
			if !quietDir(name) {
				l.warnf("%s: folder skipped: a Liquibase project without a master changelog is read from the formatted SQL files at its root", name)
			}
		case name == configFile || quietFile(name):
		case !strings.EqualFold(path.Ext(name), ".sql"):
			l.warnf("%s: skipped: not a .sql changelog", name)
		default:
			files = append(files, name)
		}
	}
	return files
}

// loadLiquibase reads a Liquibase project: the changelog files its master changelog includes,
// or else the .sql files at its root; and tandem.yaml for environments.
func (l *loader) loadLiquibase(entries []fs.DirEntry, hasConfig bool) {
	l.environmentsOnly(hasConfig, "Liquibase")
	var files []string
	if master := liquibaseMaster(l.fsys, entries); master != "" {
		files = l.masterFiles(master)
	} else {
		files = l.liquibaseRoot(entries)
	}
	var items []lbItem
	keys := map[string]string{} // object key name -> file
	repeatables := 0
	for _, name := range files {
		data, ok := l.read(name)
		if !ok {
			continue
		}
		if !isLiquibaseFile(data) {
			l.errs.addf(name, 1, "%w: not a formatted SQL changelog (its first line is not \"--liquibase formatted sql\"); add the header and changesets, or move the file out", ErrLiquibase)
			continue
		}
		key := lbName(name)
		if prev, ok := keys[key]; ok {
			l.errs.addf(name, 0, "%w: %s and %s make the same object name %s; rename one", ErrDuplicate, prev, name, key)
			continue
		}
		keys[key] = name
		sets := l.parseLiquibase(name, data)
		obj := &tandem.Object{Key: tandem.Key("", tandem.Migration, key), Name: key, File: name, Format: tandem.FormatLiquibase}
		for _, cs := range sets {
			it := lbItem{change: cs.change, restricted: cs.restricted}
			if cs.repeatable {
				repeatables++
				rname := fmt.Sprintf("%06d:%s:%s", repeatables, key, lbName(cs.change.Name))
				rkey := tandem.Key("", tandem.Repeatable, rname)
				cs.change.Object, cs.change.Name = rkey, rkey.Name
				l.project.Objects = append(l.project.Objects, &tandem.Object{Key: rkey, Name: rname, File: name, Format: tandem.FormatLiquibase, Changes: []*tandem.Change{cs.change}})
				it.obj, it.ref = rkey, "repeatable."+rkey.Name
			} else {
				cs.change.Object, cs.change.Seq = obj.Key, len(obj.Changes)
				obj.Changes = append(obj.Changes, cs.change)
				it.obj, it.ref = obj.Key, "migration."+obj.Key.Name+"/"+cs.change.Name
			}
			items = append(items, it)
		}
		if len(obj.Changes) > 0 {
			l.project.Objects = append(l.project.Objects, obj)
		}
	}
	chainLiquibase(items)
}

// chainLiquibase makes each changeset depend on the one before it and on the last one before it
// that applies everywhere, so that changesets deploy in changelog order whichever of them a
// context or dbms filter leaves out. Changes of one migration object are chained already.
func chainLiquibase(items []lbItem) {
	lastOpen := -1
	for i := range items {
		it := &items[i]
		var deps []string
		if i > 0 && items[i-1].obj != it.obj {
			deps = append(deps, items[i-1].ref)
		}
		if lastOpen >= 0 && lastOpen != i-1 && items[lastOpen].obj != it.obj {
			deps = append(deps, items[lastOpen].ref)
		}
		it.change.Attrs.DependsAdd = append(it.change.Attrs.DependsAdd, deps...)
		if !it.restricted {
			lastOpen = i
		}
	}
}

// lbName makes a name usable in an object key and a depends entry from a file name or
// changeset identity: dots and blanks become "_", slashes ":".
func lbName(s string) string {
	return strings.NewReplacer(".", "_", " ", "_", "/", ":", "\t", "_").Replace(s)
}

// lbChange is one parsed changeset.
type lbChange struct {
	change     *tandem.Change
	repeatable bool // runOnChange or runAlways
	restricted bool
}

// lbSet is a changeset being read.
type lbSet struct {
	c          *tandem.Change
	line       int // 0-based index of its --changeset line
	rollback   []string
	rbLine     int
	repeatable bool
	restricted bool
	split      bool
	delim      string
}

// parseLiquibase reads the changesets of one formatted SQL file.
func (l *loader) parseLiquibase(file string, data []byte) []lbChange {
	lines := fileLines(data)
	body := make([]string, len(lines)) // lines with the directives blanked, to keep line numbers
	copy(body, lines)
	body[0] = ""
	var sets []*lbSet
	seen := map[string]int{}
	var cur *lbSet
	inRb := false
	for i := 1; i < len(lines); i++ {
		s := strings.TrimSpace(lines[i])
		n := i + 1
		if inRb {
			body[i] = ""
			if before, ok := strings.CutSuffix(s, "*/"); ok {
				s, inRb = before, false
			}
			if s != "" && cur != nil {
				cur.rollback = append(cur.rollback, s)
				cur.rbLine = cmpOr(cur.rbLine, n)
			}
			continue
		}
		if m := lbChangeset.FindStringSubmatch(s); m != nil {
			body[i] = ""
			author, id := strings.Trim(m[1], `" `), strings.Trim(m[2], `"`)
			name := author + ":" + id
			if prev, ok := seen[strings.ToLower(name)]; ok {
				l.errs.addf(file, n, "%w changeset %s: line %d has the same author:id; give each changeset its own id", ErrDuplicate, name, prev)
			}
			seen[strings.ToLower(name)] = n
			cur = &lbSet{c: &tandem.Change{Name: name, File: file, Line: n}, line: i, split: true}
			l.lbAttrs(file, n, m[3], cur)
			sets = append(sets, cur)
			continue
		}
		if !strings.HasPrefix(s, "--") && !lbBlockRb.MatchString(s) {
			if cur == nil && s != "" && firstContent(lines, i, i+1) >= 0 {
				l.errs.addf(file, n, "%w: SQL before the first --changeset belongs to no changeset; start a changeset above it", ErrLiquibase)
				body[i] = ""
			}
			continue
		}
		if cur == nil {
			if lbChangesetLike(s) {
				l.errs.addf(file, n, "%w: %q is not a changeset line; write --changeset author:id", ErrLiquibase, s)
			}
			continue
		}
		switch m := lbRollback.FindStringSubmatch(s); {
		case lbBlockRb.MatchString(s):
			body[i] = ""
			rest := strings.TrimSpace(lbBlockRb.ReplaceAllString(s, ""))
			inRb = true
			if before, ok := strings.CutSuffix(rest, "*/"); ok {
				rest, inRb = strings.TrimSpace(before), false
			}
			cur.rollback = append(cur.rollback, "")
			if rest != "" {
				cur.rollback = append(cur.rollback, rest)
				cur.rbLine = cmpOr(cur.rbLine, n)
			}
		case m != nil:
			body[i] = ""
			if strings.EqualFold(strings.TrimSpace(m[1]), "not required") || strings.EqualFold(strings.TrimSpace(m[1]), "empty") {
				cur.rollback = append(cur.rollback, "")
				continue
			}
			cur.rollback = append(cur.rollback, m[1])
			cur.rbLine = cmpOr(cur.rbLine, n)
		case lbRefused.MatchString(s):
			body[i] = ""
			what := lbRefused.FindStringSubmatch(s)[1]
			l.errs.addf(file, n, "%w: --%s is not supported (tandem runs every changeset its environment and database select); remove it, or check the condition in the changeset's SQL", ErrLiquibase, what)
		case lbComment.MatchString(s):
			body[i] = ""
			setExtra(&cur.c.Attrs, "comment", lbComment.FindStringSubmatch(s)[1])
		case lbCheckSum.MatchString(s):
			body[i] = ""
			setExtra(&cur.c.Attrs, "validCheckSum", lbCheckSum.FindStringSubmatch(s)[1])
		}
	}
	out := make([]lbChange, 0, len(sets))
	for k, st := range sets {
		to := len(lines)
		if k+1 < len(sets) {
			to = sets[k+1].line
		}
		c := st.c
		c.SQL, c.SQLLine = section(body, st.line+1, to)
		if c.SQL == "" {
			l.errs.addf(file, c.Line, "changeset %s has %w; write its statements below the --changeset line", c.Name, ErrEmpty)
			continue
		}
		switch {
		case !st.split:
			c.SQL, c.SQLLine = "-- +goose StatementBegin\n"+c.SQL+"\n-- +goose StatementEnd", c.SQLLine-1
		case st.delim != "" && st.delim != ";":
			c.SQL, c.SQLLine = splitAtDelimiter(c.SQL, st.delim), c.SQLLine-1
		}
		if st.rollback != nil {
			c.HasRollback = true
			c.Rollback = strings.TrimSpace(strings.Join(st.rollback, "\n"))
			if c.Rollback != "" {
				c.RollbackLine = st.rbLine
			}
		}
		out = append(out, lbChange{change: c, repeatable: st.repeatable, restricted: st.restricted})
	}
	return out
}

// lbChangesetLike reports whether a comment looks like a misspelt changeset line.
func lbChangesetLike(s string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "--"))), "changeset")
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// splitAtDelimiter marks the statements of a body whose statements end with delim (Liquibase's
// endDelimiter) as goose StatementBegin/End blocks, which the statement splitter honours in every
// dialect. The first marker takes the line above the body (the --changeset line, or a blank
// one); a delimiter alone on its line becomes the end marker. Each further statement adds a line
// for its begin marker (two when its delimiter ends a line of SQL), so the lines of statements
// after the first that errors name may be off by that many.
func splitAtDelimiter(body, delim string) string {
	const begin, end = "-- +goose StatementBegin", "-- +goose StatementEnd"
	out := []string{begin}
	open, pending := true, false
	for _, ln := range strings.Split(body, "\n") {
		t := strings.TrimSpace(ln)
		if pending && t != "" {
			out, open, pending = append(out, begin), true, false
		}
		switch {
		case strings.EqualFold(t, delim):
			if open {
				out, open, pending = append(out, end), false, true
			} else {
				out = append(out, "")
			}
		case len(t) > len(delim) && strings.EqualFold(t[len(t)-len(delim):], delim) && open:
			code := strings.TrimRightFunc(ln, unicode.IsSpace)
			out = append(out, code[:len(code)-len(delim)], end)
			open, pending = false, true
		default:
			out = append(out, ln)
		}
	}
	if open {
		out = append(out, end)
	}
	return strings.Join(out, "\n")
}

// lbAttrs reads the attributes of a --changeset line.
func (l *loader) lbAttrs(file string, line int, rest string, cs *lbSet) {
	c := cs.c
	for _, tok := range quotedFields(rest) {
		k, v, ok := strings.Cut(tok, ":")
		if !ok {
			l.errs.addf(file, line, "%w: %q on the changeset line is not attribute:value", ErrBadAttribute, tok)
			continue
		}
		v = strings.Trim(v, `"`)
		b, isBool := map[string]bool{"true": true, "false": false}[strings.ToLower(v)]
		needBool := func() bool {
			if !isBool {
				l.errs.addf(file, line, "%w: %s:%s must be true or false", ErrBadAttribute, k, v)
			}
			return isBool
		}
		switch strings.ToLower(k) {
		case "runintransaction":
			if needBool() {
				c.Attrs.NoTransaction = !b
			}
		case "splitstatements":
			if needBool() {
				cs.split = b
			}
		case "enddelimiter":
			cs.delim = strings.TrimPrefix(v, `\n`)
		case "runonchange":
			if needBool() && b {
				cs.repeatable = true
			}
		case "runalways":
			if needBool() && b {
				cs.repeatable, c.Attrs.Always = true, true
			}
		case "context", "contextfilter", "contexts":
			l.lbContext(file, line, v, c, cs)
		case "dbms":
			l.lbDBMS(file, line, v, c, cs)
		case "ignore":
			if needBool() && b {
				c.Attrs.Inactive, cs.restricted = true, true
			}
		case "failonerror":
			if needBool() && !b {
				l.errs.addf(file, line, "%w: failOnError:false is not supported (a failed statement always stops the deploy); remove it, or make the SQL succeed where it may fail", ErrLiquibase)
			}
		case "runwith":
			if !strings.EqualFold(v, "jdbc") {
				l.errs.addf(file, line, "%w: runWith:%s is not supported; tandem runs changesets itself", ErrLiquibase, v)
			}
		case "rollbacksplitstatements", "rollbackenddelimiter":
			l.errs.addf(file, line, "%w: %s is not supported; write the rollback as statements ended by ;", ErrLiquibase, k)
		case "labels", "stripcomments", "logicalfilepath", "created", "onvalidationfail", "author":
			setExtra(&c.Attrs, k, v) // no effect on what runs: tandem has no label filter and never strips comments
		default:
			l.errs.addf(file, line, "%w %q on the changeset line (known: runInTransaction, splitStatements, endDelimiter, runOnChange, runAlways, context, dbms, labels, ignore, failOnError, runWith, stripComments, logicalFilePath, created)", ErrUnknownAttribute, k)
		}
	}
}

// lbContext reads a context filter: a comma-separated list of contexts, each a tandem
// environment name (a path.Match pattern), or a list of !name exclusions. Expressions with
// and/or/parentheses are refused.
func (l *loader) lbContext(file string, line int, v string, c *tandem.Change, cs *lbSet) {
	lower := " " + strings.ToLower(v) + " "
	if strings.ContainsAny(v, "()") || strings.Contains(lower, " and ") || strings.Contains(lower, " or ") {
		l.errs.addf(file, line, "%w: context expression %q is not supported; list environment names separated by commas (a, b), or exclusions (!a, !b)", ErrLiquibase, v)
		return
	}
	var inc, exc []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if x, ok := strings.CutPrefix(p, "!"); ok {
			exc = append(exc, strings.TrimSpace(x))
		} else if p != "" {
			inc = append(inc, p)
		}
	}
	if len(inc) > 0 && len(exc) > 0 {
		l.errs.addf(file, line, "%w: context %q mixes contexts and !exclusions; use one kind", ErrLiquibase, v)
		return
	}
	c.Attrs.IncludeEnvs, c.Attrs.ExcludeEnvs = inc, exc
	cs.restricted = cs.restricted || len(inc)+len(exc) > 0
}

// lbDialects maps Liquibase's database short names to tandem's dialects.
var lbDialects = map[string]string{"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}

// lbDBMS reads a dbms filter: names, or !names, of databases; "all" and "none" as in Liquibase.
// Databases tandem does not deploy to (oracle, mssql, h2, ...) are kept as written, so they
// match no environment.
func (l *loader) lbDBMS(file string, line int, v string, c *tandem.Change, cs *lbSet) {
	for _, p := range strings.Split(v, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimSpace(strings.TrimPrefix(p, "!"))
		if d, ok := lbDialects[p]; ok {
			p = d
		}
		switch {
		case p == "" || (p == "all" && !neg):
			continue
		case p == "none" || (p == "all" && neg):
			c.Attrs.Inactive = true
		case neg && !slices.Contains(c.Attrs.ExcludeDialects, p):
			c.Attrs.ExcludeDialects = append(c.Attrs.ExcludeDialects, p)
		case !neg && !slices.Contains(c.Attrs.IncludeDialects, p):
			c.Attrs.IncludeDialects = append(c.Attrs.IncludeDialects, p)
		}
		cs.restricted = true
	}
}

// quotedFields splits s at blanks outside double quotes.
func quotedFields(s string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			b.WriteRune(r)
		case (r == ' ' || r == '\t') && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}
