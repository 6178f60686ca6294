package mysql

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
		{"int(11)", []string{"42", "-2147483648", "2147483647"}, []string{"eighty", "2147483648", "1.5"}, "write a whole number, such as 42"},
		{"int(10) unsigned", []string{"0", "4294967295"}, []string{"-1", "4294967296"}, "write a whole number without a sign, such as 42"},
		{"tinyint(4)", []string{"127", "-128"}, []string{"128"}, "the number is out of the range of tinyint(4) (-128 to 127)"},
		{"tinyint(1)", []string{"true", "OFF", "0"}, []string{"maybe", "2"}, "write true or false (or t/f, yes/no, y/n, on/off, 1/0)"},
		{"bigint(20)", []string{"9223372036854775807"}, []string{"9223372036854775808"}, "the number is out of the range of bigint(20) (-9223372036854775808 to 9223372036854775807)"},
		{"decimal(10,2)", []string{"1.5", "-3", "1e3"}, []string{"1,5"}, "write a number, such as 1.5, -2 or 1e3 (with a point, not a comma)"},
		{"double", []string{"2.5"}, []string{"heavy"}, ""},
		{"date", []string{"2024-02-29", "2024-01-02 03:04:05"}, []string{"2024-02-30", "yesterday"}, "write a date as YYYY-MM-DD"},
		{"datetime(6)", []string{"2024-01-02", "2024-01-02 03:04:05.123456"}, []string{"2024-01-02 24:00:00"}, "write a date and time as YYYY-MM-DD HH:MM:SS (or a date alone, YYYY-MM-DD)"},
		{"time", []string{"12:00", "838:59:59", "-01:00:00", "1 02:03:04"}, []string{"noon", "12:60"}, "write a time as HH:MM:SS"},
		{"json", []string{`{"a": 1}`}, []string{"{a: 1}"}, "write valid JSON"},
		{"varchar(30)", []string{"anything"}, nil, ""},
		{"enum('a','b')", []string{"a"}, nil, ""},
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
