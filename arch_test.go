package tandem_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportRules holds the import rules of ARCHITECTURE.md, so that they do not erode silently.
// It parses the sources itself (rather than asking go list) so that the test cache notices edits.
func TestImportRules(t *testing.T) {
	const mod = "github.com/tandem-db/tandem"
	drivers := []string{"github.com/jackc/pgx", "github.com/go-sql-driver/mysql", "modernc.org/sqlite"}
	imports := map[string][]string{} // package (relative dir) -> imports of its non-test files
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
		for _, imp := range f.Imports {
			imports[dir] = append(imports[dir], strings.Trim(imp.Path.Value, `"`))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports["deploy"]) == 0 || len(imports["plan"]) == 0 {
		t.Fatalf("found no imports for deploy or plan: the walk is broken (%d packages)", len(imports))
	}
	for rel, imps := range imports {
		for _, imp := range imps {
			internal := strings.HasPrefix(imp, mod)
			third := !internal && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".")
			switch {
			case rel == "" && (internal || third):
				t.Errorf("the root package imports %s; it may import the standard library only", imp)
			case (rel == "plan" || rel == "project") && (imp == "database/sql" || imp == "context" || imp == "net" || imp == "net/http" || imp == "os"):
				t.Errorf("%s imports %s; it must do no I/O beyond reading an fs.FS", rel, imp)
			case (rel == "plan" || rel == "project" || rel == "deploy") && strings.HasPrefix(imp, mod+"/dialect"):
				t.Errorf("%s imports %s; engines never import a dialect", rel, imp)
			case rel == "plan" && imp == mod+"/deploy", rel == "deploy" && imp == mod+"/project":
				t.Errorf("%s imports %s; engines do not import each other", rel, imp)
			case rel != "cmd/tandem" && rel != "internal/testdb" && hasPrefixAny(imp, drivers) && !(rel == "dialect/mysql" && imp == "github.com/go-sql-driver/mysql") && !(rel == "dialect/postgres" && strings.HasPrefix(imp, "github.com/jackc/pgx/v5")):
				t.Errorf("%s imports the driver %s; only cmd/tandem and tests import drivers", rel, imp)
			case !strings.HasPrefix(rel, "cmd/") && rel != "internal/testdb" && (imp == "flag" || imp == "os/signal"):
				t.Errorf("%s imports %s; only cmd/tandem reads flags and signals", rel, imp)
			case !strings.HasPrefix(rel, "cmd/") && rel != "internal/testdb" && rel != "dialect/dialecttest" && rel != "store/storetest" && rel != "move/internal/movetest" && imp == "testing":
				t.Errorf("%s imports testing outside tests", rel)
			}
		}
	}
}

func hasPrefixAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
