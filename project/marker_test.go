package project

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func TestMarkerBody(t *testing.T) {
	tests := []struct {
		name, line, prefix, want string
		ok                       bool
	}{
		{"change", "-- tandem:change x", "--", "change x", true},
		{"no blank", "--tandem:change x", "--", "change x", true},
		{"indented and mixed case", "   --   Tandem:Change x  ", "--", "Change x", true},
		{"csv", "# tandem:object key=a", "#", "object key=a", true},
		{"plain comment", "-- tandem is great", "--", "", false},
		{"sql", "select '-- tandem:change'", "--", "", false},
		{"short", "-- tand", "--", "", false},
		{"wrong prefix", "# tandem:object", "--", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := markerBody(tc.line, tc.prefix)
			if got != tc.want || ok != tc.ok {
				t.Errorf("markerBody(%q) = %q, %v; want %q, %v", tc.line, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParseDirective(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    directive
		wantErr string
		is      error
	}{
		{name: "change", body: "change create", want: directive{kind: dirChange, name: "create"}},
		{name: "tab separated", body: "change\tcreate\ttransaction=off", want: directive{kind: dirChange, name: "create", attrs: tandem.Attrs{NoTransaction: true}}},
		{name: "quoted name", body: `change "add email"`, want: directive{kind: dirChange, name: "add email"}},
		{name: "rollback", body: "rollback", want: directive{kind: dirRollback}},
		{name: "rollback upper", body: "ROLLBACK", want: directive{kind: dirRollback}},
		{name: "object", body: "object envs=prod,qa key=code", want: directive{kind: dirObject, attrs: tandem.Attrs{IncludeEnvs: []string{"prod", "qa"}, Key: []string{"code"}}}},
		{name: "every attribute", body: `change c depends=a,s.b depends+=x/y depends-="s.view.v, t" envs=test* exclude-envs=prod dialects=postgres,MySQL exclude-dialects=sqlite transaction=on rebaseline=o1,o2 inactive drop=false key=a,b`,
			want: directive{kind: dirChange, name: "c", attrs: tandem.Attrs{
				Depends: []string{"a", "s.b"}, DependsSet: true, DependsAdd: []string{"x/y"}, DependsExclude: []string{"s.view.v", "t"},
				IncludeEnvs: []string{"test*"}, ExcludeEnvs: []string{"prod"}, IncludeDialects: []string{"postgres", "MySQL"}, ExcludeDialects: []string{"sqlite"},
				Rebaseline: []string{"o1", "o2"}, Inactive: true, Key: []string{"a", "b"},
			}}},
		{name: "empty depends", body: "change c depends=", want: directive{kind: dirChange, name: "c", attrs: tandem.Attrs{Depends: []string{}, DependsSet: true}}},
		{name: "quoted depends empty", body: `change c depends=""`, want: directive{kind: dirChange, name: "c", attrs: tandem.Attrs{Depends: []string{}, DependsSet: true}}},
		{name: "escaped quote", body: `change "a \"b\""`, want: directive{kind: dirChange, name: `a "b"`}},
		{name: "inactive=yes", body: "change c inactive=yes drop", want: directive{kind: dirChange, name: "c", attrs: tandem.Attrs{Inactive: true, Drop: true}}},
		{name: "dialect pattern", body: "change c dialects=my*", want: directive{kind: dirChange, name: "c", attrs: tandem.Attrs{IncludeDialects: []string{"my*"}}}},
		{name: "changeset", body: "change c changeset=phaseA", want: directive{kind: dirChange, name: "c", attrs: tandem.Attrs{Changeset: "phaseA"}}},
		{name: "upper-case attribute", body: "change c ENVS=a", want: directive{kind: dirChange, name: "c", attrs: tandem.Attrs{IncludeEnvs: []string{"a"}}}},

		{name: "typo directive", body: "chnage x", wantErr: `unknown directive "chnage" after "tandem:" (known: object, change, rollback)`, is: ErrUnknownDirective},
		{name: "empty directive", body: "", wantErr: `unknown directive "" after "tandem:" (known: object, change, rollback)`, is: ErrUnknownDirective},
		{name: "no name", body: "change", wantErr: `misplaced marker: the change has no name; write "-- tandem:change <name> [attributes]"`, is: ErrMarker},
		{name: "attribute as name", body: "change envs=a", wantErr: `misplaced marker: the change has no name; write "-- tandem:change <name> [attributes]"`, is: ErrMarker},
		{name: "empty quoted name", body: `change ""`, wantErr: `misplaced marker: change name "" must be non-empty and hold no "/"`, is: ErrMarker},
		{name: "rollback with args", body: "rollback x", wantErr: `misplaced marker: "-- tandem:rollback" takes no name or attributes; put attributes on the change marker`, is: ErrMarker},
		{name: "unknown attribute", body: "change c depnds=x", wantErr: `unknown attribute "depnds" (known: depends, depends+, depends-, envs, exclude-envs, dialects, exclude-dialects, transaction, rebaseline, inactive, drop, key, changeset)`, is: ErrUnknownAttribute},
		{name: "bare unknown", body: "change c frobnicate", wantErr: `unknown attribute "frobnicate" (known: depends, depends+, depends-, envs, exclude-envs, dialects, exclude-dialects, transaction, rebaseline, inactive, drop, key, changeset)`, is: ErrUnknownAttribute},
		{name: "missing value", body: "change c envs", wantErr: `bad attribute: envs needs a value (envs=...)`, is: ErrBadAttribute},
		{name: "empty list", body: "object key=,", wantErr: `bad attribute: key needs at least one value`, is: ErrBadAttribute},
		{name: "bad transaction", body: "change c transaction=maybe", wantErr: `bad attribute: transaction=maybe; write transaction=off or transaction=on`, is: ErrBadAttribute},
		{name: "bad drop", body: "change c drop=2", wantErr: `bad attribute: drop=2; write drop, drop=true or drop=false`, is: ErrBadAttribute},
		{name: "bad dialect", body: "change c exclude-dialects=oracle", wantErr: `bad attribute: exclude-dialects names unknown dialect "oracle" (known: mysql, postgres, sqlite)`, is: ErrBadAttribute},
		{name: "changeset list", body: "change c changeset=a,b", wantErr: `bad attribute: changeset="a,b"; name one changeset, without blanks or commas (changeset=phaseA)`, is: ErrBadAttribute},
		{name: "repeated", body: "change c key=a key=b", wantErr: `bad attribute: key is given twice on one marker`, is: ErrBadAttribute},
		{name: "bad ref", body: "change c depends+=a..b", wantErr: `bad attribute: depends+ entry "a..b" must be name, schema.name or schema.type.name`, is: ErrBadAttribute},
		{name: "bad ref change", body: "change c depends-=a/", wantErr: `bad attribute: depends- entry "a/" must be object/change with one "/"`, is: ErrBadAttribute},
		{name: "bad ref type", body: "change c depends=s.tabel.x", wantErr: `bad attribute: depends entry "s.tabel.x" names unknown type "tabel" (known: table, sequence, type, function, procedure, view, trigger, staticdata, migration)`, is: ErrBadAttribute},
		{name: "unterminated", body: `change c envs="a`, wantErr: `misplaced marker: unterminated double quote in marker`, is: ErrMarker},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDirective(tc.body, 7)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v; want %s", err, tc.wantErr)
				}
				if !errors.Is(err, tc.is) {
					t.Errorf("error %v is not %v", err, tc.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.line = 7
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(directive{})); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseDirective(f *testing.F) {
	for _, s := range []string{
		"change create", `change "a b" depends="x, y" envs=test*`, "object key=a,b envs=prod", "rollback",
		"change c transaction=off inactive drop=true", `change "a \"b\"" depends-=a/b`, `object envs="`, "chnage", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		d, err := parseDirective(body, 1)
		if err != nil {
			return
		}
		switch d.kind {
		case dirChange:
			if d.name == "" {
				t.Errorf("change without a name accepted: %q", body)
			}
		case dirObject, dirRollback:
		default:
			t.Errorf("unknown kind %q accepted from %q", d.kind, body)
		}
	})
}

// FuzzNativeFile feeds whole files to the native parser: it must never panic, every change must
// name its object and file, and lines must lie inside the file.
func FuzzNativeFile(f *testing.F) {
	for _, s := range []string{
		"-- tandem:change a\nselect 1;\n-- tandem:rollback\nselect 2;\n",
		"-- tandem:object envs=x\ncreate table t (id int);\n",
		"/* c */\n-- tandem:change a depends+=x\nselect 1;\n-- tandem:change a\n",
		"select 1;\n-- tandem:rollback\n-- tandem:rollback\n",
		"\xef\xbb\xbf-- tandem:change a\r\nselect 1;\r\n",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, text string, stateful bool) {
		typ := tandem.View
		if stateful {
			typ = tandem.Table
		}
		obj := &tandem.Object{Key: tandem.Key("s", typ, "o"), File: "f.sql"}
		var errs errList
		parseSQLObject(obj, []byte(text), &errs)
		lines := len(fileLines([]byte(text)))
		for _, e := range errs.errs {
			if e.File != "f.sql" || e.Line < 0 || e.Line > lines {
				t.Errorf("error outside the file: %v", e)
			}
		}
		if len(obj.Changes) == 0 {
			t.Fatalf("no change for %q", text)
		}
		for i, c := range obj.Changes {
			if c.Object != obj.Key || c.File != "f.sql" || c.Seq != i || c.Line < 1 || c.Line > lines || c.SQLLine > lines || c.RollbackLine > lines {
				t.Errorf("bad change %+v for %q", c, text)
			}
		}
	})
}
