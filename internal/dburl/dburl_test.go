package dburl

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sqliteDefaultParams = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		base string
		want URL
	}{
		{
			name: "postgres",
			raw:  "postgres://app:s3cret@db1:5433/shop?sslmode=disable",
			want: URL{Dialect: "postgres", Driver: "pgx", DSN: "postgres://app:s3cret@db1:5433/shop?sslmode=disable",
				Redacted: "postgres://app:xxxxx@db1:5433/shop?sslmode=disable", Database: "shop"},
		},
		{
			name: "postgresql scheme without password",
			raw:  "postgresql://postgres@127.0.0.1/postgres",
			want: URL{Dialect: "postgres", Driver: "pgx", DSN: "postgresql://postgres@127.0.0.1/postgres",
				Redacted: "postgresql://postgres@127.0.0.1/postgres", Database: "postgres"},
		},
		{
			name: "mysql",
			raw:  "mysql://root:pw@db2:3307/shop?tls=skip-verify",
			want: URL{Dialect: "mysql", Driver: "mysql",
				DSN:      "root:pw@tcp(db2:3307)/shop?multiStatements=false&parseTime=true&tls=skip-verify",
				Redacted: "mysql://root:xxxxx@db2:3307/shop?tls=skip-verify", Database: "shop"},
		},
		{
			name: "mariadb default host and port, user params kept",
			raw:  "mariadb://root@/shop?parseTime=false&loc=Local",
			want: URL{Dialect: "mysql", Driver: "mysql",
				DSN:      "root@tcp(127.0.0.1:3306)/shop?loc=Local&multiStatements=false&parseTime=false",
				Redacted: "mariadb://root@/shop?parseTime=false&loc=Local", Database: "shop"},
		},
		{
			name: "mysql no database, ipv6",
			raw:  "mysql://root@[::1]:3306/",
			want: URL{Dialect: "mysql", Driver: "mysql",
				DSN:      "root@tcp([::1]:3306)/?multiStatements=false&parseTime=true",
				Redacted: "mysql://root@[::1]:3306/", Database: ""},
		},
		{
			name: "mysql socket, escaped password",
			raw:  "mysql://u:p%40ss%2Fw@localhost/db?socket=/run/mysqld/mysqld.sock",
			want: URL{Dialect: "mysql", Driver: "mysql",
				DSN:      "u:p@ss/w@unix(/run/mysqld/mysqld.sock)/db?multiStatements=false&parseTime=true",
				Redacted: "mysql://u:xxxxx@localhost/db?socket=/run/mysqld/mysqld.sock", Database: "db"},
		},
		{
			name: "sqlite absolute",
			raw:  "sqlite:///var/lib/app.db",
			want: URL{Dialect: "sqlite", Driver: "sqlite", DSN: "/var/lib/app.db?" + sqliteDefaultParams,
				Redacted: "sqlite:///var/lib/app.db", Database: "/var/lib/app.db"},
		},
		{
			name: "sqlite relative double slash",
			raw:  "sqlite://data/app.db",
			base: "/proj",
			want: URL{Dialect: "sqlite", Driver: "sqlite", DSN: "/proj/data/app.db?" + sqliteDefaultParams,
				Redacted: "sqlite://data/app.db", Database: "/proj/data/app.db"},
		},
		{
			name: "sqlite opaque relative",
			raw:  "sqlite:app.db",
			base: "/proj",
			want: URL{Dialect: "sqlite", Driver: "sqlite", DSN: "/proj/app.db?" + sqliteDefaultParams,
				Redacted: "sqlite:app.db", Database: "/proj/app.db"},
		},
		{
			name: "file scheme with user params and overridden pragma",
			raw:  "file:x/app.sqlite?_pragma=busy_timeout(500)&_time_format=sqlite",
			base: "/proj",
			want: URL{Dialect: "sqlite", Driver: "sqlite",
				DSN:      "/proj/x/app.sqlite?_pragma=foreign_keys(1)&_txlock=immediate&_pragma=busy_timeout(500)&_time_format=sqlite",
				Redacted: "file:x/app.sqlite?_pragma=busy_timeout(500)&_time_format=sqlite", Database: "/proj/x/app.sqlite"},
		},
		{
			name: "bare path",
			raw:  "state/tandem.db",
			base: "/proj",
			want: URL{Dialect: "sqlite", Driver: "sqlite", DSN: "/proj/state/tandem.db?" + sqliteDefaultParams,
				Redacted: "state/tandem.db", Database: "/proj/state/tandem.db"},
		},
		{
			name: "bare path sqlite3 with dot dot",
			raw:  "../x.sqlite3",
			base: "/proj/sub",
			want: URL{Dialect: "sqlite", Driver: "sqlite", DSN: "/proj/x.sqlite3?" + sqliteDefaultParams,
				Redacted: "../x.sqlite3", Database: "/proj/x.sqlite3"},
		},
		{
			name: "sqlite memory",
			raw:  "sqlite::memory:",
			want: URL{Dialect: "sqlite", Driver: "sqlite", DSN: ":memory:?" + sqliteDefaultParams,
				Redacted: "sqlite::memory:", Database: ":memory:"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.raw, tc.base)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.raw, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.raw, diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		unsupported bool
		want        string // a substring of the message
	}{
		{name: "empty", raw: "  ", want: "empty database URL"},
		{name: "unknown scheme", raw: "oracle://scott:tiger@db/orcl", unsupported: true, want: `scheme "oracle"`},
		{name: "bare path without extension", raw: "data/app", unsupported: true, want: "must end in .db"},
		{name: "bad postgres port", raw: "postgres://u:topsecret@host:99x/db", want: "not a valid URL"},
		{name: "password with slash breaks the host", raw: "postgres://u:top/secret@host/db", want: "not a valid URL"},
		{name: "bad mysql url", raw: "mysql://u:topsecret@ho st/db", want: "not a valid URL"},
		{name: "mysql slash in db", raw: "mysql://u:topsecret@host/a/b", want: "contains a slash"},
		{name: "sqlite without path", raw: "sqlite://", want: "no SQLite file path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.raw, "/base")
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error", tc.raw)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
			if !strings.HasPrefix(msg, "dburl: ") {
				t.Errorf("error %q lacks the package prefix", msg)
			}
			if errors.Is(err, ErrUnsupported) != tc.unsupported {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v", !tc.unsupported, tc.unsupported)
			}
			for _, secret := range []string{"topsecret", "secret", "tiger"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q shows the password", msg)
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:pw@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://h/db", "postgres://h/db"},
		{"mysql://u:p@ss:w@h/db", "mysql://u:xxxxx@h/db"},
		{"mysql://u:p/w@h/db", "mysql://u:xxxxx@h/db"},
		{"state/app.db", "state/app.db"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzParse checks that Parse never panics and never shows a password in its Redacted form or
// its error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"postgres://app:s3cretpw@db1:5433/shop?sslmode=disable",
		"postgresql://u:pa/ss@host/db",
		"mysql://root:pwpwpwpw@db2:3307/shop?tls=true",
		"mariadb://root:x%40y@/shop",
		"mysql://u:p@ss@h:1/d",
		"sqlite:///var/lib/app.db?_pragma=foreign_keys(0)",
		"sqlite:app.db",
		"file:a b.db",
		"x.sqlite",
		"oracle://a:b@c/d",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := Parse(raw, "/base")
		pw := password(raw)
		if len(pw) < 6 || strings.Contains(strconv.Quote(withoutUserinfo(raw)), pw) || strings.Contains("xxxxx", pw) {
			return // the password is not distinguishable from the rest of the URL
		}
		if err != nil {
			if strings.Contains(err.Error(), pw) {
				t.Fatalf("Parse(%q) error %q shows the password", raw, err)
			}
			return
		}
		if got.Dialect != "sqlite" && strings.Contains(got.Redacted, pw) {
			t.Fatalf("Parse(%q).Redacted = %q shows the password", raw, got.Redacted)
		}
	})
}

// password extracts what a reader would take for the password: between the first ':' after
// "://" and the last '@'.
func password(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	rest := raw[i+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return ""
	}
	c := strings.IndexByte(rest[:at], ':')
	if c < 0 {
		return ""
	}
	pw := rest[c+1 : at]
	if u, err := url.PathUnescape(pw); err == nil && u != pw && len(u) < len(pw) {
		return "" // escaped forms are checked by the table tests
	}
	return pw
}

func withoutUserinfo(raw string) string {
	i := strings.Index(raw, "://")
	rest := raw[i+3:]
	at := strings.LastIndex(rest, "@")
	c := strings.IndexByte(rest[:at], ':')
	return raw[:i+3] + rest[:c] + rest[at:]
}
