package postgres

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Literal renders v as a PostgreSQL literal. Strings use the escape form (E'...'), in which a
// backslash and a quote are escaped the same way whether standard_conforming_strings is on or
// off; times are rendered with their offset and cast to timestamptz.
func (Dialect) Literal(v any) (string, error) {
	switch v := v.(type) {
	case string:
		if strings.IndexByte(v, 0) >= 0 {
			return "", fmt.Errorf("postgres: a text value cannot hold a NUL byte")
		}
		return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(v) + "'", nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case bool:
		return strconv.FormatBool(v), nil
	case time.Time:
		return "'" + v.Format("2006-01-02 15:04:05.999999-07:00") + "'::timestamptz", nil
	case nil:
		return "NULL", nil
	}
	return "", fmt.Errorf("postgres: no literal form for a %T", v)
}
