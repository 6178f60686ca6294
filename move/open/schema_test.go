package open

import (
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

func TestMoveTableSchema(t *testing.T) {
	table := func(schema, name string) *tandem.Object {
		return &tandem.Object{Key: tandem.Key(schema, tandem.Table, name), Name: name, Schema: schema}
	}
	migration := &tandem.Object{Key: tandem.Key("", tandem.Versioned, "1")}
	def := &tandem.MoveDefinition{Name: "m", File: "moves/m.yaml"}
	tests := []struct {
		name    string
		p       *tandem.Project
		want    string
		wantErr string
	}{
		{"the project's table", &tandem.Project{Config: tandem.Config{Schemas: []string{"app", "audit"}}, Objects: []*tandem.Object{table("audit", "users")}}, "audit", ""},
		{"the only schema", &tandem.Project{Config: tandem.Config{Schemas: []string{"app"}}}, "app", ""},
		{"no schemas: the default", &tandem.Project{}, "", ""},
		{"migrations run in the default schema", &tandem.Project{Config: tandem.Config{Schemas: []string{"app"}}, Objects: []*tandem.Object{migration}}, "", ""},
		{"several schemas, table in none", &tandem.Project{Config: tandem.Config{Schemas: []string{"app", "audit"}}}, "", "several (app, audit)"},
		{"table in two schemas", &tandem.Project{Config: tandem.Config{Schemas: []string{"app", "audit"}}, Objects: []*tandem.Object{table("app", "users"), table("audit", "users")}}, "", "several (app, audit)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := moveTableSchema(tc.p, def, tandem.MoveTable{Name: "users", Line: 1})
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("schema %q, want %q", got, tc.want)
			}
		})
	}
}
