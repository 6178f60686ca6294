package move

import (
	"strings"
	"testing"
)

func TestMapSchemas(t *testing.T) {
	phys := map[string]string{"app": "app_dev", "Sales": "Sales-EU"}
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	tests := []struct{ name, in, want string }{
		{"qualified table", "(SELECT name FROM app.countries c WHERE c.code = country)", "(SELECT name FROM app_dev.countries c WHERE c.code = country)"},
		{"any case", "APP.orders", "app_dev.orders"},
		{"a name that needs quotes", "sales.orders", `"Sales-EU".orders`},
		{"token", "${app_physicalName}.orders", "app_dev.orders"},
		{"unknown token kept", "${other_physicalName}.orders", "${other_physicalName}.orders"},
		{"column of an alias", "app_x.id + c.app", "app_x.id + c.app"},
		{"after a dot", "db.app.orders", "db.app.orders"},
		{"no dot", "app + 1", "app + 1"},
		{"string literal", "'app.orders' || app.x", "'app.orders' || app_dev.x"},
		{"doubled quote in a literal", "'it''s app.x' || app.y", "'it''s app.x' || app_dev.y"},
		{"quoted identifier", `"app".orders`, `"app".orders`},
		{"comments", "app.a -- app.b\n/* app.c */ app.d", "app_dev.a -- app.b\n/* app.c */ app_dev.d"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MapSchemas(tc.in, phys, quote); got != tc.want {
				t.Errorf("MapSchemas(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := MapSchemas("app.x", nil, quote); got != "app.x" {
		t.Errorf("without schemas: %q", got)
	}
}
