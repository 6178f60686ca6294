package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// write creates the files under dir, with their folders.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// symlink makes link (relative to dir) point to target, written as given.
func symlink(t *testing.T, dir, link, target string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(link))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.FromSlash(target), p); err != nil {
		t.Skipf("symbolic links unavailable here: %v", err)
	}
}

// A symbolic link inside the project that leads outside it is refused, naming the link and
// where it leads; however it gets there (an absolute target, a chain of "..", a link to a
// folder, a link through another link). Links that stay inside the project are followed, also
// to folders.
func TestLoadRefusesLinksOutOfTheProject(t *testing.T) {
	root := t.TempDir()
	outside := filepath.Join(root, "outside")
	write(t, outside, map[string]string{
		"secret.sql":      "create table secret (password text);",
		"view/leaked.sql": "create view leaked as select 1;",
	})
	proj := filepath.Join(root, "p")
	write(t, proj, map[string]string{
		"tandem.yaml":             "schemas: [app, lib]\n",
		"app/table/t.sql":         "create table t (id int);",
		"common/function/f.sql":   "create function f() returns int as $$ select 1 $$ language sql;",
		"common/table/shared.sql": "create table shared (id int);",
	})
	symlink(t, proj, "app/table/abs.sql", filepath.Join(outside, "secret.sql"))
	symlink(t, proj, "app/table/dots.sql", "../../../outside/secret.sql")
	symlink(t, proj, "app/table/wander.sql", "../../app/../../outside/secret.sql")
	symlink(t, proj, "app/view", "../../outside/view")
	symlink(t, proj, "out", "../outside")
	symlink(t, proj, "app/table/via.sql", "../../out/secret.sql")
	// inside the project: a file and a folder
	symlink(t, proj, "app/table/shared.sql", "../../common/table/shared.sql")
	symlink(t, proj, "lib", "common")

	p, err := Load(os.DirFS(proj), Options{})
	if err == nil {
		t.Fatalf("loaded through links out of the project: %s", keys(p))
	}
	abs := filepath.ToSlash(filepath.Join(outside, "secret.sql"))
	want := []string{
		"app/table/abs.sql: symbolic link app/table/abs.sql leads outside the project, to " + abs + "; tandem reads only files inside the project folder: copy the file into the project, or make the link point inside it",
		"app/table/dots.sql: symbolic link app/table/dots.sql leads outside the project, to ../outside/secret.sql; tandem reads only files inside the project folder: copy the file into the project, or make the link point inside it",
		"app/table/via.sql: symbolic link out leads outside the project, to ../outside; tandem reads only files inside the project folder: copy the file into the project, or make the link point inside it",
		"app/table/wander.sql: symbolic link app/table/wander.sql leads outside the project, to ../outside/secret.sql; tandem reads only files inside the project folder: copy the file into the project, or make the link point inside it",
		"app/view: symbolic link app/view leads outside the project, to ../outside/view; tandem reads only files inside the project folder: copy the file into the project, or make the link point inside it",
	}
	if diff := cmp.Diff(want, flattenErrors(err)); diff != "" {
		t.Fatalf("errors (-want +got):\n%s", diff)
	}
	var le *LinkError
	if !errors.As(err, &le) {
		t.Errorf("no *LinkError in %v", err)
	}
	if strings.Contains(err.Error(), "password") {
		t.Errorf("the error shows the content of a file outside the project:\n%v", err)
	}

	// Without the links that leave, the project loads, the links inside it followed.
	for _, l := range []string{"app/table/abs.sql", "app/table/dots.sql", "app/table/wander.sql", "app/view", "app/table/via.sql"} {
		if err := os.Remove(filepath.Join(proj, filepath.FromSlash(l))); err != nil {
			t.Fatal(err)
		}
	}
	p, err = Load(os.DirFS(proj), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"app.table.shared", "app.table.t", "lib.function.f", "lib.table.shared"}, keys(p)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
}

// In a project whose schemas are the root folders found, a root folder behind a link out of
// the project is refused, not skipped; so is a link in an Obevo project.
func TestLoadRefusesLinkedSchemaFolders(t *testing.T) {
	const msg = " leads outside the project, to ../outside; tandem reads only files inside the project folder: copy the file into the project, or make the link point inside it"
	root := t.TempDir()
	write(t, filepath.Join(root, "outside"), map[string]string{"table/t.sql": "create table t (id int);"})

	proj := filepath.Join(root, "p")
	write(t, proj, map[string]string{"app/table/a.sql": "create table a (id int);"})
	symlink(t, proj, "lib", "../outside")
	_, err := Load(os.DirFS(proj), Options{})
	if diff := cmp.Diff([]string{"lib: symbolic link lib" + msg}, flattenErrors(err)); diff != "" {
		t.Errorf("tandem project: errors (-want +got):\n%s", diff)
	}

	obevo := filepath.Join(root, "obevo")
	write(t, obevo, map[string]string{
		"system-config.xml": `<dbSystemConfig type="POSTGRESQL"><schemas><schema name="app"/></schemas></dbSystemConfig>`,
		"app/view/v.sql":    "CREATE VIEW v AS SELECT 1",
	})
	symlink(t, obevo, "app/table", "../../outside")
	_, err = Load(os.DirFS(obevo), Options{})
	if diff := cmp.Diff([]string{"app/table: symbolic link app/table leads outside the project, to ../outside; tandem reads only files inside the project folder: copy the file into the project, or make the link point inside it"}, flattenErrors(err)); diff != "" {
		t.Errorf("Obevo project: errors (-want +got):\n%s", diff)
	}
}
