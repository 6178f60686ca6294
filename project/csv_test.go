package project

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-db/tandem"
)

func sp(s string) *string { return &s }

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		firstLine int
		opt       csvOptions
		want      *tandem.Data
	}{
		{
			name: "null and empty string",
			data: "a,b,c\n1,,\"\"\n",
			want: &tandem.Data{Columns: []string{"a", "b", "c"}, Rows: []tandem.DataRow{
				{Line: 2, Values: []*string{sp("1"), nil, sp("")}},
			}},
		},
		{
			name: "trailing empty field is null",
			data: "a,b\n1,",
			want: &tandem.Data{Columns: []string{"a", "b"}, Rows: []tandem.DataRow{
				{Line: 2, Values: []*string{sp("1"), nil}},
			}},
		},
		{
			name: "quoted newline and doubled quotes",
			data: "a,b\n\"x\ny\",\"he said \"\"hi\"\"\"\n3,\"a,b\"\n",
			want: &tandem.Data{Columns: []string{"a", "b"}, Rows: []tandem.DataRow{
				{Line: 2, Values: []*string{sp("x\ny"), sp(`he said "hi"`)}},
				{Line: 4, Values: []*string{sp("3"), sp("a,b")}},
			}},
		},
		{
			name: "CRLF line ends; inside a quoted value the bytes are kept",
			data: "a,b\r\n1,\"x\r\ny\"\r\n2,\r\n",
			want: &tandem.Data{Columns: []string{"a", "b"}, Rows: []tandem.DataRow{
				{Line: 2, Values: []*string{sp("1"), sp("x\r\ny")}},
				{Line: 4, Values: []*string{sp("2"), nil}},
			}},
		},
		{
			name: "byte order mark",
			data: "\xef\xbb\xbfid\n7\n",
			want: &tandem.Data{Columns: []string{"id"}, Rows: []tandem.DataRow{{Line: 2, Values: []*string{sp("7")}}}},
		},
		{
			name:      "first line offset and blank lines",
			data:      "\nid,name\n\n1,x\n\n",
			firstLine: 2,
			want: &tandem.Data{Columns: []string{"id", "name"}, Rows: []tandem.DataRow{
				{Line: 5, Values: []*string{sp("1"), sp("x")}},
			}},
		},
		{
			name: "quoted header, blanks around quoted fields, quote inside unquoted field",
			data: "\"UUID_PK\", \"STR1\" \n ab\"c , \"q\" \n",
			want: &tandem.Data{Columns: []string{"UUID_PK", "STR1"}, Rows: []tandem.DataRow{
				{Line: 2, Values: []*string{sp(` ab"c `), sp("q")}},
			}},
		},
		{
			name: "header only",
			data: "a,b\n",
			want: &tandem.Data{Columns: []string{"a", "b"}},
		},
		{
			name: "delimiter and null token",
			data: "a;b;c\nnull;;\"null\"\n",
			opt:  csvOptions{Delim: ';', NullToken: "null"},
			want: &tandem.Data{Columns: []string{"a", "b", "c"}, Rows: []tandem.DataRow{
				{Line: 2, Values: []*string{nil, sp(""), sp("null")}},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCSVWith("s/staticdata/T.csv", []byte(tc.data), tc.firstLine, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCSVDefaultIsComma(t *testing.T) {
	got, err := parseCSV("t.csv", []byte("a,b\n1,2\n"), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := &tandem.Data{Columns: []string{"a", "b"}, Rows: []tandem.DataRow{{Line: 2, Values: []*string{sp("1"), sp("2")}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		firstLine int
		wantLine  int
		want      string
	}{
		{"no header", "", 1, 1, `t.csv:1: static data has no header row; the first line must name the columns, separated by ','`},
		{"only blank lines", "\n\r\n", 2, 2, `t.csv:2: static data has no header row; the first line must name the columns, separated by ','`},
		{"too few fields", "a,b\n1,2\n3\n", 1, 3, `t.csv:3: row has 1 fields but the header has 2 columns; every row needs one field per column`},
		{"too many fields after a multi-line value", "a,b\n\"x\ny\",2,3\n", 4, 5, `t.csv:5: row has 3 fields but the header has 2 columns; every row needs one field per column`},
		{"duplicate column", "id,Name,NAME\n", 1, 1, `t.csv:1: column "NAME" appears twice in the header (columns 2 and 3); column names must be unique`},
		{"empty column", "a,,b\n", 1, 1, `t.csv:1: column 2 of the header has an empty name; name every column`},
		{"blank column", "a, \n", 1, 1, `t.csv:1: column 2 of the header has an empty name; name every column`},
		{"unterminated quote", "a\n1\n\"x\ny\n", 1, 3, `t.csv:3: quoted field is not terminated; add the closing quote (write a quote inside a quoted field as "")`},
		{"text after closing quote", "a,b\n\"x\"y,2\n", 1, 2, `t.csv:2: unexpected text after the closing quote of a field; write a quote inside a quoted field as ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseCSV("t.csv", []byte(tc.data), tc.firstLine)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "t.csv" || fe.Line != tc.wantLine {
				t.Errorf("error %#v: want a FileError at t.csv:%d", err, tc.wantLine)
			}
		})
	}
}

// writeCSV renders data so that parseCSV reads it back unchanged: every value quoted, NULL empty.
func writeCSV(d *tandem.Data) string {
	var b strings.Builder
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	for i, c := range d.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(c))
	}
	b.WriteByte('\n')
	for _, r := range d.Rows {
		for i, v := range r.Values {
			if i > 0 {
				b.WriteByte(',')
			}
			if v != nil {
				b.WriteString(quote(*v))
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,,\"\"\n",
		"a,b\n\"x\ny\",\"he said \"\"hi\"\"\"\n",
		"a,b\r\n1,\"x\r\ny\"\r\n",
		"\xef\xbb\xbfid\n7\n",
		"a\n\"x",
		"a,,b\n",
		"\"a\"b\n",
		"a, \"b\" \n1, 2\n",
	} {
		f.Add([]byte(s), 1)
	}
	f.Fuzz(func(t *testing.T, data []byte, firstLine int) {
		if firstLine < 1 || firstLine > 1<<20 {
			firstLine = 1
		}
		d, err := parseCSV("f.csv", data, firstLine)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Line < firstLine {
				t.Fatalf("error without a line at or after %d: %v", firstLine, err)
			}
			return
		}
		last := firstLine - 1
		for _, r := range d.Rows {
			if len(r.Values) != len(d.Columns) {
				t.Fatalf("row at line %d has %d values for %d columns", r.Line, len(r.Values), len(d.Columns))
			}
			if r.Line <= last {
				t.Fatalf("row lines not increasing: %d after %d", r.Line, last)
			}
			last = r.Line
		}
		// what was read, written back, reads the same
		again, err := parseCSV("f.csv", []byte(writeCSV(d)), 1)
		if err != nil {
			t.Fatalf("reparse: %v\n%q", err, writeCSV(d))
		}
		strip := func(d *tandem.Data) *tandem.Data {
			c := &tandem.Data{Columns: d.Columns}
			for _, r := range d.Rows {
				c.Rows = append(c.Rows, tandem.DataRow{Values: r.Values})
			}
			return c
		}
		if diff := cmp.Diff(strip(d), strip(again)); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}
