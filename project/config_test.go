package project

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want tandem.Config
		errs []string
	}{
		{name: "empty", yaml: ""},
		{name: "comments only", yaml: "# nothing yet\n"},
		{name: "environment order is kept", yaml: "environments:\n  zeta: {url: z}\n  alpha:\n  mid: {url: m, allow_clean: true}\n",
			want: tandem.Config{Environments: []tandem.Environment{{Name: "zeta", URL: "z"}, {Name: "alpha"}, {Name: "mid", URL: "m", AllowClean: true}}}},
		{name: "out of order", yaml: "environments:\n  dev:\n    out_of_order: true\n  prod:\n    out_of_order: false\n",
			want: tandem.Config{Environments: []tandem.Environment{{Name: "dev", OutOfOrder: true}, {Name: "prod"}}}},
		{name: "single schema as a string", yaml: "schemas: app\nmigrations: db/../sql/\n",
			want: tandem.Config{Schemas: []string{"app"}, MigrationDirs: []string{"sql"}}},
		{name: "url kept unexpanded", yaml: "environments:\n  prod:\n    url: ${DATABASE_URL}\n    lock_timeout: 1m30s\n",
			want: tandem.Config{Environments: []tandem.Environment{{Name: "prod", URL: "${DATABASE_URL}", LockTimeout: "1m30s"}}}},
		{name: "unknown keys everywhere", yaml: "schema: [a]\nenvironments:\n  dev:\n    URL: x\n",
			errs: []string{
				`tandem.yaml:1: bad configuration: unknown key "schema" (known: schemas, migrations, environments)`,
				`tandem.yaml:4: bad configuration: unknown key "URL" in environment dev (known: url, schemas, tokens, allow_clean, history_schema, lock_timeout, out_of_order)`,
			}},
		{name: "duplicate key", yaml: "environments:\n  dev: {url: a}\n  dev: {url: b}\n",
			errs: []string{`tandem.yaml:3: bad configuration: environment "dev" is defined twice (first at line 2); names are compared ignoring case`}},
		{name: "duplicate top-level key", yaml: "schemas: [a]\nschemas: [b]\n",
			errs: []string{`tandem.yaml:2: bad configuration: mapping key "schemas" already defined at line 1`}},
		{name: "wrong type in environment", yaml: "environments:\n  dev:\n    tokens: [a]\n",
			errs: []string{"tandem.yaml:3: bad configuration: cannot unmarshal !!seq into map[string]string"}},
		{name: "negative timeout", yaml: "environments:\n  dev:\n    lock_timeout: -1s\n",
			errs: []string{`tandem.yaml:3: bad configuration: lock_timeout "-1s" in environment dev is not a duration; write it like 5s or 1m30s`}},
		{name: "blank environment name", yaml: "environments:\n  \"a b\": {}\n",
			errs: []string{`tandem.yaml:2: bad configuration: environment name "a b" must be non-empty and hold no blanks`}},
		{name: "absolute migration folder", yaml: "migrations: [/srv/sql]\n",
			errs: []string{`tandem.yaml:1: bad configuration: migration folder "/srv/sql" must be a relative path inside the project`}},
		{name: "null list entry", yaml: "schemas: [a, ~]\n",
			errs: []string{`tandem.yaml:1: bad configuration: schemas must be a list of names`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var errs errList
			got, _ := parseConfig([]byte(tc.yaml), &errs)
			var msgs []string
			if err := errs.err(); err != nil {
				msgs = flattenErrors(err)
			}
			if diff := cmp.Diff(tc.errs, msgs); diff != "" {
				t.Fatalf("errors (-want +got):\n%s", diff)
			}
			if tc.errs != nil {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"schemas: [app]\nmigrations: [m]\nenvironments:\n  dev:\n    url: x\n    schemas: {app: a}\n    tokens: {t: v}\n    allow_clean: true\n    history_schema: h\n    lock_timeout: 5s\n",
		"environments: [a]\n", "schemas: {a: 1}\n", "x: [\n", "environments:\n  a:\n  A:\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var errs errList
		cfg, _ := parseConfig([]byte(text), &errs)
		for _, e := range errs.errs {
			if e.File != configFile || e.Line < 0 {
				t.Errorf("bad position: %v", e)
			}
		}
		if errs.err() == nil {
			seen := map[string]bool{}
			for _, e := range cfg.Environments {
				if e.Name == "" || seen[e.Name] {
					t.Errorf("environment %q accepted twice or empty", e.Name)
				}
				seen[e.Name] = true
			}
		}
	})
}
