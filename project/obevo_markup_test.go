package project

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarkerSection(t *testing.T) {
	tests := []struct {
		line, section, rest string
		ok                  bool
	}{
		{"//// CHANGE name=chng1", "CHANGE", " name=chng1", true},
		{"  //// CHANGE FK name=chng2\r", "CHANGE", " FK name=chng2", true},
		{"//// METADATA", "METADATA", "", true},
		{"//// DROP_COMMAND", "DROP_COMMAND", "", true},
		{"//// BODY", "BODY", "", true},
		{"// ROLLBACK", "ROLLBACK", "", true},
		{"// ROLLBACK-IF-ALREADY-DEPLOYED", "ROLLBACK-IF-ALREADY-DEPLOYED", "", true},
		{"////CHANGE name=x", "", "", false},
		{"//// CHANGES name=x", "", "", false},
		{"//// change name=x", "", "", false},
		{"// ROLLBACKS", "", "", false},
		{"-- //// CHANGE name=x", "", "", false},
		{"SELECT '//// CHANGE name=x'", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			section, rest, ok := markerSection(tc.line)
			if section != tc.section || rest != tc.rest || ok != tc.ok {
				t.Errorf("markerSection(%q) = %q, %q, %v; want %q, %q, %v", tc.line, section, rest, ok, tc.section, tc.rest, tc.ok)
			}
		})
	}
}

func TestParseMarkerAttrs(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		attrs   []obevoAttr
		toggles []string
		err     string
	}{
		{name: "empty", in: "  "},
		{name: "toggle then attribute", in: " FK name=chng2", attrs: []obevoAttr{{"name", "chng2"}}, toggles: []string{"FK"}},
		{
			name:  "quoted values",
			in:    ` name="init" comment="Excluding all for now" includeEnvs=test*`,
			attrs: []obevoAttr{{"name", "init"}, {"comment", "Excluding all for now"}, {"includeEnvs", "test*"}},
		},
		{name: "escaped quote", in: `comment="say \"hi\""`, attrs: []obevoAttr{{"comment", `say "hi"`}}},
		{name: "empty value", in: `a= b=""`, attrs: []obevoAttr{{"a", ""}, {"b", ""}}},
		{name: "trailing empty value", in: `name=x a=`, attrs: []obevoAttr{{"name", "x"}, {"a", ""}}},
		{name: "quoted key and toggle", in: `"name"=x "DROP_TABLE"`, attrs: []obevoAttr{{"name", "x"}}, toggles: []string{"DROP_TABLE"}},
		{name: "tabs", in: "\tname=x\tINACTIVE", attrs: []obevoAttr{{"name", "x"}}, toggles: []string{"INACTIVE"}},
		{name: "stray equals", in: " = x", err: `"=" has no attribute name before it; write attributes as key=value, e.g. name=chng1, includeEnvs="qa*,uat"`},
		{name: "double equals", in: "a==b", err: `attribute a has two "="; quote a value that holds one: a="a=b"`},
		{name: "equals in bare value", in: "a=b=c", err: `attribute a has two "="; quote a value that holds one: a="a=b"`},
		{name: "unterminated quote", in: `name="x`, err: `quoted value "x is not terminated; add the closing quote`},
		{name: "text after quote", in: `name="x"y`, err: `attribute name: text "y" follows the closing quote; separate attributes with a blank`},
		{name: "duplicate", in: "name=a name=b", err: "attribute name is given twice; keep one"},
		{name: "empty quoted key", in: `""=x`, err: `attribute name is empty; write attributes as key=value, e.g. name=chng1, includeEnvs="qa*,uat"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attrs, toggles, err := parseMarkerAttrs(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error = %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.attrs, attrs); diff != "" {
				t.Errorf("attrs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.toggles, toggles); diff != "" {
				t.Errorf("toggles (-want +got):\n%s", diff)
			}
		})
	}
}

// renderMarker writes attributes and toggles back in marker syntax, quoting where needed.
func renderMarker(attrs []obevoAttr, toggles []string) (string, bool) {
	ok := true
	word := func(s string) string {
		if s != "" && !strings.ContainsAny(s, " \t=") && s[0] != '"' {
			return s
		}
		if strings.HasSuffix(s, `\`) {
			ok = false // a value ending in a backslash cannot be quoted unambiguously, as in Obevo
		}
		return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
	}
	var parts []string
	for _, t := range toggles {
		parts = append(parts, word(t))
	}
	for _, a := range attrs {
		parts = append(parts, word(a.Key)+"="+word(a.Value))
	}
	return strings.Join(parts, " "), ok
}

func FuzzObevoChangeLine(f *testing.F) {
	for _, s := range []string{
		"//// CHANGE name=chng1",
		"//// CHANGE FK name=chng2 dependencies=\"TABLE_B.chng1,x\"",
		`//// METADATA excludeEnvs=% comment="Excluding all for now as we do development in MySQL"`,
		`//// CHANGE name="a \"quoted\" name" INACTIVE`,
		"//// CHANGE name=",
		"//// CHANGE = x",
		`//// CHANGE name="x`,
		"// ROLLBACK-IF-ALREADY-DEPLOYED",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		m, ok, err := parseMarker(line, 1)
		if !ok {
			if m != nil || err != nil {
				t.Fatalf("not a marker, yet marker %v error %v", m, err)
			}
			return
		}
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, a := range m.Attrs {
			if a.Key == "" || seen[a.Key] {
				t.Fatalf("empty or repeated key in %+v", m.Attrs)
			}
			seen[a.Key] = true
		}
		text, exact := renderMarker(m.Attrs, m.Toggles)
		if !exact {
			return
		}
		attrs, toggles, err := parseMarkerAttrs(text)
		if err != nil {
			t.Fatalf("reparse %q: %v", text, err)
		}
		if diff := cmp.Diff(m.Attrs, attrs); diff != "" {
			t.Fatalf("attrs round trip of %q (-first +second):\n%s", text, diff)
		}
		if diff := cmp.Diff(m.Toggles, toggles); diff != "" {
			t.Fatalf("toggles round trip of %q (-first +second):\n%s", text, diff)
		}
	})
}
