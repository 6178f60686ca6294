package project

import (
	"bytes"
	"strings"

	"github.com/tandem-db/tandem"
)

// utf8BOM is the byte order mark some editors write at the start of a UTF-8 file.
var utf8BOM = []byte("\xef\xbb\xbf")

// parseCSV parses static data: a header row of column names, then one row per line (a quoted
// field may span lines). It follows RFC 4180 with comma as the delimiter; see parseCSVWith.
func parseCSV(file string, data []byte, firstLine int) (*tandem.Data, error) {
	return parseCSVWith(file, data, firstLine, csvOptions{})
}

// csvOptions change how a static data file is read, as Obevo's dataDelimiter and nullToken
// settings do.
type csvOptions struct {
	// Delim separates fields; zero means a comma.
	Delim byte
	// NullToken, when set, is the unquoted field text that means NULL, and an empty unquoted
	// field then reads as an empty string (Obevo's rule when a null token is configured).
	NullToken string
}

// parseCSVWith parses static data read with the given options.
//
// encoding/csv cannot be used because it reports a quoted empty field and an unquoted one alike,
// and the difference matters here: an empty unquoted field is SQL NULL (a nil value), while ""
// is an empty string.
//
// The grammar is RFC 4180 (quotes double to escape, quoted fields may hold delimiters and line
// breaks and keep them byte for byte, lines end in LF or CRLF) with the tolerance hand-written files need: a quote inside an
// unquoted field is kept as written, blanks around a quoted field are ignored, blank lines are
// skipped, and a leading UTF-8 byte order mark is dropped. Header names are trimmed of blanks.
//
// firstLine is the 1-based line of the file where data starts, because callers strip metadata
// lines first; errors and DataRow.Line count from it. Every error is a file:line error.
func parseCSVWith(file string, data []byte, firstLine int, opt csvOptions) (*tandem.Data, error) {
	delim := opt.Delim
	if delim == 0 {
		delim = ','
	}
	if firstLine < 1 {
		firstLine = 1
	}
	r := &csvReader{file: file, data: bytes.TrimPrefix(data, utf8BOM), line: firstLine, delim: delim}

	header, headerLine, err := r.record()
	if err != nil {
		return nil, err
	}
	if header == nil {
		return nil, lineErr(file, firstLine, "static data has no header row; the first line must name the columns, separated by %q", delim)
	}
	out := &tandem.Data{Columns: make([]string, len(header))}
	for i, f := range header {
		name := strings.TrimSpace(f.value)
		if name == "" {
			return nil, lineErr(file, headerLine, "column %d of the header has an empty name; name every column", i+1)
		}
		for j, prev := range out.Columns[:i] {
			if strings.EqualFold(prev, name) {
				return nil, lineErr(file, headerLine, "column %q appears twice in the header (columns %d and %d); column names must be unique", name, j+1, i+1)
			}
		}
		out.Columns[i] = name
	}

	for {
		fields, line, err := r.record()
		if err != nil {
			return nil, err
		}
		if fields == nil {
			return out, nil
		}
		if len(fields) != len(out.Columns) {
			return nil, lineErr(file, line, "row has %d fields but the header has %d columns; every row needs one field per column", len(fields), len(out.Columns))
		}
		row := tandem.DataRow{Line: line, Values: make([]*string, len(fields))}
		for i, f := range fields {
			if f.quoted || !isNullField(f.value, opt.NullToken) {
				v := f.value
				row.Values[i] = &v
			}
		}
		out.Rows = append(out.Rows, row)
	}
}

// csvField is one field as read: its text, and whether it was quoted (which makes an empty field
// an empty string instead of NULL).
type csvField struct {
	value  string
	quoted bool
}

// csvReader reads records from data, counting lines so that every record and error knows where
// it is in the file.
type csvReader struct {
	file  string
	data  []byte
	pos   int
	line  int // line of data[pos]
	delim byte
}

// record reads the next record and the line it starts on. It returns a nil slice at the end of
// the data. Blank lines between records are skipped.
func (r *csvReader) record() ([]csvField, int, error) {
	for r.pos < len(r.data) {
		if n := r.newlineAt(r.pos); n > 0 {
			r.pos += n
			r.line++
			continue
		}
		break
	}
	if r.pos >= len(r.data) {
		return nil, 0, nil
	}
	start := r.line
	var fields []csvField
	for {
		f, err := r.field()
		if err != nil {
			return nil, 0, err
		}
		fields = append(fields, f)
		if r.pos >= len(r.data) {
			return fields, start, nil
		}
		if r.data[r.pos] == r.delim {
			r.pos++
			continue
		}
		// field stops only at a delimiter, a line end or the end of the data
		r.pos += r.newlineAt(r.pos)
		r.line++
		return fields, start, nil
	}
}

// newlineAt returns the length of the line break at i (1 for LF, 2 for CRLF), or 0.
func (r *csvReader) newlineAt(i int) int {
	switch {
	case i < len(r.data) && r.data[i] == '\n':
		return 1
	case i+1 < len(r.data) && r.data[i] == '\r' && r.data[i+1] == '\n':
		return 2
	}
	return 0
}

// atFieldEnd reports whether position i ends a field: the end of the data, a delimiter or a line
// break.
func (r *csvReader) atFieldEnd(i int) bool {
	return i >= len(r.data) || r.data[i] == r.delim || r.newlineAt(i) > 0
}

// field reads one field and leaves pos on what ends it.
func (r *csvReader) field() (csvField, error) {
	// blanks before an opening quote are tolerated: `a, "b"` reads b as quoted
	i := r.pos
	for i < len(r.data) && isBlank(r.data[i]) && r.data[i] != r.delim {
		i++
	}
	if i < len(r.data) && r.data[i] == '"' {
		r.pos = i
		return r.quoted()
	}
	start := r.pos
	for !r.atFieldEnd(r.pos) {
		r.pos++
	}
	return csvField{value: string(r.data[start:r.pos])}, nil
}

// quoted reads a quoted field starting at the opening quote at pos. The field keeps the bytes
// between its quotes exactly, line breaks included (a CRLF stays CRLF), except that a doubled
// quote reads as one: a value must not change with the way it is read back, and one that
// holds a carriage return means it.
func (r *csvReader) quoted() (csvField, error) {
	openLine := r.line
	r.pos++ // opening quote
	var b strings.Builder
	for {
		j := bytes.IndexByte(r.data[r.pos:], '"')
		if j < 0 {
			return csvField{}, lineErr(r.file, openLine, "quoted field is not terminated; add the closing quote (write a quote inside a quoted field as \"\")")
		}
		chunk := r.data[r.pos : r.pos+j]
		b.Write(chunk)
		r.line += bytes.Count(chunk, []byte("\n"))
		r.pos += j
		// a quote: doubled is an escaped quote, single closes the field
		if r.pos+1 < len(r.data) && r.data[r.pos+1] == '"' {
			b.WriteByte('"')
			r.pos += 2
			continue
		}
		r.pos++
		break
	}
	closeLine := r.line
	for r.pos < len(r.data) && isBlank(r.data[r.pos]) && r.data[r.pos] != r.delim {
		r.pos++
	}
	if !r.atFieldEnd(r.pos) {
		return csvField{}, lineErr(r.file, closeLine, "unexpected text after the closing quote of a field; write a quote inside a quoted field as \"\"")
	}
	return csvField{value: b.String(), quoted: true}, nil
}

// isNullField reports whether an unquoted field means NULL: an empty field, or, when a null
// token is configured, exactly that token.
func isNullField(v, nullToken string) bool {
	if nullToken != "" {
		return v == nullToken
	}
	return v == ""
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }
