package project

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dumpProject renders a load's result as text, for golden files that show every field a test
// cares about.
func dumpProject(p *tandem.Project, err error) string {
	var b strings.Builder
	if err != nil {
		for _, e := range flattenErrors(err) {
			fmt.Fprintf(&b, "error: %s\n", e)
		}
		return b.String()
	}
	c := p.Config
	fmt.Fprintf(&b, "schemas: %s\n", strings.Join(c.Schemas, ", "))
	fmt.Fprintf(&b, "migrations: %s\n", strings.Join(c.MigrationDirs, ", "))
	for _, e := range c.Environments {
		fmt.Fprintf(&b, "environment %s url=%q", e.Name, e.URL)
		if len(e.SchemaMap) > 0 {
			fmt.Fprintf(&b, " schemas=%s", dumpMap(e.SchemaMap))
		}
		if len(e.Tokens) > 0 {
			fmt.Fprintf(&b, " tokens=%s", dumpMap(e.Tokens))
		}
		if e.AllowClean {
			b.WriteString(" allow_clean")
		}
		if e.HistorySchema != "" {
			fmt.Fprintf(&b, " history_schema=%s", e.HistorySchema)
		}
		if e.LockTimeout != "" {
			fmt.Fprintf(&b, " lock_timeout=%s", e.LockTimeout)
		}
		if e.OutOfOrder {
			b.WriteString(" out_of_order")
		}
		b.WriteString("\n")
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for _, cb := range p.Callbacks {
		fmt.Fprintf(&b, "callback %s %s:%d\n", cb.Event, cb.File, cb.Line)
		for _, ln := range strings.Split(cb.SQL, "\n") {
			fmt.Fprintf(&b, "    | %s\n", ln)
		}
	}
	for _, o := range p.Objects {
		fmt.Fprintf(&b, "\nobject %s format=%s file=%s name=%q schema=%q", o.Key, o.Format, o.File, o.Name, o.Schema)
		if o.Version != "" {
			fmt.Fprintf(&b, " version=%s", o.Version)
		}
		if a := dumpAttrs(o.Attrs); a != "" {
			fmt.Fprintf(&b, " attrs:%s", a)
		}
		b.WriteString("\n")
		if o.Data != nil {
			fmt.Fprintf(&b, "  columns: %s\n", strings.Join(o.Data.Columns, ", "))
			for _, r := range o.Data.Rows {
				vals := make([]string, len(r.Values))
				for i, v := range r.Values {
					if v == nil {
						vals[i] = "NULL"
					} else {
						vals[i] = fmt.Sprintf("%q", *v)
					}
				}
				fmt.Fprintf(&b, "  row %d: %s\n", r.Line, strings.Join(vals, ", "))
			}
		}
		for _, ch := range o.Changes {
			if ch.Object != o.Key || ch.File != o.File {
				fmt.Fprintf(&b, "  !! change object=%s file=%s\n", ch.Object, ch.File)
			}
			fmt.Fprintf(&b, "  change %q seq=%d line=%d sql=%d rollback=%d", ch.Name, ch.Seq, ch.Line, ch.SQLLine, ch.RollbackLine)
			if a := dumpAttrs(ch.Attrs); a != "" {
				fmt.Fprintf(&b, " attrs:%s", a)
			}
			b.WriteString("\n")
			for _, ln := range strings.Split(ch.SQL, "\n") {
				fmt.Fprintf(&b, "    | %s\n", ln)
			}
			if v := ch.Verify; v != nil {
				fmt.Fprintf(&b, "    verify %s:%d:\n", v.File, v.Line)
				for _, ln := range strings.Split(v.SQL, "\n") {
					fmt.Fprintf(&b, "    | %s\n", ln)
				}
			}
			if ch.Rollback != "" {
				b.WriteString("    rollback:\n")
				for _, ln := range strings.Split(ch.Rollback, "\n") {
					fmt.Fprintf(&b, "    | %s\n", ln)
				}
			}
		}
	}
	return b.String()
}

func dumpMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + m[k]
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func dumpAttrs(a tandem.Attrs) string {
	var b strings.Builder
	list := func(name string, l []string) {
		if l != nil {
			fmt.Fprintf(&b, " %s=[%s]", name, strings.Join(l, "|"))
		}
	}
	if a.DependsSet {
		list("depends", a.Depends)
	}
	list("depends+", a.DependsAdd)
	list("depends-", a.DependsExclude)
	list("envs", a.IncludeEnvs)
	list("exclude-envs", a.ExcludeEnvs)
	list("dialects", a.IncludeDialects)
	list("exclude-dialects", a.ExcludeDialects)
	if a.NoTransaction {
		b.WriteString(" transaction=off")
	}
	list("rebaseline", a.Rebaseline)
	if a.Inactive {
		b.WriteString(" inactive")
	}
	if a.Drop {
		b.WriteString(" drop")
	}
	list("key", a.Key)
	if a.Changeset != "" {
		b.WriteString(" changeset=" + a.Changeset)
	}
	if len(a.Extra) > 0 {
		fmt.Fprintf(&b, " extra=%s", dumpMap(a.Extra))
	}
	return b.String()
}

// flattenErrors returns the messages of a joined error, one per problem.
func flattenErrors(err error) []string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, flattenErrors(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

// checkGolden compares got with the file want, or rewrites it with -update.
func checkGolden(t *testing.T, want string, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(data), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", want, diff)
	}
}

// TestLoadGolden loads every project under testdata/load/<case>/project and compares the result
// (objects, warnings, or every error) with testdata/load/<case>/want.txt.
func TestLoadGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/load/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases in testdata/load")
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			fsys, err := fs.Sub(os.DirFS(dir), "project")
			if err != nil {
				t.Fatal(err)
			}
			p, err := Load(fsys, Options{})
			if err != nil {
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Errorf("error is not a *FileError: %v", err)
				}
			}
			checkGolden(t, filepath.Join(dir, "want.txt"), dumpProject(p, err))
		})
	}
}
