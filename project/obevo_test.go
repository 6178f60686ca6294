package project

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tandem-db/tandem"
)

const testObevoConfig = `<dbSystemConfig type="POSTGRESQL">
    <schemas>
        <schema name="app" />
        <schema name="ref" />
    </schemas>
    <environments>
        <dbEnvironment name="test" cleanBuildAllowed="true" />
    </environments>
</dbSystemConfig>
`

// loadObevoFiles loads an Obevo project made of files (path -> content); the system config is
// testObevoConfig unless files hold one.
func loadObevoFiles(t *testing.T, files map[string]string) (*tandem.Project, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	if _, ok := files["system-config.xml"]; !ok {
		fsys["system-config.xml"] = &fstest.MapFile{Data: []byte(testObevoConfig)}
	}
	for p, c := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return loadObevo(fsys, "system-config.xml")
}

func mustLoadObevo(t *testing.T, files map[string]string) *tandem.Project {
	t.Helper()
	p, err := loadObevoFiles(t, files)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func onlyObject(t *testing.T, p *tandem.Project) *tandem.Object {
	t.Helper()
	if len(p.Objects) != 1 {
		t.Fatalf("got %d objects, want 1", len(p.Objects))
	}
	return p.Objects[0]
}

var ignoreEmpty = cmpopts.EquateEmpty()

func TestObevoTableChanges(t *testing.T) {
	p := mustLoadObevo(t, map[string]string{"app/table/ORDERS.ddl": `//// METADATA excludeEnvs=prod% includeDependencies="ref.CODES"
//// CHANGE name=init
CREATE TABLE ORDERS (ID INT NOT NULL)
GO

//// CHANGE name=empty
//// CHANGE FK name="fk" dependencies="CUSTOMERS,CUSTOMERS.init,ref.CODES,ref.CODES.chng1"
ALTER TABLE ORDERS ADD FOREIGN KEY (C) REFERENCES CUSTOMERS(ID)
GO
// ROLLBACK
ALTER TABLE ORDERS DROP CONSTRAINT fk
//// CHANGE name=retire includeEnvs=qa* excludeDependencies=x applyGrants=false parallelGroup=p1
ALTER TABLE ORDERS ADD COLUMN OLD INT
// ROLLBACK-IF-ALREADY-DEPLOYED
ALTER TABLE ORDERS DROP COLUMN OLD
//// CHANGE name=rebase baselinedChanges="init, fk" INACTIVE includePlatforms=POSTGRESQL,HSQL
CREATE TABLE ORDERS (ID INT NOT NULL, C INT)
//// CHANGE name=drop DROP_TABLE excludePlatforms=MYSQL
`})
	o := onlyObject(t, p)
	key := tandem.Key("app", tandem.Table, "orders")
	wantObj := &tandem.Object{
		Key: key, Name: "ORDERS", Schema: "app", File: "app/table/ORDERS.ddl", Format: tandem.FormatObevo,
		Attrs: tandem.Attrs{ExcludeEnvs: []string{"prod*"}, DependsAdd: []string{"ref.CODES"}},
	}
	inherited := func(a tandem.Attrs) tandem.Attrs {
		if a.IncludeEnvs == nil && a.ExcludeEnvs == nil {
			a.ExcludeEnvs = []string{"prod*"}
		}
		a.DependsAdd = append(a.DependsAdd, "ref.CODES")
		return a
	}
	wantObj.Changes = []*tandem.Change{
		{Object: key, Name: "init", File: "app/table/ORDERS.ddl", Line: 2, Seq: 0, SQL: "CREATE TABLE ORDERS (ID INT NOT NULL)\nGO", SQLLine: 3, Attrs: inherited(tandem.Attrs{})},
		{Object: key, Name: "empty", File: "app/table/ORDERS.ddl", Line: 6, Seq: 1, Attrs: inherited(tandem.Attrs{})},
		{
			Object: key, Name: "fk", File: "app/table/ORDERS.ddl", Line: 7, Seq: 2,
			SQL: "ALTER TABLE ORDERS ADD FOREIGN KEY (C) REFERENCES CUSTOMERS(ID)\nGO", SQLLine: 8,
			Rollback: "ALTER TABLE ORDERS DROP CONSTRAINT fk", RollbackLine: 11, HasRollback: true,
			Attrs: inherited(tandem.Attrs{
				Depends: []string{"CUSTOMERS", "CUSTOMERS/init", "ref.CODES", "ref.CODES/chng1"}, DependsSet: true,
				Extra: map[string]string{"FK": "true"},
			}),
		},
		{
			Object: key, Name: "retire", File: "app/table/ORDERS.ddl", Line: 12, Seq: 3,
			SQL: "ALTER TABLE ORDERS ADD COLUMN OLD INT", SQLLine: 13,
			Rollback: "ALTER TABLE ORDERS DROP COLUMN OLD", RollbackLine: 15, HasRollback: true,
			Attrs: inherited(tandem.Attrs{
				IncludeEnvs: []string{"qa*"}, DependsExclude: []string{"x"}, Inactive: true,
				Extra: map[string]string{"applyGrants": "false", "parallelGroup": "p1", "rollbackIfAlreadyDeployed": "true"},
			}),
		},
		{
			Object: key, Name: "rebase", File: "app/table/ORDERS.ddl", Line: 16, Seq: 4,
			SQL: "CREATE TABLE ORDERS (ID INT NOT NULL, C INT)", SQLLine: 17,
			Attrs: inherited(tandem.Attrs{Rebaseline: []string{"init", "fk"}, Inactive: true, IncludeDialects: []string{"postgres", "hsql"}}),
		},
		{
			Object: key, Name: "drop", File: "app/table/ORDERS.ddl", Line: 18, Seq: 5,
			Attrs: inherited(tandem.Attrs{Drop: true, ExcludeDialects: []string{"mysql"}}),
		},
	}
	if diff := cmp.Diff(wantObj, o, ignoreEmpty); diff != "" {
		t.Errorf("object (-want +got):\n%s", diff)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings: %q", p.Warnings)
	}
}

func TestObevoUnknownAttributesWarn(t *testing.T) {
	p := mustLoadObevo(t, map[string]string{"app/migration/fix.sql": "//// METADATA colour=red\n//// CHANGE name=a frobnicate=yes SHINY\nUPDATE t SET x = 1\n"})
	o := onlyObject(t, p)
	if diff := cmp.Diff(map[string]string{"colour": "red"}, o.Attrs.Extra); diff != "" {
		t.Errorf("object extra (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"frobnicate": "yes", "SHINY": "true"}, o.Changes[0].Attrs.Extra); diff != "" {
		t.Errorf("change extra (-want +got):\n%s", diff)
	}
	want := []string{
		"app/migration/fix.sql:1: Obevo attribute colour is unknown; kept but not acted on (check its spelling)",
		"app/migration/fix.sql:2: Obevo attribute frobnicate is unknown; kept but not acted on (check its spelling)",
		"app/migration/fix.sql:2: Obevo toggle SHINY is unknown; kept but not acted on (check its spelling)",
	}
	if diff := cmp.Diff(want, p.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestObevoStateless(t *testing.T) {
	tests := []struct {
		name string
		path string
		text string
		want *tandem.Change
		warn []string
	}{
		{
			name: "view without metadata keeps its comments",
			path: "app/view/V1.sql",
			text: "-- a view\n\nCREATE VIEW V1 AS SELECT 1\n",
			want: &tandem.Change{Name: "v1", Line: 1, SQL: "-- a view\n\nCREATE VIEW V1 AS SELECT 1", SQLLine: 1},
		},
		{
			name: "metadata after a licence comment",
			path: "app/view/V2.sql",
			text: "--\n-- licence\n/* more\n   licence */\n\n//// METADATA includeDependencies=\"ref.VIEW1\" excludePlatforms=REDSHIFT\nCREATE VIEW V2 AS SELECT * FROM ${ref_physicalName}.VIEW1\n",
			want: &tandem.Change{
				Name: "v2", Line: 1, SQL: "CREATE VIEW V2 AS SELECT * FROM ${ref_physicalName}.VIEW1", SQLLine: 7,
				Attrs: tandem.Attrs{DependsAdd: []string{"ref.VIEW1"}, ExcludeDialects: []string{"redshift"}},
			},
		},
		{
			name: "function with GO separators and CRLF",
			path: "app/function/F.spc",
			text: "//// METADATA\r\nCREATE FUNCTION F() RETURNS INT AS $$ SELECT 1 $$ LANGUAGE sql;\r\nGO\r\nCREATE FUNCTION F(x INT) RETURNS INT AS $$ SELECT x $$ LANGUAGE sql;\r\nGO",
			want: &tandem.Change{Name: "f", Line: 1, SQL: "CREATE FUNCTION F() RETURNS INT AS $$ SELECT 1 $$ LANGUAGE sql;\nGO\nCREATE FUNCTION F(x INT) RETURNS INT AS $$ SELECT x $$ LANGUAGE sql;\nGO", SQLLine: 2},
		},
		{
			name: "drop command kept with a warning",
			path: "app/sp/P.sql",
			text: "CREATE PROCEDURE P() BEGIN END\nGO\n//// DROP_COMMAND\nDROP PROCEDURE P\n",
			want: &tandem.Change{Name: "p", Line: 1, SQL: "CREATE PROCEDURE P() BEGIN END\nGO", SQLLine: 1, Attrs: tandem.Attrs{Extra: map[string]string{"dropCommand": "DROP PROCEDURE P"}}},
			warn: []string{"app/sp/P.sql:3: tandem drops app.procedure.p with its own statement; the //// DROP_COMMAND section is kept but not run"},
		},
		{
			name: "sequence without changes is one change",
			path: "app/sequence/SEQ1.ddl",
			text: "CREATE SEQUENCE SEQ1\nGO\n",
			want: &tandem.Change{Name: "seq1", Line: 1, SQL: "CREATE SEQUENCE SEQ1\nGO", SQLLine: 1},
		},
		{
			name: "user type for another platform",
			path: "app/usertype/ut.hsql.sql",
			text: "//// METADATA includePlatforms=\"HSQL\"\nCREATE TYPE ut AS VARCHAR(1);\nGO",
			want: &tandem.Change{Name: "ut", Line: 1, SQL: "CREATE TYPE ut AS VARCHAR(1);\nGO", SQLLine: 2, Attrs: tandem.Attrs{IncludeDialects: []string{"hsql"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustLoadObevo(t, map[string]string{tc.path: tc.text})
			o := onlyObject(t, p)
			if len(o.Changes) != 1 {
				t.Fatalf("%d changes", len(o.Changes))
			}
			tc.want.Object, tc.want.File = o.Key, tc.path
			if diff := cmp.Diff(tc.want, o.Changes[0], ignoreEmpty); diff != "" {
				t.Errorf("change (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want.Attrs, o.Attrs, ignoreEmpty); diff != "" {
				t.Errorf("object attrs (-want +got):\n%s", diff)
			}
			if o.Format != tandem.FormatObevo {
				t.Errorf("format %s", o.Format)
			}
			if diff := cmp.Diff(tc.warn, p.Warnings, ignoreEmpty); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObevoChangeAttrsDoNotAlias(t *testing.T) {
	p := mustLoadObevo(t, map[string]string{"app/view/V.sql": "//// METADATA includeEnvs=a\nCREATE VIEW V AS SELECT 1"})
	o := onlyObject(t, p)
	o.Changes[0].Attrs.IncludeEnvs[0] = "changed"
	if o.Attrs.IncludeEnvs[0] != "a" {
		t.Errorf("object attrs share memory with the change's")
	}
}

func TestObevoPackageInfo(t *testing.T) {
	p := mustLoadObevo(t, map[string]string{
		"app/staticdata/package-info.txt": "//// METADATA excludeEnvs=\"prod*\" primaryKeys=ID\nsourceEncodings.UTF-16=A.csv\n",
		"app/staticdata/A.csv":            "ID,NAME\n1,x\n",
		"app/staticdata/B.csv":            "//// METADATA excludeEnvs=dev primaryKeys=\"K1, K2\"\nK1,K2\n1,2\n",
		"app/staticdata/sub/C.csv":        "ID\n1\n",
		"app/staticdata/D.sql":            "DELETE FROM D\nGO\nINSERT INTO D VALUES (1)\nGO\n",
	})
	got := map[string]tandem.Attrs{}
	for _, o := range p.Objects {
		got[o.File] = o.Attrs
		if diff := cmp.Diff(o.Attrs, o.Changes[0].Attrs, ignoreEmpty); diff != "" {
			t.Errorf("%s: change attrs differ from the object's:\n%s", o.File, diff)
		}
	}
	want := map[string]tandem.Attrs{
		"app/staticdata/A.csv":     {ExcludeEnvs: []string{"prod*"}, Key: []string{"ID"}},
		"app/staticdata/B.csv":     {ExcludeEnvs: []string{"dev"}, Key: []string{"K1", "K2"}},
		"app/staticdata/sub/C.csv": {},
		"app/staticdata/D.sql":     {ExcludeEnvs: []string{"prod*"}, Key: []string{"ID"}},
	}
	if diff := cmp.Diff(want, got, ignoreEmpty); diff != "" {
		t.Errorf("attrs (-want +got):\n%s", diff)
	}
	wantWarn := []string{"app/staticdata/package-info.txt:2: sourceEncodings is not supported; tandem reads every file as UTF-8"}
	if diff := cmp.Diff(wantWarn, p.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	b := p.Objects[1]
	wantData := &tandem.Data{Columns: []string{"K1", "K2"}, Rows: []tandem.DataRow{{Line: 3, Values: []*string{sp("1"), sp("2")}}}}
	if diff := cmp.Diff(wantData, b.Data); diff != "" {
		t.Errorf("B.csv data (-want +got):\n%s", diff)
	}
	wantChange := &tandem.Change{Object: b.Key, Name: "b", File: "app/staticdata/B.csv", Line: 1, SQLLine: 2, Attrs: b.Attrs}
	if diff := cmp.Diff(wantChange, b.Changes[0], ignoreEmpty); diff != "" {
		t.Errorf("B.csv change (-want +got):\n%s", diff)
	}
	if d := p.Objects[2]; d.Data != nil || d.Changes[0].SQL != "DELETE FROM D\nGO\nINSERT INTO D VALUES (1)\nGO" {
		t.Errorf("D.sql: data %v, SQL %q", d.Data, d.Changes[0].SQL)
	}
}

func TestObevoLayoutWarnings(t *testing.T) {
	p := mustLoadObevo(t, map[string]string{
		"app/function_notyet/F.sql":    "CREATE FUNCTION F() RETURNS INT AS $$ SELECT 1 $$ LANGUAGE sql",
		"app/README.sql":               "-- not an object",
		"other/table/T.sql":            "//// CHANGE name=a\nCREATE TABLE T (A INT)",
		"app/table/T.baseline.sql":     "CREATE TABLE T (A INT)",
		"app/table/T.sql":              "//// CHANGE name=a\nCREATE TABLE T (A INT)",
		"app/table/.T.sql.swp":         "junk",
		"ref/TABLE/codes/CODES.ddl":    "//// CHANGE name=a\nCREATE TABLE CODES (A INT)",
		"README.md":                    "docs",
		"system-config-other.xml":      "<x/>",
		"app/table/package-info.txt":   "",
		"ref/table/package-info.txt":   "//// METADATA includeEnvs=x",
		"ref/table/sub/package-info.x": "//// CHANGE name=x",
	})
	var keys []string
	for _, o := range p.Objects {
		keys = append(keys, o.Key.String()+" "+o.File)
	}
	wantKeys := []string{"app.table.t app/table/T.sql", "ref.table.codes ref/TABLE/codes/CODES.ddl"}
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	wantWarn := []string{
		"other: folder is not a schema declared in the Obevo system config (app, ref); skipped",
		"app/README.sql: file outside an object type folder; skipped (put it in table/, view/, ...)",
		"app/function_notyet: unknown object type folder; skipped (tandem reads " + knownFolders + ")",
		"app/table/T.baseline.sql: Obevo baseline file; skipped (tandem deploys the changes file)",
	}
	if diff := cmp.Diff(wantWarn, p.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestObevoNoConfigInfersSchemas(t *testing.T) {
	fsys := fstest.MapFS{
		"b/table/T.sql": {Data: []byte("//// CHANGE name=a\nCREATE TABLE T (A INT)")},
		"a/view/V.sql":  {Data: []byte("CREATE VIEW V AS SELECT 1")},
		"docs/x.txt":    {Data: []byte("x")},
	}
	p, err := loadObevo(fsys, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, p.Config.Schemas); diff != "" {
		t.Errorf("schemas (-want +got):\n%s", diff)
	}
	if len(p.Objects) != 2 || p.Objects[0].Key != tandem.Key("a", tandem.View, "v") {
		t.Errorf("objects: %v", p.Objects)
	}
}

func TestObevoFileErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // error messages in order
	}{
		{
			name:  "table without changes",
			files: map[string]string{"app/table/T.sql": "CREATE TABLE T (A INT)\n"},
			want:  []string{"app/table/T.sql:1: no //// CHANGE line; a table file is a list of changes, each starting with a line such as //// CHANGE name=init"},
		},
		{
			name:  "change without a name and duplicate names",
			files: map[string]string{"app/table/T.sql": "//// CHANGE name=a\nX\n//// CHANGE FK\nY\n//// CHANGE name=A\nZ\n"},
			want: []string{
				"app/table/T.sql:3: //// CHANGE line has no name; add one, e.g. //// CHANGE name=chng2",
				`app/table/T.sql:5: change name "A" is used twice in this file (first on line 1); change names must be unique within an object`,
			},
		},
		{
			name:  "order that is not a number",
			files: map[string]string{"app/staticdata/S.sql": "//// METADATA order=first\nINSERT INTO s VALUES (1)\n"},
			want:  []string{`app/staticdata/S.sql:1: order "first" is not a whole number; Obevo deploys objects of one type lowest order first (default 500)`},
		},
		{
			name:  "SQL before the first change",
			files: map[string]string{"app/migration/M.sql": "-- fine\n\nUPDATE t SET x = 1\n//// CHANGE name=a\nX\n"},
			want:  []string{"app/migration/M.sql:3: SQL before the first //// CHANGE line; put it inside a change"},
		},
		{
			name:  "metadata after SQL, and twice",
			files: map[string]string{"app/view/V.sql": "//// METADATA a=1\nCREATE VIEW V AS SELECT 1\n//// METADATA b=2\n", "app/table/T.sql": "//// CHANGE name=a\nX\n//// METADATA b=2\n"},
			want: []string{
				"app/table/T.sql:3: //// METADATA must come before the SQL and any //// CHANGE line; move it to the top of the file",
				"app/view/V.sql:3: second //// METADATA line; merge it into the one on line 1",
			},
		},
		{
			name:  "two rollbacks",
			files: map[string]string{"app/table/T.sql": "//// CHANGE name=a\nX\n// ROLLBACK\nY\n// ROLLBACK-IF-ALREADY-DEPLOYED\nZ\n"},
			want:  []string{"app/table/T.sql:5: change a already has a // ROLLBACK section; tandem keeps one rollback per change, so keep one of them"},
		},
		{
			name:  "sections that do not belong",
			files: map[string]string{"app/view/V.sql": "CREATE VIEW V AS SELECT 1\n//// CHANGE name=a\n//// BODY\n", "app/table/T.sql": "//// CHANGE name=a\nX\n//// DROP_COMMAND\nDROP TABLE T\n"},
			want: []string{
				"app/table/T.sql:3: //// DROP_COMMAND does not belong in a table file; it is for views, functions and other rerunnable objects",
				"app/view/V.sql:2: //// CHANGE does not belong in a view file; write the whole definition, and tandem recreates it when it changes",
				"app/view/V.sql:3: //// BODY sections are for Oracle packages, which tandem does not deploy",
			},
		},
		{
			name:  "bad marker line",
			files: map[string]string{"app/table/T.sql": "//// CHANGE name=\"a\n"},
			want:  []string{`app/table/T.sql:1: //// CHANGE line: quoted value "a is not terminated; add the closing quote`},
		},
		{
			name:  "bad dependency",
			files: map[string]string{"app/view/V.sql": "//// METADATA dependencies=a.b.c.d\nCREATE VIEW V AS SELECT 1"},
			want:  []string{`app/view/V.sql:1: dependency "a.b.c.d" has too many dots; write object, object.change, schema.object or schema.object.change`},
		},
		{
			name:  "bad CSV",
			files: map[string]string{"app/staticdata/S.csv": "//// METADATA\nA,B\n1\n", "app/staticdata/U.csv": "//// CHANGE name=x\nA\n"},
			want: []string{
				"app/staticdata/S.csv:3: row has 1 fields but the header has 2 columns; every row needs one field per column",
				"app/staticdata/U.csv:1: //// CHANGE does not belong in a CSV file; only a //// METADATA first line does",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadObevoFiles(t, tc.files)
			if err == nil {
				t.Fatal("no error")
			}
			var got []string
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range j.Unwrap() {
					var fe *FileError
					if !errors.As(e, &fe) || fe.Line == 0 {
						t.Errorf("not a FileError with a line: %v", e)
					}
					got = append(got, e.Error())
				}
			} else {
				got = []string{err.Error()}
			}
			// files are read in name order, so errors come sorted by file
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObevoConfig(t *testing.T) {
	const cfg = `<?xml version="1.0"?>
<dbSystemConfig type="POSTGRESQL" sourceDirs="x" dataDelimiter=";" nullToken="null">
    <schemas>
        <schema name="App" />
        <schema name="ref" />
    </schemas>
    <tokens><token key="shared" value="s"/></tokens>
    <environments>
        <dbEnvironment name="dev" cleanBuildAllowed="true" jdbcUrl="jdbc:postgresql://db1:5432/appdb?sslmode=disable" dbSchemaSuffix="_dev">
            <tokens>
                <token key="TABLESPACE1" value="DEV_TS" />
                <token key="shared" value="dev" />
            </tokens>
            <schemaOverrides>
                <schemaOverride schema="ref" overrideValue="reference" />
            </schemaOverrides>
        </dbEnvironment>
        <dbEnvironment name="prod" cleanBuildAllowed="false" dbHost="db2" dbPort="5433" dbServer="appdb" defaultUserId="deployer" />
        <dbEnvironment name="mem" jdbcUrl="jdbc:h2:mem:x" />
        <dbEnvironment name="my" jdbcUrl="jdbc:mysql://db3:3306/app" >
            <includeSchemas>App</includeSchemas>
        </dbEnvironment>
        <dbEnvironment name="maria" jdbcUrl="jdbc:mariadb://db4/app" />
    </environments>
    <permissions><permission scheme="x"/></permissions>
</dbSystemConfig>`
	got, opt, warnings, err := parseObevoConfig("system-config.xml", []byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	want := tandem.Config{
		Schemas: []string{"App", "ref"},
		Environments: []tandem.Environment{
			{
				Name: "dev", URL: "postgres://db1:5432/appdb?sslmode=disable", AllowClean: true,
				SchemaMap: map[string]string{"App": "App_dev", "ref": "reference"},
				Tokens:    map[string]string{"TABLESPACE1": "DEV_TS", "shared": "dev"},
			},
			{Name: "prod", URL: "postgres://deployer@db2:5433/appdb", Tokens: map[string]string{"shared": "s"}},
			{Name: "mem", Tokens: map[string]string{"shared": "s"}},
			{Name: "my", URL: "mysql://db3:3306/app", Tokens: map[string]string{"shared": "s"}},
			{Name: "maria", URL: "mysql://db4/app", Tokens: map[string]string{"shared": "s"}},
		},
	}
	if diff := cmp.Diff(want, got, ignoreEmpty); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(csvOptions{Delim: ';', NullToken: "null"}, opt, cmp.AllowUnexported(csvOptions{})); diff != "" {
		t.Errorf("csv options (-want +got):\n%s", diff)
	}
	wantWarn := []string{
		"system-config.xml: tandem does not apply Obevo <permissions>; write the GRANT statements in the changes instead",
		"system-config.xml: environment mem: jdbcUrl jdbc:h2:mem:x is not a PostgreSQL or MySQL database; the environment uses the embedded SQLite database",
		"system-config.xml: environment my: includeSchemas/excludeSchemas are not supported; every schema is deployed",
	}
	if diff := cmp.Diff(wantWarn, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestObevoConfigErrors(t *testing.T) {
	tests := []struct {
		name, cfg, want string
	}{
		{"not XML", "<dbSystemConfig>\n<schemas>\n</dbSystemConfig>", "system-config.xml:3: read Obevo system config: XML syntax error on line 3: element <schemas> closed by </dbSystemConfig>"},
		{"no schemas", "<!-- c -->\n<dbSystemConfig type=\"H2\"/>", `system-config.xml:2: Obevo system config declares no schemas; add <schemas><schema name="..."/></schemas>`},
		{"duplicate schema", "<dbSystemConfig>\n<schemas><schema name=\"a\"/>\n<schema name=\"A\"/></schemas></dbSystemConfig>", `system-config.xml:3: schema "A" is declared twice`},
		{"duplicate environment", "<dbSystemConfig><schemas><schema name=\"a\"/></schemas><environments>\n<dbEnvironment name=\"e\"/>\n<dbEnvironment name=\"e\"/></environments></dbSystemConfig>", `system-config.xml:3: environment "e" is declared twice`},
		{"unknown override", "<dbSystemConfig><schemas><schema name=\"a\"/></schemas><environments>\n<dbEnvironment name=\"e\"><schemaOverrides>\n<schemaOverride schema=\"b\" overrideValue=\"x\"/></schemaOverrides></dbEnvironment></environments></dbSystemConfig>", `system-config.xml:3: environment e overrides schema "b", which is not declared in <schemas>`},
		{"conflicting delimiter", "<dbSystemConfig dataDelimiter=\",\"><schemas><schema name=\"a\"/></schemas><environments>\n<dbEnvironment name=\"e\" dataDelimiter=\"|\"/></environments></dbSystemConfig>", `system-config.xml:2: environment e sets dataDelimiter="|" but another setting says ","; static data is read the same way for every environment, so set dataDelimiter once on <dbSystemConfig>`},
		{"bad delimiter", "<dbSystemConfig\n dataDelimiter=\"ab\"><schemas><schema name=\"a\"/></schemas></dbSystemConfig>", `system-config.xml:2: dataDelimiter="ab" must be one character other than a quote or a line break`},
		{"unsupported type", "<?xml version=\"1.0\"?>\n<dbSystemConfig type=\"ORACLE\">\n<schemas><schema name=\"a\"/></schemas></dbSystemConfig>", unsupportedType(2, "ORACLE")},
		{"in-memory type", "<dbSystemConfig\n  type=\"h2\"><schemas><schema name=\"a\"/></schemas></dbSystemConfig>", unsupportedType(2, "h2")},
		{"sybase", "<dbSystemConfig type=\"SYBASE_ASE\"><schemas><schema name=\"a\"/></schemas></dbSystemConfig>", unsupportedType(1, "SYBASE_ASE")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := parseObevoConfig("system-config.xml", []byte(tc.cfg))
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
			if strings.Contains(tc.want, "a database tandem does not deploy to") {
				want := tandem.Hint{Code: tandem.HintEditConfig, Text: "set type to the database the project is deployed to (for a project written for an in-memory HSQL or H2 test database, the one it is deployed to in production), or deploy it with Obevo"}
				if h, ok := tandem.HintOf(err); !ok || h != want {
					t.Errorf("hint %+v, want %+v", h, want)
				}
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Line == 0 {
				t.Errorf("not a FileError with a line: %#v", err)
			}
		})
	}
}

func unsupportedType(line int, typ string) string {
	return fmt.Sprintf(`system-config.xml:%d: Obevo system config has type=%q, a database tandem does not deploy to; tandem deploys to POSTGRESQL, MYSQL and MARIADB (and SQLITE, its own)`, line, typ)
}

// Every type tandem deploys to is accepted, in any case, and so is a config without a type
// (the URL then says which database it is).
func TestObevoConfigSupportedTypes(t *testing.T) {
	for _, typ := range []string{"POSTGRESQL", "MYSQL", "MARIADB", "SQLITE", "postgresql", ""} {
		cfg := `<dbSystemConfig type="` + typ + `"><schemas><schema name="a"/></schemas></dbSystemConfig>`
		if typ == "" {
			cfg = `<dbSystemConfig><schemas><schema name="a"/></schemas></dbSystemConfig>`
		}
		if _, _, _, err := parseObevoConfig("system-config.xml", []byte(cfg)); err != nil {
			t.Errorf("type %q: %v", typ, err)
		}
	}
	// Load refuses the project: nothing is planned against SQLite in its place.
	_, err := Load(mapFS(map[string]string{
		"system-config.xml": `<dbSystemConfig type="DB2"><schemas><schema name="app"/></schemas></dbSystemConfig>`,
		"app/table/T.sql":   "//// CHANGE name=c1\nCREATE TABLE T (A INT)\n",
	}), Options{})
	if err == nil || !strings.Contains(err.Error(), `type="DB2", a database tandem does not deploy to`) {
		t.Errorf("Load: error %v, want the unsupported type", err)
	}
}

func TestObevoConfigCSVOptionsApply(t *testing.T) {
	p := mustLoadObevo(t, map[string]string{
		"system-config.xml":    `<dbSystemConfig nullToken="null"><schemas><schema name="app"/></schemas><environments><dbEnvironment name="e" dataDelimiter="|"/></environments></dbSystemConfig>`,
		"app/staticdata/S.csv": "A|B|C\nnull||x\n",
	})
	want := &tandem.Data{Columns: []string{"A", "B", "C"}, Rows: []tandem.DataRow{{Line: 2, Values: []*string{nil, sp(""), sp("x")}}}}
	if diff := cmp.Diff(want, onlyObject(t, p).Data); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
}

func TestObevoMissingConfig(t *testing.T) {
	_, err := loadObevo(fstest.MapFS{}, "system-config.xml")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want one wrapping fs.ErrNotExist", err)
	}
}

// corpusDir returns a folder of the shared Obevo corpus, skipping the test where it is absent
// (a user's clone has no ../shared).
func corpusDir(t *testing.T, dir string) string {
	t.Helper()
	p := "../../shared/corpora/obevo/" + dir
	if _, err := os.Stat(p); err != nil {
		t.Skipf("Obevo corpus not found at %s (it lives beside the repository on the project's machines): %v", p, err)
	}
	return p
}

// TestObevoCorpus loads Obevo's own test projects and checks every object, change and warning.
func TestObevoCorpus(t *testing.T) {
	pgStep1 := []string{
		"dbdeploy01.function.func_with_overload dbdeploy01/function/FUNC_WITH_OVERLOAD.spc [func_with_overload]",
		"dbdeploy01.function.sp2 dbdeploy01/function/SP2.spc [sp2]",
		"dbdeploy01.function.sp3 dbdeploy01/function/SP3.spc [sp3]",
		"dbdeploy01.sequence.myseq1 dbdeploy01/sequence/MYSEQ1.ddl [myseq1]",
		"dbdeploy01.sequence.myseq2 dbdeploy01/sequence/MYSEQ2.ddl [myseq2]",
		"dbdeploy01.staticdata.table_a dbdeploy01/staticdata/TABLE_A.nottest.csv [table_a]",
		"dbdeploy01.staticdata.table_a dbdeploy01/staticdata/TABLE_A.test.csv [table_a]",
		"dbdeploy01.staticdata.table_b dbdeploy01/staticdata/TABLE_B.csv [table_b]",
		"dbdeploy01.staticdata.table_special_col dbdeploy01/staticdata/TABLE_SPECIAL_COL.csv [table_special_col]",
		"dbdeploy01.table.table_a dbdeploy01/table/TABLE_A.ddl [chng1 emptychange emptychange2 chng2 chng3 extra1 extra2 extra3]",
		"dbdeploy01.table.table_b dbdeploy01/table/TABLE_B.ddl [chng1]",
		"dbdeploy01.table.table_special_col dbdeploy01/table/TABLE_SPECIAL_COL.ddl [chng1]",
		"dbdeploy01.table.tab_with_seq dbdeploy01/table/TAB_WITH_SEQ.ddl [chng1]",
		"dbdeploy01.type.usertype0 dbdeploy01/usertype/usertype0.hsql.sql [usertype0]",
		"dbdeploy01.type.usertype0 dbdeploy01/usertype/usertype0.sql [usertype0]",
		"dbdeploy01.view.view1 dbdeploy01/view/VIEW1.sql [view1]",
		"dbdeploy01.view.view2 dbdeploy01/view/VIEW2.sql [view2]",
		"dbdeploy01.view.view3 dbdeploy01/view/VIEW3.sql [view3]",
		"dbdeploy01.view.view4 dbdeploy01/view/VIEW4.sql [view4]",
		"dbdeploy01.view.view_depending_on_other_schema dbdeploy01/view/VIEW_DEPENDING_ON_OTHER_SCHEMA.sql [view_depending_on_other_schema]",
		"dbdeploy02.sequence.myseqa1 dbdeploy02/sequence/MYSEQA1.ddl [myseqa1]",
		"dbdeploy02.sequence.myseqa2 dbdeploy02/sequence/MYSEQA2.ddl [myseqa2]",
		"dbdeploy02.table.table_a dbdeploy02/table/TABLE_A.ddl [chng1]",
		"dbdeploy02.view.view1 dbdeploy02/view/VIEW1.sql [view1]",
		"dbdeploy02.view.view_depending_on_other_schema dbdeploy02/view/VIEW_DEPENDING_ON_OTHER_SCHEMA.sql [view_depending_on_other_schema]",
	}
	without := func(list []string, drop ...string) []string {
		var out []string
		for _, s := range list {
			keep := true
			for _, d := range drop {
				if strings.Contains(s, d) {
					keep = false
				}
			}
			if keep {
				out = append(out, s)
			}
		}
		return out
	}
	replace := func(list []string, old, new string) []string {
		out := append([]string(nil), list...)
		for i, s := range out {
			if strings.HasPrefix(s, old) {
				out[i] = new
			}
		}
		return out
	}
	tableA2 := "dbdeploy01.table.table_a dbdeploy01/table/TABLE_A.ddl [chng1 emptychange emptychange2 chng2 chng3 extra1 extra2 extra3 extra4]"
	pgStep2 := replace(without(pgStep1, "SP2.spc", "VIEW3", "VIEW4", "OTHER_SCHEMA"), "dbdeploy01.table.table_a ", tableA2)
	myStep1 := without(pgStep1, "function/", "sequence/", "SPECIAL_COL", "usertype", "VIEW4")
	myStep2 := replace(without(myStep1, "VIEW3", "OTHER_SCHEMA"), "dbdeploy01.table.table_a ", tableA2)
	notyet := func(folders ...string) []string {
		var out []string
		for _, f := range folders {
			out = append(out, f+": unknown object type folder; skipped (tandem reads "+knownFolders+")")
		}
		return out
	}
	myWarn := notyet("dbdeploy01/function_notyet", "dbdeploy01/sequence_notyet", "dbdeploy02/sequence_notyet")

	tests := []struct {
		dir, config string
		objects     []string
		warnings    []string
	}{
		{"postgresql/step1", "system-config-inmem.xml", pgStep1, nil},
		{"postgresql/step2", "system-config-inmem.xml", pgStep2, nil},
		{"mysql/step1", "", myStep1, myWarn},
		{"mysql/step2", "", myStep2, myWarn},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			p, err := loadObevo(os.DirFS(corpusDir(t, tc.dir)), tc.config)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range p.Objects {
				var names []string
				for _, c := range o.Changes {
					names = append(names, c.Name)
				}
				got = append(got, o.Key.String()+" "+o.File+" ["+strings.Join(names, " ")+"]")
				if o.Format != tandem.FormatObevo {
					t.Errorf("%s: format %s", o.File, o.Format)
				}
			}
			if diff := cmp.Diff(tc.objects, got); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.warnings, p.Warnings, ignoreEmpty); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"dbdeploy01", "dbdeploy02"}, p.Config.Schemas); diff != "" {
				t.Errorf("schemas (-want +got):\n%s", diff)
			}
			checkCorpusDetails(t, tc.dir, p)
		})
	}
}

// checkCorpusDetails checks the attributes that the corpus exercises.
func checkCorpusDetails(t *testing.T, dir string, p *tandem.Project) {
	t.Helper()
	find := func(file string) *tandem.Object {
		for _, o := range p.Objects {
			if o.File == file {
				return o
			}
		}
		t.Fatalf("no object from %s", file)
		return nil
	}
	tableA := find("dbdeploy01/table/TABLE_A.ddl")
	chng2 := tableA.Changes[3]
	if chng2.Name != "chng2" || chng2.Line != 15 || chng2.Attrs.Extra["FK"] != "true" || chng2.SQL != "ALTER TABLE TABLE_A ADD FOREIGN KEY (B_ID) REFERENCES TABLE_B(B_ID)\nGO" {
		t.Errorf("TABLE_A chng2: %+v", chng2)
	}
	if e := tableA.Changes[2]; e.Name != "emptychange2" || e.SQL != "" || e.Line != 12 {
		t.Errorf("TABLE_A emptychange2: %+v", e)
	}
	test, nottest := find("dbdeploy01/staticdata/TABLE_A.test.csv"), find("dbdeploy01/staticdata/TABLE_A.nottest.csv")
	if diff := cmp.Diff(tandem.Attrs{IncludeEnvs: []string{"test*"}}, test.Attrs, ignoreEmpty); diff != "" {
		t.Errorf("TABLE_A.test.csv attrs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(tandem.Attrs{ExcludeEnvs: []string{"test*"}}, nottest.Attrs, ignoreEmpty); diff != "" {
		t.Errorf("TABLE_A.nottest.csv attrs (-want +got):\n%s", diff)
	}
	if !test.Attrs.Applies("test1", "postgres") || test.Attrs.Applies("prod", "postgres") || nottest.Attrs.Applies("test1", "postgres") || !nottest.Attrs.Applies("prod", "postgres") {
		t.Errorf("the test and nottest CSVs do not split the environments")
	}
	wantRows := []tandem.DataRow{
		{Line: 3, Values: []*string{sp("1"), sp("2"), sp("ABC"), sp("2012-01-01 12:12:12"), nil}},
		{Line: 4, Values: []*string{sp("2"), sp("3"), nil, sp("2013-01-01 11:11:11.65432"), sp("9")}},
		{Line: 5, Values: []*string{sp("3"), sp("4"), sp("ABC"), nil, sp("9")}},
	}
	if diff := cmp.Diff(wantRows, nottest.Data.Rows); diff != "" {
		t.Errorf("TABLE_A.nottest.csv rows (-want +got):\n%s", diff)
	}
	if strings.HasSuffix(dir, "step1") {
		v := find("dbdeploy01/view/VIEW_DEPENDING_ON_OTHER_SCHEMA.sql")
		c := v.Changes[0]
		if diff := cmp.Diff([]string{"dbdeploy02.VIEW1"}, c.Attrs.DependsAdd); diff != "" {
			t.Errorf("VIEW_DEPENDING_ON_OTHER_SCHEMA includeDependencies (-want +got):\n%s", diff)
		}
		if c.SQLLine != 18 || !strings.HasPrefix(c.SQL, "CREATE OR REPLACE VIEW VIEW_DEPENDING_ON_OTHER_SCHEMA AS SELECT * FROM ${dbdeploy02_physicalName}.VIEW1") {
			t.Errorf("VIEW_DEPENDING_ON_OTHER_SCHEMA SQL at line %d: %q", c.SQLLine, c.SQL)
		}
	}
	seq := find("dbdeploy01/table/TAB_WITH_SEQ.ddl")
	if strings.HasPrefix(dir, "mysql") {
		want := tandem.Attrs{ExcludeEnvs: []string{"*"}, Extra: map[string]string{"comment": "Excluding all for now as we do development in MySQL"}}
		if diff := cmp.Diff(want, seq.Attrs, ignoreEmpty); diff != "" {
			t.Errorf("TAB_WITH_SEQ attrs (-want +got):\n%s", diff)
		}
		if seq.Changes[0].Attrs.Applies("test", "mysql") {
			t.Errorf("TAB_WITH_SEQ chng1 applies, but its file excludes every environment")
		}
		return
	}
	if diff := cmp.Diff([]string{"redshift"}, seq.Changes[0].Attrs.ExcludeDialects); diff != "" {
		t.Errorf("TAB_WITH_SEQ chng1 platforms (-want +got):\n%s", diff)
	}
	hsql, pg := find("dbdeploy01/usertype/usertype0.hsql.sql"), find("dbdeploy01/usertype/usertype0.sql")
	if hsql.Changes[0].Attrs.Applies("e", "postgres") || !pg.Changes[0].Attrs.Applies("e", "postgres") {
		t.Errorf("usertype0: the HSQL file applies to postgres, or the other one does not")
	}
	if env := p.Config.Environment("unittestrefh2"); env == nil || !env.AllowClean || env.URL != "" {
		t.Errorf("environment unittestrefh2: %+v", env)
	}
}

// FuzzObevoFile loads arbitrary text as each kind of Obevo object file: it must not panic, and
// every error must carry a line in that file.
func FuzzObevoFile(f *testing.F) {
	for _, s := range []string{
		"//// CHANGE name=chng1\nCREATE TABLE T (A INT)\nGO\n// ROLLBACK\nDROP TABLE T\n",
		"--\n//// METADATA includeDependencies=\"x.y\"\nCREATE VIEW V AS SELECT 1\n//// DROP_COMMAND\nDROP VIEW V",
		"//// METADATA excludeEnvs=test*\nA,B\n1,\n",
		"//// CHANGE name=a\n// ROLLBACK-IF-ALREADY-DEPLOYED\n// ROLLBACK\n//// METADATA\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, file := range []string{"app/table/T.sql", "app/view/V.sql", "app/staticdata/S.csv", "app/sequence/Q.sql"} {
			p, err := loadObevo(fstest.MapFS{
				"system-config.xml": {Data: []byte(testObevoConfig)},
				file:                {Data: []byte(text)},
			}, "system-config.xml")
			if err != nil {
				j, ok := err.(interface{ Unwrap() []error })
				if !ok {
					t.Fatalf("%s: error is not joined: %v", file, err)
				}
				for _, e := range j.Unwrap() {
					var fe *FileError
					if !errors.As(e, &fe) || fe.File != file || fe.Line < 0 {
						t.Fatalf("%s: error without its file: %v", file, e)
					}
				}
				continue
			}
			if len(p.Objects) != 1 || len(p.Objects[0].Changes) == 0 {
				t.Fatalf("%s: %d objects", file, len(p.Objects))
			}
			for i, c := range p.Objects[0].Changes {
				if c.Seq != i || c.Line < 1 {
					t.Fatalf("%s: change %d has seq %d line %d", file, i, c.Seq, c.Line)
				}
			}
		}
	})
}

// TestObevoOnboardingFolders: files an onboarding deploy moved into exceptions/ and
// dependentOnExceptions/ are the same objects, and the .exception file holding the last error
// beside one is not deployed, with a warning (without the rule it would be a second T).
func TestObevoOnboardingFolders(t *testing.T) {
	p := mustLoadObevo(t, map[string]string{
		"app/table/exceptions/T.ddl":           "//// CHANGE name=create\nCREATE TABLE T (ID INT)\nGO\n",
		"app/table/exceptions/T.ddl.exception": "syntax error at or near T\n",
		"app/view/dependentOnExceptions/V.sql": "CREATE VIEW V AS SELECT ID FROM T\n",
	})
	var got []string
	for _, o := range p.Objects {
		got = append(got, o.Key.String()+" "+o.File)
	}
	want := []string{"app.table.t app/table/exceptions/T.ddl", "app.view.v app/view/dependentOnExceptions/V.sql"}
	if !slices.Equal(got, want) {
		t.Errorf("objects = %q, want %q", got, want)
	}
	if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, "app/table/exceptions/T.ddl.exception: error of the last onboarding deploy") {
		t.Errorf("warnings = %s, want one about the .exception file", w)
	}
}
