package sqlite

import (
	"testing"

	"github.com/tandem-db/tandem"
)

func TestCheckValue(t *testing.T) {
	d := New()
	tests := []struct {
		typ  string
		ok   []string
		bad  []string
		hint string // the error of the first bad value
	}{
		{"INTEGER", []string{"42", "-7", " 12 "}, []string{"eighty", "1.5", "1e3", "99999999999999999999"}, "write a whole number, such as 42"},
		{"REAL", []string{"1.5", "1e3", "-2"}, []string{"heavy", "1,5"}, "write a number, such as 1.5, -2 or 1e3 (with a point, not a comma)"},
		{"DECIMAL(5,2)", []string{"1.50"}, []string{"one half"}, "write a number, such as 1.5 or -2 (with a point, not a comma)"},
		{"UUID", []string{"12"}, []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}, "write a number: SQLite gives the declared type UUID NUMERIC affinity, and tandem stores such values as numbers; declare the column TEXT to keep text in it"},
		{"BOOLEAN", []string{"true", "No", "1"}, []string{"maybe"}, "write true or false (or t/f, yes/no, y/n, on/off, 1/0)"},
		{"DATE", []string{"2024-02-29", "2024-01-02 03:04:05", "03:04"}, []string{"2024-02-30", "soon", "now", "2460000.5", "2024-01-02Z"}, "write a date as YYYY-MM-DD, a time as HH:MM:SS, or both as YYYY-MM-DD HH:MM:SS"},
		{"DATETIME", []string{"2024-01-02T03:04:05.123Z", "2024-01-02 03:04+01:00", "10:00:00-05:00"}, []string{"2024-01-02 25:00"}, ""},
		{"JSON", []string{`{"a": 1}`, "[]"}, []string{"{a: 1}"}, "write valid JSON"},
		{"TEXT", []string{"anything", ""}, nil, ""},
		{"", []string{"anything"}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			col := tandem.Column{Name: "c", Type: tc.typ}
			for _, v := range tc.ok {
				if err := d.CheckValue(col, v); err != nil {
					t.Errorf("CheckValue(%q) = %v, want nil", v, err)
				}
			}
			for i, v := range tc.bad {
				err := d.CheckValue(col, v)
				if err == nil {
					t.Errorf("CheckValue(%q) = nil, want an error", v)
				} else if i == 0 && tc.hint != "" && err.Error() != tc.hint {
					t.Errorf("CheckValue(%q) = %v, want %s", v, err, tc.hint)
				}
			}
		})
	}
}
