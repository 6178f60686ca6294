package tandem_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// module is tandem's module path; imports under it are "internal" to the rules below.
const module = "github.com/tandem-db/tandem"

// A layer is what one kind of package may import. Every package of the module (outside bench,
// examples and testdata) must belong to exactly one layer, so that a new package needs a
// decision here rather than escaping the rules.
type layer struct {
	name string
	// packages are the relative directories of the layer's packages; a trailing "/*" stands for
	// every package directly or indirectly under the prefix.
	packages []string
	// mayImport lists the module's packages the layer may import (same notation); the layer's
	// own packages are not implied.
	mayImport []string
	// thirdParty lists the import path prefixes outside the module and the standard library it
	// may import.
	thirdParty []string
	// noStd lists standard library packages it must not import, with the reason.
	noStd map[string]string
	// rule is the sentence of the README or ARCHITECTURE.md the layer holds.
	rule string
}

var (
	drivers   = []string{"github.com/jackc/pgx/v5", "github.com/go-sql-driver/mysql", "modernc.org/sqlite"}
	noIO      = map[string]string{"database/sql": "no database", "context": "no I/O", "net": "no network", "net/http": "no network", "os": "reads only an fs.FS", "os/exec": "no processes"}
	noCommand = map[string]string{"flag": "only cmd/tandem reads flags", "os/signal": "only cmd/tandem handles signals", "testing": "testing is for tests and conformance suites"}
	internals = []string{"internal/dburl", "internal/literal", "internal/progress", "internal/sqllex", "internal/syncbuf", "internal/textdiff"}
)

func union(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// layers is the package map's import rules. Keep it in step with README.md's "Where things
// are".
var layers = []layer{
	{name: "root", packages: []string{""}, rule: "the root imports the standard library only",
		noStd: noCommand},
	{name: "internal helpers", packages: []string{"internal/dburl", "internal/literal", "internal/sqllex", "internal/syncbuf", "internal/textdiff", "internal/progress"},
		thirdParty: []string{"github.com/mattn/go-isatty", "golang.org/x/sys"}, noStd: noCommand,
		rule: "internal helpers import the standard library and small terminal helpers only"},
	{name: "test helpers", packages: []string{"internal/testdb", "internal/ptytest"}, mayImport: []string{"internal/dburl"},
		thirdParty: append([]string{"golang.org/x/sys"}, drivers...),
		rule:       "test helpers open real databases with their drivers"},
	{name: "test fixtures", packages: []string{"move/internal/movetest"}, mayImport: []string{"", "internal/testdb", "move", "project", "dialect/*"},
		rule: "a package's shared test fixture opens real databases through the test database helper and the dialects"},
	{name: "pure", packages: []string{"plan", "project"}, mayImport: append([]string{""}, internals...),
		thirdParty: []string{"go.yaml.in/yaml/v3"}, noStd: union(noIO, noCommand),
		rule: "project and plan do no I/O beyond reading an fs.FS"},
	{name: "deploy engine", packages: []string{"deploy"}, mayImport: append([]string{"", "plan"}, internals...), noStd: noCommand,
		rule: "deploy imports the root, internal helpers and plan (a pure package); never a dialect, a driver, a store, project or another engine"},
	{name: "move engine", packages: []string{"move", "move/coord", "move/mirror", "move/metrics"}, mayImport: append([]string{"", "move", "move/*"}, internals...), noStd: noCommand,
		rule: "the move packages import the root, internal helpers and each other; never a dialect, a driver, a store or another engine"},
	{name: "move opener", packages: []string{"move/open"}, mayImport: append([]string{"", "project", "move", "move/*", "store/*"}, internals...),
		thirdParty: []string{"github.com/redis/go-redis/v9"}, noStd: noCommand,
		rule: "move/open puts a move together from a project: it imports the root, project, the move packages and the stores; never a dialect or a driver, which the program's opener supplies"},
	{name: "application client", packages: []string{"client"}, mayImport: append([]string{"", "move", "move/mirror"}, internals...), noStd: noCommand,
		rule: "client imports the root, the move engine and its write path; never the coordinator or the metrics exporter"},
	{name: "PostgreSQL dialect", packages: []string{"dialect/postgres"}, mayImport: append([]string{""}, internals...),
		thirdParty: []string{"github.com/jackc/pgx/v5"}, noStd: noCommand,
		rule: "a dialect imports the root, internal helpers and its own driver only (pgx, for COPY and error codes)"},
	{name: "MySQL dialect", packages: []string{"dialect/mysql"}, mayImport: append([]string{""}, internals...),
		thirdParty: []string{"github.com/go-sql-driver/mysql"}, noStd: noCommand,
		rule: "a dialect imports the root, internal helpers and its own driver only (for error codes)"},
	{name: "SQLite dialect", packages: []string{"dialect/sqlite"}, mayImport: append([]string{""}, internals...), noStd: noCommand,
		rule: "a dialect imports the root and internal helpers; the SQLite driver is chosen by the program"},
	{name: "stores", packages: []string{"store/redisstore", "store/sqlstore"}, mayImport: append([]string{""}, internals...),
		thirdParty: []string{"github.com/redis/go-redis/v9"}, noStd: noCommand,
		rule: "a store imports the root, internal helpers and its own client library only"},
	{name: "conformance suites", packages: []string{"dialect/dialecttest", "store/storetest"}, mayImport: []string{"", "internal/testdb"},
		thirdParty: []string{"github.com/google/go-cmp"},
		rule:       "a conformance suite imports the root and the test database helper"},
	{name: "command line", packages: []string{"cmd/tandem"}, mayImport: []string{"*"}, thirdParty: []string{"*"},
		rule: "cmd/tandem puts everything together: drivers, dialects, stores, flags, signals"},
}

// TestImportRules holds the import rules of every package of the module, so that they do not
// erode silently. It parses the sources itself (rather than asking go list) so that the test
// cache notices edits.
func TestImportRules(t *testing.T) {
	imports := sourceImports(t)
	for _, want := range []string{"", "deploy", "plan", "client", "dialect/postgres"} {
		if _, ok := imports[want]; !ok {
			t.Fatalf("found no package %q: the walk is broken (%d packages)", want, len(imports))
		}
	}
	for _, rel := range sortedKeys(imports) {
		ls := layersOf(rel)
		if len(ls) != 1 {
			t.Errorf("package %q belongs to %d layers (%v); give it exactly one in arch_test.go and a row in README.md's package map", rel, len(ls), names(ls))
			continue
		}
		l := ls[0]
		for _, imp := range imports[rel] {
			if msg := l.check(rel, imp); msg != "" {
				t.Errorf("%s imports %s: %s (%s)", display(rel), imp, msg, l.rule)
			}
		}
	}
}

// TestLayersCheck makes sure that check refuses what the rules forbid, so that TestImportRules
// cannot pass by accident.
func TestLayersCheck(t *testing.T) {
	for _, c := range []struct{ rel, imp string }{
		{"", module + "/plan"},
		{"", "github.com/google/go-cmp/cmp"},
		{"plan", "database/sql"},
		{"project", "os"},
		{"deploy", module + "/project"},
		{"deploy", module + "/dialect/postgres"},
		{"deploy", "github.com/jackc/pgx/v5"},
		{"move", module + "/deploy"},
		{"move", module + "/store/redisstore"},
		{"client", module + "/move/coord"},
		{"client", module + "/move/metrics"},
		{"client", "go.yaml.in/yaml/v3"},
		{"dialect/sqlite", "modernc.org/sqlite"},
		{"dialect/mysql", "github.com/jackc/pgx/v5"},
		{"store/sqlstore", "flag"},
		{"move", "testing"},
	} {
		ls := layersOf(c.rel)
		if len(ls) != 1 {
			t.Fatalf("package %q: %d layers", c.rel, len(ls))
		}
		if ls[0].check(c.rel, c.imp) == "" {
			t.Errorf("%s may import %s: the rules let through what they forbid", display(c.rel), c.imp)
		}
	}
	for _, c := range []struct{ rel, imp string }{
		{"deploy", module + "/plan"},
		{"project", "go.yaml.in/yaml/v3"},
		{"dialect/postgres", "github.com/jackc/pgx/v5/pgconn"},
		{"cmd/tandem", "modernc.org/sqlite"},
		{"client", module + "/move/mirror"},
	} {
		if msg := layersOf(c.rel)[0].check(c.rel, c.imp); msg != "" {
			t.Errorf("%s may not import %s (%s): the rules refuse what they allow", display(c.rel), c.imp, msg)
		}
	}
}

// TestPackageMap holds README.md's package map to the packages that exist: every package has a
// row, and every row names a package.
func TestPackageMap(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Where things are\n")
	if !ok {
		t.Fatal(`README.md has no "## Where things are" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	listed := map[string]bool{}
	row := regexp.MustCompile("(?m)^\\| ((?:`[^`]+`(?:, )?)+) \\|")
	name := regexp.MustCompile("`([^`]+)`")
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		for _, n := range name.FindAllStringSubmatch(m[1], -1) {
			p := n[1]
			if p == "tandem" || p == "tandem (root)" {
				p = ""
			}
			listed[p] = true
		}
	}
	imports := sourceImports(t)
	for _, rel := range sortedKeys(imports) {
		if !listed[rel] && !strings.HasPrefix(rel, "internal/") && !strings.Contains(rel, "/internal/") {
			t.Errorf("README.md's package map has no row for %s", display(rel))
		}
	}
	for p := range listed {
		if _, ok := imports[p]; !ok && p != "" && p != "internal" {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("README.md's package map lists %s, which does not exist", p)
			}
		}
	}
}

// check returns why rel (of layer l) may not import imp, or "".
func (l layer) check(rel, imp string) string {
	if strings.HasPrefix(imp, module+"/") || imp == module {
		if slices.Contains(l.mayImport, "*") {
			return ""
		}
		target := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
		if target == rel {
			return "a package importing itself"
		}
		if matchAny(target, l.mayImport) {
			return ""
		}
		return "not among the packages this layer may import"
	}
	if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
		if slices.Contains(l.thirdParty, "*") {
			return ""
		}
		for _, p := range l.thirdParty {
			if imp == p || strings.HasPrefix(imp, p+"/") {
				return ""
			}
		}
		return "a third-party package this layer may not import"
	}
	if why, ok := l.noStd[imp]; ok {
		return why
	}
	return ""
}

func layersOf(rel string) []layer {
	var out []layer
	for _, l := range layers {
		if matchAny(rel, l.packages) {
			out = append(out, l)
		}
	}
	return out
}

func matchAny(rel string, patterns []string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "/*"); ok {
			if strings.HasPrefix(rel, prefix+"/") {
				return true
			}
		} else if rel == p {
			return true
		}
	}
	return false
}

func names(ls []layer) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.name)
	}
	return out
}

func display(rel string) string {
	if rel == "" {
		return "the root package"
	}
	return rel
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sourceImports maps each package (its directory relative to the module root, "" for the root)
// that has non-test Go files to the imports of those files.
func sourceImports(t *testing.T) map[string][]string {
	t.Helper()
	imports := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bench" || d.Name() == "examples") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if dir == "." {
			dir = ""
		}
		if _, ok := imports[dir]; !ok {
			imports[dir] = nil
		}
		for _, imp := range f.Imports {
			imports[dir] = append(imports[dir], strings.Trim(imp.Path.Value, `"`))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return imports
}
