package project

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

// migrationSummary is one loaded migration as the tests compare it.
type migrationSummary struct {
	Key, Version, File, Rollback string
	Format                       tandem.Format
	NoTx                         bool
	Include, Exclude             []string
}

func summarize(p *tandem.Project) []migrationSummary {
	var out []migrationSummary
	for _, o := range p.Objects {
		c := o.Changes[0]
		out = append(out, migrationSummary{
			Key: o.Key.String(), Version: o.Version, File: o.File, Rollback: c.RollbackFile, Format: o.Format,
			NoTx: c.Attrs.NoTransaction, Include: o.Attrs.IncludeDialects, Exclude: o.Attrs.ExcludeDialects,
		})
	}
	return out
}

func loadDir(t *testing.T, dir string) *tandem.Project {
	t.Helper()
	p, err := Load(os.DirFS(dir), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadPopx(t *testing.T) {
	p := loadDir(t, "testdata/layouts/popx")
	const dir = "20210202000000_sessions."
	want := []migrationSummary{
		{Key: "versioned.20210101000000", Version: "20210101000000", File: "20210101000000_accounts.up.sql", Rollback: "20210101000000_accounts.down.sql", Format: tandem.FormatPopx},
		{Key: "versioned.20210202000000", Version: "20210202000000", File: dir + "cockroach.up.sql", Rollback: dir + "down.sql", Format: tandem.FormatPopx, Include: []string{"cockroach"}},
		{Key: "versioned.20210202000000", Version: "20210202000000", File: dir + "mysql.up.sql", Rollback: dir + "down.sql", Format: tandem.FormatPopx, Include: []string{"mysql"}},
		{Key: "versioned.20210202000000", Version: "20210202000000", File: dir + "postgres.up.sql", Rollback: dir + "down.sql", Format: tandem.FormatPopx, Include: []string{"postgres"}},
		{Key: "versioned.20210202000000", Version: "20210202000000", File: dir + "sqlite3.up.sql", Rollback: dir + "down.sql", Format: tandem.FormatPopx, Include: []string{"sqlite"}},
		{Key: "versioned.20210202000000", Version: "20210202000000", File: dir + "up.sql", Rollback: dir + "down.sql", Format: tandem.FormatPopx, Exclude: []string{"cockroach", "mysql", "postgres", "sqlite"}},
		{Key: "versioned.20210303000000", Version: "20210303000000", File: "20210303000000_sessions_index.postgres.autocommit.up.sql", Format: tandem.FormatPopx, NoTx: true, Include: []string{"postgres"}},
		{Key: "versioned.20210303000000", Version: "20210303000000", File: "20210303000000_sessions_index.up.sql", Format: tandem.FormatPopx, Exclude: []string{"postgres"}},
		{Key: "versioned.20210404000000", Version: "20210404000000", File: "20210404000000_mysql_charset.mysql.up.sql", Format: tandem.FormatPopx, Include: []string{"mysql"}},
	}
	if diff := cmp.Diff(want, summarize(p)); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
	wantWarn := []string{"20210404000000_mysql_charset.mysql.up.sql: version 20210404000000 has files only for mysql and none without a dialect: skipped on other databases"}
	if diff := cmp.Diff(wantWarn, p.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	// exactly one variant of each version applies to each database
	for _, dialect := range []string{"postgres", "mysql", "sqlite", "oracle"} {
		files := map[string]string{}
		for _, o := range p.Objects {
			if o.Attrs.Applies("default", dialect) {
				if prev, ok := files[o.Key.Name]; ok {
					t.Errorf("%s: %s and %s both apply", dialect, prev, o.File)
				}
				files[o.Key.Name] = o.File
			}
		}
		want := map[string]string{
			"20210101000000": "20210101000000_accounts.up.sql",
			"20210202000000": dir + map[string]string{"postgres": "postgres.", "mysql": "mysql.", "sqlite": "sqlite3.", "oracle": ""}[dialect] + "up.sql",
			"20210303000000": map[string]string{"postgres": "20210303000000_sessions_index.postgres.autocommit.up.sql"}[dialect],
		}
		if want["20210303000000"] == "" {
			want["20210303000000"] = "20210303000000_sessions_index.up.sql"
		}
		if dialect == "mysql" {
			want["20210404000000"] = "20210404000000_mysql_charset.mysql.up.sql"
		}
		if diff := cmp.Diff(want, files); diff != "" {
			t.Errorf("%s: files that apply (-want +got):\n%s", dialect, diff)
		}
	}
}

func TestLoadPopxErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		is    error
		msg   string
	}{
		{"two files for one database", map[string]string{"1_a.sqlite.up.sql": "x", "1_a.sqlite3.up.sql": "y"}, ErrDuplicate,
			"1_a.sqlite3.up.sql: duplicate version 1: 1_a.sqlite.up.sql is the sqlite file of the same version too; keep one file per database"},
		{"autocommit before the dialect", map[string]string{"1_a.autocommit.mysql.up.sql": "x", "2_b.up.sql": "y"}, ErrMigrationName,
			"1_a.autocommit.mysql.up.sql: bad migration file: the name fits no migration naming scheme (" + migrationSchemes + "); rename it or move it out of the project folder"},
		{"a down file of one database without any up file", map[string]string{"1_a.up.sql": "x", "2_b.mysql.down.sql": "y"}, ErrMigrationName,
			"2_b.mysql.down.sql: bad migration file: no up file for version 2 on mysql (nor one without a dialect); add it or delete this file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(mapFS(tc.files), Options{})
			if !errors.Is(err, tc.is) || err.Error() != tc.msg {
				t.Fatalf("got %v; want %q (%v)", err, tc.msg, tc.is)
			}
		})
	}
}

func TestLoadDiesel(t *testing.T) {
	p := loadDir(t, "testdata/layouts/diesel")
	want := []migrationSummary{
		{Key: "versioned.0", Version: "00000000000000", File: "00000000000000_diesel_initial_setup/up.sql", Rollback: "00000000000000_diesel_initial_setup/down.sql", Format: tandem.FormatDiesel},
		{Key: "versioned.20190226002946", Version: "20190226002946", File: "2019-02-26-002946_create_posts/up.sql", Rollback: "2019-02-26-002946_create_posts/down.sql", Format: tandem.FormatDiesel},
		{Key: "versioned.20200105101500", Version: "20200105101500", File: "2020-01-05-101500_index_posts/up.sql", Rollback: "2020-01-05-101500_index_posts/down.sql", Format: tandem.FormatDiesel, NoTx: true},
	}
	if diff := cmp.Diff(want, summarize(p)); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
	if len(p.Warnings) > 0 {
		t.Errorf("warnings: %q", p.Warnings)
	}
	if got := p.Objects[1].Changes[0].SQL; !strings.HasPrefix(got, "CREATE TABLE posts (") {
		t.Errorf("SQL of create_posts: %q", got)
	}

	// in a project's migrations/ folder, beside diesel.toml, and sorted by time with an undashed version
	files := map[string]string{
		"diesel.toml":                             "[print_schema]\nfile = \"src/schema.rs\"\n",
		"migrations/2019-02-26-002946_a/up.sql":   "select 1;",
		"migrations/20190101000000_b/up.sql":      "select 2;",
		"migrations/2019-03-01-000000_c/up.sql":   "select 3;",
		"migrations/2019-03-01-000000_c/notes.sh": "x",
	}
	p, err := Load(mapFS(files), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"versioned.20190101000000", "versioned.20190226002946", "versioned.20190301000000"}, keys(p)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"migrations/2019-03-01-000000_c/notes.sh: skipped: a Diesel migration is its up.sql, down.sql and metadata.toml"}, p.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	_, err = Load(mapFS(map[string]string{"1_a/up.sql": "x", "1_a/metadata.toml": "run_in_transaction = no\n"}), Options{})
	if !errors.Is(err, ErrConfig) || err.Error() != "1_a/metadata.toml:1: bad configuration: run_in_transaction = no; write true or false" {
		t.Errorf("bad metadata.toml: %v", err)
	}
}

func TestLoadDbmate(t *testing.T) {
	p := loadDir(t, "testdata/layouts/dbmate")
	var got []string
	for _, o := range p.Objects {
		c := o.Changes[0]
		got = append(got, strings.Join([]string{o.Key.String(), string(o.Format), c.SQL, c.Rollback}, " | "))
		if c.Attrs.NoTransaction != strings.Contains(o.File, "index") {
			t.Errorf("%s: NoTransaction = %v", o.File, c.Attrs.NoTransaction)
		}
	}
	want := []string{
		"versioned.20230101120000 | dbmate | CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  name VARCHAR(100) NOT NULL\n); | DROP TABLE users;",
		"versioned.20230102120000 | dbmate | CREATE INDEX users_name_idx ON users (name); | DROP INDEX users_name_idx;",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
	if p.Objects[0].Changes[0].SQLLine != 2 || p.Objects[0].Changes[0].RollbackLine != 8 {
		t.Errorf("lines: SQL %d, rollback %d; want 2, 8", p.Objects[0].Changes[0].SQLLine, p.Objects[0].Changes[0].RollbackLine)
	}

	tests := []struct{ name, text, msg string }{
		{"SQL before up", "select 0;\n-- migrate:up\nselect 1;\n", "1_a.sql:1: misplaced marker: SQL before \"-- migrate:up\" belongs to no block; move it below the line"},
		{"unknown option", "-- migrate:up transaction:maybe\nselect 1;\n", "1_a.sql:1: misplaced marker: unknown dbmate option \"transaction:maybe\" (known: transaction:false, transaction:true)"},
		{"down only without transaction", "-- migrate:up\nselect 1;\n-- migrate:down transaction:false\nselect 2;\n",
			"1_a.sql:3: bad attribute: \"transaction:false\" on the down block only; tandem runs a migration and its rollback the same way, so put it on the up line too or remove it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(mapFS(map[string]string{"1_a.sql": tc.text}), Options{})
			if err == nil || err.Error() != tc.msg {
				t.Fatalf("got %v; want %s", err, tc.msg)
			}
		})
	}
}

func TestLoadAtlas(t *testing.T) {
	p := loadDir(t, "testdata/layouts/atlas")
	want := []migrationSummary{
		{Key: "versioned.20240101000000", Version: "20240101000000", File: "20240101000000_create_teams.sql", Format: tandem.FormatAtlas},
		{Key: "versioned.20240102000000", Version: "20240102000000", File: "20240102000000_index_teams.sql", Format: tandem.FormatAtlas, NoTx: true},
	}
	if diff := cmp.Diff(want, summarize(p)); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
	if len(p.Warnings) > 0 {
		t.Errorf("warnings: %q", p.Warnings)
	}
}

// TestAtlasHashes checks the checksum against the fixture's atlas.sum, which was written by an
// independent computation of Atlas's algorithm (a running SHA-256 over name and content).
func TestAtlasHashes(t *testing.T) {
	sum, err := os.ReadFile("testdata/layouts/atlas/atlas.sum")
	if err != nil {
		t.Fatal(err)
	}
	var files []atlasFile
	for _, n := range []string{"20240101000000_create_teams.sql", "20240102000000_index_teams.sql"} {
		data, err := os.ReadFile("testdata/layouts/atlas/" + n)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, atlasFile{n, data})
	}
	hs := atlasHashes(files)
	var b strings.Builder
	b.WriteString("h1:" + atlasSum(hs) + "\n")
	for _, h := range hs {
		b.WriteString(h.name + " h1:" + h.hash + "\n")
	}
	if diff := cmp.Diff(string(sum), b.String()); diff != "" {
		t.Errorf("atlas.sum (-file +computed):\n%s", diff)
	}
	// "atlas:sum ignore" on the first line: the name is hashed, the file gets no line
	ignored := atlasHashes([]atlasFile{{"1_a.sql", []byte("-- atlas:sum ignore\nselect 1;\n")}, {"2_b.sql", []byte("select 2;\n")}})
	plain := atlasHashes([]atlasFile{{"2_b.sql", []byte("select 2;\n")}})
	if len(ignored) != 1 || ignored[0].name != "2_b.sql" || ignored[0].hash == plain[0].hash {
		t.Errorf("ignored: %v", ignored)
	}
}

func TestLoadAtlasChecksum(t *testing.T) {
	dir := os.DirFS("testdata/layouts/atlas")
	read := func(n string) []byte {
		data, err := fs.ReadFile(dir, n)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	base := func() fstest.MapFS {
		return fstest.MapFS{
			"atlas.sum":                       {Data: read("atlas.sum")},
			"20240101000000_create_teams.sql": {Data: read("20240101000000_create_teams.sql")},
			"20240102000000_index_teams.sql":  {Data: read("20240102000000_index_teams.sql")},
		}
	}
	const rehash = `check the change, then re-hash the directory with "atlas migrate hash"`
	tests := []struct {
		name string
		edit func(fstest.MapFS)
		msg  string
	}{
		{"a changed file", func(m fstest.MapFS) {
			m["20240101000000_create_teams.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE teams (id INTEGER PRIMARY KEY);\n")}
		}, "20240101000000_create_teams.sql: checksum mismatch: the file was changed after atlas.sum was written (its checksum differs), which Atlas refuses too; " + rehash},
		{"an added file", func(m fstest.MapFS) {
			m["20240103000000_more.sql"] = &fstest.MapFile{Data: []byte("select 1;\n")}
		}, "20240103000000_more.sql: checksum mismatch: the file is not in atlas.sum; " + rehash},
		{"a removed file", func(m fstest.MapFS) {
			delete(m, "20240101000000_create_teams.sql")
		}, "atlas.sum: checksum mismatch: atlas.sum lists 20240101000000_create_teams.sql, which is missing; restore it, or " + rehash},
		{"a sum edited by hand", func(m fstest.MapFS) {
			m["atlas.sum"] = &fstest.MapFile{Data: []byte(strings.Replace(string(read("atlas.sum")), "kpWb", "kpWc", 1))}
		}, "atlas.sum:1: checksum mismatch: the file's own sum does not match its lines, so it was edited by hand; " + rehash},
		{"a delimiter directive", func(m fstest.MapFS) {
			m["20240103000000_more.sql"] = &fstest.MapFile{Data: []byte("-- atlas:delimiter //\n\nselect 1//\n")}
		}, "20240103000000_more.sql: checksum mismatch: the file is not in atlas.sum; " + rehash + "\n" +
			"20240103000000_more.sql:1: misplaced marker: atlas:delimiter is not supported by tandem; remove it (for delimiter, end statements with \";\" or use $$ bodies)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(m)
			_, err := Load(m, Options{})
			if err == nil || err.Error() != tc.msg {
				t.Fatalf("got %v\nwant %s", err, tc.msg)
			}
		})
	}
}

// TestLoadNothingRead checks that a folder holding .sql files none of which is read is an error
// naming them, not an empty project that deploys nothing and reports success.
func TestLoadNothingRead(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		skipped string
	}{
		{"root-level stray file", map[string]string{"setup.sql": "select 1;"}, "setup.sql"},
		{"root migrations beside tandem.yaml", map[string]string{"tandem.yaml": "", "1_a.up.sql": "select 1;"}, "1_a.up.sql"},
		{"migrations turned off", map[string]string{"tandem.yaml": "migrations: []\n", "migrations/1_a.up.sql": "select 1;"}, "migrations/1_a.up.sql"},
		{"Boundary-style numbered subfolders", map[string]string{
			"migrations/postgres/01/01_domain_types.up.sql": "x", "migrations/postgres/01/02_oplog.up.sql": "x",
			"migrations/postgres/02/01_iam.up.sql": "x", "migrations/postgres/03/01_auth.up.sql": "x",
			"migrations/postgres/04/01_kms.up.sql": "x", "migrations/postgres/05/01_host.up.sql": "x",
			"migrations/postgres/06/01_session.up.sql": "x",
		}, "migrations/postgres/01/01_domain_types.up.sql, migrations/postgres/01/02_oplog.up.sql, migrations/postgres/02/01_iam.up.sql, migrations/postgres/03/01_auth.up.sql, migrations/postgres/04/01_kms.up.sql and 2 more"},
		{"Temporal-style versioned folders", map[string]string{
			"schema/postgresql/v12/temporal/versioned/v1.0/manifest.json": "{}", "schema/postgresql/v12/temporal/versioned/v1.0/base.sql": "x",
		}, "schema/postgresql/v12/temporal/versioned/v1.0/base.sql"},
		{"Diesel folders without up.sql", map[string]string{"2019-02-26-002946_a/upgrade.sql": "x"}, "2019-02-26-002946_a/upgrade.sql"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(mapFS(tc.files), Options{})
			if !errors.Is(err, ErrNothingRead) {
				t.Fatalf("got %v; want ErrNothingRead", err)
			}
			if !strings.Contains(err.Error(), "(skipped: "+tc.skipped+")") || !strings.Contains(err.Error(), Layouts) {
				t.Errorf("message %q does not name %q and the layouts", err, tc.skipped)
			}
		})
	}
	// a folder without any .sql file is an empty project, as tandem init leaves it
	if _, err := Load(mapFS(map[string]string{"tandem.yaml": "", "README.md": "x"}), Options{}); err != nil {
		t.Errorf("empty project: %v", err)
	}
}

// TestLoadMovesFolder checks that the folder of move definitions, which the move commands
// read, draws no "folder skipped" warning, which the CLI would print on every command.
func TestLoadMovesFolder(t *testing.T) {
	for _, cfg := range []string{"", "schemas: [app]\n"} {
		p, err := Load(mapFS(map[string]string{"tandem.yaml": cfg, "app/table/t.sql": "create table t (id int);", "moves/m.yaml": "x"}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Warnings) > 0 {
			t.Errorf("tandem.yaml %q: warnings %q", cfg, p.Warnings)
		}
	}
}

// TestLoadAtlasUnnamed checks that an Atlas directory whose files have no description
// ("20240101000000.sql", as "atlas migrate new" writes without a name) is read as one.
func TestLoadAtlasUnnamed(t *testing.T) {
	data := []byte("select 1;\n")
	hs := atlasHashes([]atlasFile{{"20240101000000.sql", data}})
	sum := "h1:" + atlasSum(hs) + "\n" + hs[0].name + " h1:" + hs[0].hash + "\n"
	p, err := Load(mapFS(map[string]string{"20240101000000.sql": string(data), "atlas.sum": sum}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"versioned.20240101000000"}, keys(p)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}
