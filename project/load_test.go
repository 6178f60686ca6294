package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, text := range files {
		m[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return m
}

func keys(p *tandem.Project) []string {
	var out []string
	for _, o := range p.Objects {
		out = append(out, o.Key.String())
	}
	return out
}

func TestLoadLayouts(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		keys       []string
		migrations []string
		warnings   []string
	}{
		{name: "empty folder", files: map[string]string{}},
		{name: "bare golang-migrate folder", files: map[string]string{
			"README.md": "x", "2_b.up.sql": "select 2;", "1_a.up.sql": "select 1;", "1_a.down.sql": "select 0;",
		}, keys: []string{"versioned.1", "versioned.2"}, migrations: []string{"."}},
		{name: "bare folder with a subfolder", files: map[string]string{
			"V1__a.sql": "select 1;", "old/V0__b.sql": "select 0;",
		}, keys: []string{"versioned.1"}, migrations: []string{"."}, warnings: []string{"old: folder skipped: a migration folder is read without its subfolders"}},
		{name: "root migrations listed in tandem.yaml", files: map[string]string{
			"tandem.yaml": "migrations: [.]\n", "1_a.up.sql": "select 1;", "app/table/t.sql": "create table t (id int);",
		}, keys: []string{"app.table.t", "versioned.1"}, migrations: []string{"."}},
		{name: "schema folders win over root migrations", files: map[string]string{
			"1_a.up.sql": "select 1;", "app/view/v.sql": "create view v as select 1;",
		}, keys: []string{"app.view.v"}, warnings: []string{"1_a.up.sql: skipped: files at the project root are not read; put objects in <schema>/<type>/ folders"}},
		{name: "nested migration folder", files: map[string]string{
			"tandem.yaml": "migrations: [db/sql]\n", "db/sql/V1__a.sql": "select 1;", "db/sql/R__b.sql": "select 2;",
		}, keys: []string{"versioned.1", "repeatable.b"}, migrations: []string{"db/sql"}},
		{name: "versions sort numerically across folders", files: map[string]string{
			"tandem.yaml": "migrations: [b, a]\n", "a/10_x.up.sql": "x", "a/9_y.up.sql": "y", "b/V9.5__z.sql": "z", "b/R__r.sql": "r",
		}, keys: []string{"versioned.9", "versioned.9.5", "versioned.10", "repeatable.r"}, migrations: []string{"b", "a"}},
		{name: "same object in different environments", files: map[string]string{
			"app/staticdata/c.csv":         "a\n1\n",
			"app/staticdata/c.test.csv":    "# tandem:object envs=test*\na\n2\n",
			"app/staticdata/c.sqlite.csv":  "# tandem:object dialects=sqlite\na\n3\n",
			"app/table/t.sql":              "-- tandem:object exclude-envs=prod\ncreate table t (id int);",
			"app/table/t.prod.sql":         "-- tandem:object envs=prod\ncreate table t (id bigint);",
			"app/staticdata/notes.md":      "fine",
			"app/staticdata/.c.csv.swp":    "fine",
			"app/table/tandem.db":          "x",
			"app/function/f.sql":           "create function f() returns int as $$ select 1 $$ language sql;",
			"app/function/nameless.sql.gz": "x",
		}, keys: []string{"app.function.f", "app.staticdata.c", "app.staticdata.c", "app.staticdata.c", "app.table.t", "app.table.t"},
			warnings: []string{"app/function/nameless.sql.gz: skipped: not an object file (.sql, .ddl, .spc, .fnc, .prc or .trg)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Load(mapFS(tc.files), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.keys, keys(p)); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.migrations, p.Config.MigrationDirs); diff != "" {
				t.Errorf("migration folders (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.warnings, p.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]tandem.Environment{{Name: "default"}}, p.Config.Environments); diff != "" {
				t.Errorf("environments (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadErrorKinds checks that each kind of problem can be told apart with errors.Is, and that
// every problem of a load is returned as a *FileError.
func TestLoadErrorKinds(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		is    error
		msg   string
	}{
		{"unknown attribute", map[string]string{"s/table/users.sql": "-- tandem:change a\nselect 1;\n-- tandem:change b depnds=x\nselect 2;\n"}, ErrUnknownAttribute,
			`s/table/users.sql:3: unknown attribute "depnds" (known: depends, depends+, depends-, envs, exclude-envs, dialects, exclude-dialects, transaction, rebaseline, inactive, drop, key, changeset)`},
		{"bad attribute", map[string]string{"s/table/t.sql": "-- tandem:change a transaction=no\nselect 1;\n"}, ErrBadAttribute,
			"s/table/t.sql:1: bad attribute: transaction=no; write transaction=off or transaction=on"},
		{"unknown directive", map[string]string{"s/view/v.sql": "-- tandem:objet envs=a\ncreate view v as select 1;\n"}, ErrUnknownDirective,
			`s/view/v.sql:1: unknown directive "objet" after "tandem:" (known: object, change, rollback)`},
		{"marker in a view", map[string]string{"s/view/v.sql": "create view v as select 1;\n-- tandem:change x\n"}, ErrMarker,
			"s/view/v.sql:2: misplaced marker: views are redeployed whole; remove the marker"},
		{"marker in a type", map[string]string{"s/usertype/t.sql": "-- tandem:change x\ncreate type t as enum ('a');\n"}, ErrMarker,
			"s/usertype/t.sql:1: misplaced marker: types are redeployed whole; remove the marker"},
		{"marker in static data sql", map[string]string{"s/data/d.sql": "-- tandem:rollback\ninsert into d values (1);\n"}, ErrMarker,
			"s/data/d.sql:1: misplaced marker: static data files are redeployed whole and roll back to their previous definition; remove the marker"},
		{"duplicate change", map[string]string{"s/sequence/q.sql": "-- tandem:change a\nselect 1;\n\n-- tandem:change A\nselect 2;\n"}, ErrDuplicate,
			`s/sequence/q.sql:4: duplicate change "A" (first at line 1); give every change of a file its own name`},
		{"duplicate object", map[string]string{"s/table/t.sql": "select 1;", "s/table/T.ddl": "select 1;"}, ErrDuplicate,
			`s/table/t.sql: duplicate object s.table.t: s/table/T.ddl defines it too; keep one file, or restrict each to its own environments or dialects with "-- tandem:object envs=..."`},
		{"empty change", map[string]string{"s/table/t.sql": "-- tandem:change a\n-- just a comment\n\n-- tandem:change b\nselect 1;\n"}, ErrEmpty,
			`s/table/t.sql:1: change "a" has no SQL; write its statements below the marker`},
		{"down without up", map[string]string{"1_a.up.sql": "x", "2_b.down.sql": "x"}, ErrMigrationName,
			"2_b.down.sql: bad migration file: no up file for version 2; add it or delete this file"},
		{"mixed schemes", map[string]string{"1_a.up.sql": "x", "V2__b.sql": "x"}, ErrMigrationName,
			"V2__b.sql: bad migration file: a flyway file in a folder of golang-migrate migrations (first: 1_a.up.sql); use one naming scheme per folder"},
		{"duplicate version", map[string]string{"1_a.up.sql": "x", "01_b.up.sql": "x"}, ErrDuplicate,
			"1_a.up.sql: duplicate version 1: 01_b.up.sql has the same version; give each migration its own version"},
		{"config", map[string]string{"tandem.yaml": "environments:\n  dev:\n    urll: x\n"}, ErrConfig,
			`tandem.yaml:3: bad configuration: unknown key "urll" in environment dev (known: url, schemas, tokens, allow_clean, history_schema, lock_timeout, out_of_order)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(mapFS(tc.files), Options{})
			if !errors.Is(err, tc.is) {
				t.Fatalf("error %v is not %v", err, tc.is)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v holds no *FileError", err)
			}
			if got := flattenErrors(err); len(got) != 1 || got[0] != tc.msg {
				t.Errorf("errors = %q; want [%q]", got, tc.msg)
			}
		})
	}
}

// TestLoadCollectsAllErrors checks that problems in several files come back together, sorted by
// file and line.
func TestLoadCollectsAllErrors(t *testing.T) {
	_, err := Load(mapFS(map[string]string{
		"tandem.yaml":        "environments:\n  dev:\n    bogus: 1\n",
		"b/table/t.sql":      "-- tandem:change x\nselect 1;\n-- tandem:chnage y\n-- tandem:change x\nselect 2;\n",
		"a/view/v.sql":       "",
		"migrations/1_x.sql": "select 1;\n",
	}), Options{})
	want := []string{
		"a/view/v.sql:1: the file has no SQL; write the object's definition",
		`b/table/t.sql:3: unknown directive "chnage" after "tandem:" (known: object, change, rollback)`,
		`b/table/t.sql:4: duplicate change "x" (first at line 1); give every change of a file its own name`,
		`migrations/1_x.sql:1: misplaced marker: no "-- +goose Up" annotation; goose migrations start with it`,
		`tandem.yaml:3: bad configuration: unknown key "bogus" in environment dev (known: url, schemas, tokens, allow_clean, history_schema, lock_timeout, out_of_order)`,
	}
	if diff := cmp.Diff(want, flattenErrors(err)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// failFS fails to read one file, to check that read errors name the file.
type failFS struct {
	fstest.MapFS
	bad string
}

func (f failFS) Open(name string) (fs.File, error) {
	if name == f.bad {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.Open(name)
}

func (f failFS) ReadFile(name string) ([]byte, error) {
	if name == f.bad {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.ReadFile(name)
}

func TestLoadReadError(t *testing.T) {
	fsys := failFS{MapFS: mapFS(map[string]string{"s/table/t.sql": "select 1;", "s/table/u.sql": "select 1;"}), bad: "s/table/u.sql"}
	_, err := Load(fsys, Options{})
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != "s/table/u.sql" || !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("error = %v; want a *FileError for s/table/u.sql wrapping fs.ErrPermission", err)
	}
	if got, want := err.Error(), "s/table/u.sql: read: open s/table/u.sql: permission denied"; got != want {
		t.Errorf("error = %q; want %q", got, want)
	}
}

func TestFileError(t *testing.T) {
	inner := errors.New("boom")
	tests := []struct {
		err  *FileError
		want string
	}{
		{&FileError{File: "a/b.sql", Line: 12, Err: inner}, "a/b.sql:12: boom"},
		{&FileError{File: "a/b.sql", Err: inner}, "a/b.sql: boom"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q; want %q", got, tc.want)
		}
		if !errors.Is(tc.err, inner) {
			t.Errorf("%v does not unwrap to its cause", tc.err)
		}
	}
}

func TestObevoConfigFile(t *testing.T) {
	tests := []struct {
		files  []string
		want   string
		others []string
	}{
		{[]string{"a.xml", "system-config.xml"}, "system-config.xml", nil},
		{[]string{"system-config-inmem.xml", "system-config.xml"}, "system-config.xml", []string{"system-config-inmem.xml"}},
		{[]string{"system-config-b.xml", "system-config-a.xml"}, "system-config-a.xml", []string{"system-config-b.xml"}},
		{[]string{"tandem.yaml", "system-config.txt"}, "", nil},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.files, ","), func(t *testing.T) {
			m := fstest.MapFS{}
			for _, f := range tc.files {
				m[f] = &fstest.MapFile{}
			}
			entries, err := fs.ReadDir(m, ".")
			if err != nil {
				t.Fatal(err)
			}
			got, others := obevoConfigFile(entries)
			if got != tc.want || !cmp.Equal(others, tc.others) {
				t.Errorf("obevoConfigFile = %q, %q; want %q, %q", got, others, tc.want, tc.others)
			}
		})
	}
}

// corpus returns a folder of /work/shared/corpora, or skips when this checkout has none.
func corpus(t *testing.T, rel string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "corpora", rel)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus %s not present (%v)", rel, err)
	}
	return dir
}

func TestLoadObevoCorpus(t *testing.T) {
	dir := corpus(t, "obevo/postgresql/step1")
	p, err := Load(os.DirFS(dir), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Objects) == 0 {
		t.Fatal("no objects")
	}
	for _, o := range p.Objects {
		if o.Format != tandem.FormatObevo && o.Format != tandem.FormatCSV {
			t.Errorf("%s: format %s; want obevo", o.File, o.Format)
		}
	}
	if len(p.Config.Environments) == 0 {
		t.Error("no environments")
	}
}

func TestLoadAuthelia(t *testing.T) {
	for _, engine := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(engine, func(t *testing.T) {
			dir := corpus(t, filepath.Join("authelia", engine))
			p, err := Load(os.DirFS(dir), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Objects) != 26 || len(p.Warnings) != 0 {
				t.Fatalf("%d objects, warnings %q; want 26 and none", len(p.Objects), p.Warnings)
			}
			if diff := cmp.Diff([]string{"."}, p.Config.MigrationDirs); diff != "" {
				t.Errorf("migration folders (-want +got):\n%s", diff)
			}
			for i, o := range p.Objects {
				version := fmt.Sprintf("%04d", i+1)
				up := fmt.Sprintf("V%s.%s.up.sql", version, o.Name)
				if o.Key != tandem.Key("", tandem.Versioned, fmt.Sprint(i+1)) || o.Version != version || o.File != up || o.Format != tandem.FormatPlain {
					t.Errorf("object %d: key %s version %s file %s format %s", i, o.Key, o.Version, o.File, o.Format)
				}
				if len(o.Changes) != 1 {
					t.Fatalf("%s: %d changes", o.File, len(o.Changes))
				}
				c := o.Changes[0]
				wantUp, err := os.ReadFile(filepath.Join(dir, up))
				if err != nil {
					t.Fatal(err)
				}
				wantDown, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(up, ".up.sql")+".down.sql"))
				if err != nil {
					t.Fatal(err)
				}
				wantRollbackLine := 1
				if strings.TrimSpace(string(wantDown)) == "" {
					wantRollbackLine = 0 // some down files are empty
				}
				if c.Name != fmt.Sprint(i+1) || c.File != up || c.Line != 1 || c.SQLLine != 1 || c.RollbackLine != wantRollbackLine {
					t.Errorf("%s: change %s file %s line %d sql line %d rollback line %d", o.File, c.Name, c.File, c.Line, c.SQLLine, c.RollbackLine)
				}
				if c.SQL != strings.TrimSpace(string(wantUp)) {
					t.Errorf("%s: SQL differs from the file", o.File)
				}
				if c.Rollback != strings.TrimSpace(string(wantDown)) {
					t.Errorf("%s: rollback differs from the down file", o.File)
				}
			}
			if p.Objects[0].Name != "Initial_Schema" || p.Objects[25].Name != "StorageAADRowScoped" {
				t.Errorf("names %q ... %q", p.Objects[0].Name, p.Objects[25].Name)
			}
		})
	}
}

func TestScaffold(t *testing.T) {
	m := fstest.MapFS{}
	var names []string
	err := Scaffold(func(name string, data []byte) error {
		names = append(names, name)
		m[name] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"tandem.yaml", "app/table/countries.sql", "app/table/users.sql", "app/view/active_users.sql", "app/staticdata/countries.csv"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	p, err := Load(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings: %q", p.Warnings)
	}
	want := []string{"app.staticdata.countries", "app.table.countries", "app.table.users", "app.view.active_users"}
	if diff := cmp.Diff(want, keys(p)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]tandem.Environment{{Name: "default"}}, p.Config.Environments); diff != "" {
		t.Errorf("environments (-want +got):\n%s", diff)
	}
	users := p.Object(tandem.Key("app", tandem.Table, "users"))
	if len(users.Changes) != 2 || users.Changes[1].Rollback != "alter table users drop column name;" {
		t.Errorf("users changes: %+v", users.Changes)
	}
	if d := p.Object(tandem.Key("app", tandem.StaticData, "countries")).Data; d == nil || len(d.Rows) != 3 {
		t.Errorf("countries data: %+v", d)
	}

	boom := errors.New("disk full")
	err = Scaffold(func(string, []byte) error { return boom })
	if !errors.Is(err, boom) || err.Error() != "scaffold tandem.yaml: disk full" {
		t.Errorf("error = %v", err)
	}
}
