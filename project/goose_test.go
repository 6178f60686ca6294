package project

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func TestGooseAnnotation(t *testing.T) {
	tests := []struct {
		line, want string
		ok         bool
	}{
		{"-- +goose Up", "UP", true},
		{"--+goose   no    transaction ", "NO TRANSACTION", true},
		{"  -- +GOOSE StatementBegin", "STATEMENTBEGIN", true},
		{"-- goose Up", "", false},
		{"--+gooseUp", "", false},
		{"select 1; -- +goose Up", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			got, ok := gooseAnnotation(tc.line)
			if got != tc.want || ok != tc.ok {
				t.Errorf("gooseAnnotation(%q) = %q, %v; want %q, %v", tc.line, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParseGoose(t *testing.T) {
	text := "-- header\n-- +goose NO TRANSACTION\n\n-- +goose Up\n\nselect 1;\n-- +goose ENVSUB ON\nselect '${X}';\n\n-- +goose Down\nselect 2;\n\n"
	c := &tandem.Change{}
	var errs errList
	parseGoose("m.sql", []byte(text), c, &errs)
	if err := errs.err(); err != nil {
		t.Fatal(err)
	}
	want := &tandem.Change{
		SQL: "select 1;\n-- +goose ENVSUB ON\nselect '${X}';", SQLLine: 6,
		Rollback: "select 2;", RollbackLine: 11, HasRollback: true,
		Attrs: tandem.Attrs{NoTransaction: true, Extra: map[string]string{"envsub": "on"}},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("change (-want +got):\n%s", diff)
	}
}

func FuzzParseGoose(f *testing.F) {
	for _, s := range []string{
		"-- +goose Up\nselect 1;\n-- +goose Down\nselect 2;\n",
		"-- +goose Up\n-- +goose StatementBegin\nselect 1;\n-- +goose StatementEnd\n",
		"select 0;\n-- +goose Down\n-- +goose Up\n",
		"-- +goose NO TRANSACTION\n-- +goose Up\n/* x\n*/\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := &tandem.Change{}
		var errs errList
		parseGoose("m.sql", []byte(text), c, &errs)
		lines := len(fileLines([]byte(text)))
		for _, e := range errs.errs {
			if e.Line < 1 || e.Line > lines {
				t.Errorf("error outside the file: %v", e)
			}
		}
		if errs.err() == nil {
			down := false
			for _, ln := range strings.Split(c.SQL, "\n") {
				if a, ok := gooseAnnotation(ln); ok && a == "DOWN" {
					down = true
				}
			}
			if c.SQLLine > lines || c.RollbackLine > lines || down {
				t.Errorf("bad change %+v from %q", c, text)
			}
		}
	})
}
