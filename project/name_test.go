package project

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A file whose name is not valid UTF-8 (io/fs paths are UTF-8; os.DirFS says only "invalid
// argument") is named, escaped, with what to do; the rest of the project is read as usual.
func TestLoadNamesFileWithInvalidName(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"tandem.yaml":     "schemas: [app]\n",
		"app/table/a.sql": "create table a (id int);",
		"app/view/v.sql":  "create view v as select 1;",
	})
	if err := os.WriteFile(filepath.Join(dir, "app", "table", "b\xff.sql"), []byte("create table b (id int);"), 0o644); err != nil {
		t.Skipf("this file system refuses a name that is not UTF-8: %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "app", "sequence\xfe"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, map[string]string{"migrations/00001_a.up.sql": "select 1;", "migrations/00\xfe2_b.up.sql": "select 2;"})
	_, err := Load(os.DirFS(dir), Options{})
	want := []string{
		`app/table: file name "b\xff.sql" is not valid UTF-8; rename it (tandem reads file and folder names as UTF-8)`,
		`migrations: file name "00\xfe2_b.up.sql" is not valid UTF-8; rename it (tandem reads file and folder names as UTF-8)`,
	}
	if diff := cmp.Diff(want, flattenErrors(err)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
