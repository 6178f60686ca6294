// Package dburl turns the database URLs that users write (postgres://, mysql://, sqlite://...)
// into what database/sql needs: a driver name and a DSN in that driver's own syntax.
//
// It imports no driver: the caller (cmd/tandem, or a test) registers the drivers it needs.
// Errors and the Redacted form never contain the password, so both may be printed and logged.
package dburl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The dialect names that Parse returns in URL.Dialect.
const (
	Postgres = "postgres"
	MySQL    = "mysql"
	SQLite   = "sqlite"
)

// ErrUnsupported is wrapped by Parse when the URL's scheme names no database tandem supports.
var ErrUnsupported = errors.New("unsupported database URL")

// URL is a parsed database URL.
type URL struct {
	// Dialect is "postgres", "mysql" or "sqlite".
	Dialect string
	// Driver is the database/sql driver name: "pgx", "mysql" or "sqlite".
	Driver string
	// DSN is what sql.Open takes for Driver.
	DSN string
	// Redacted is the URL as written with every password (the user info's, a password or
	// sslpassword query parameter) replaced by xxxxx, for output and logs.
	Redacted string
	// Database is the database name, or for SQLite the absolute file path.
	Database string
}

// Parse accepts postgres://, postgresql://, mysql://, mariadb://, sqlite://path, sqlite:path,
// file:path and a bare path ending in .db, .sqlite or .sqlite3. Relative SQLite paths are
// resolved against baseDir (the current directory when baseDir is empty). A libpq key=value
// string or a go-sql-driver DSN is refused with a message saying which URL to write.
//
// For MySQL it converts mysql://user:pass@host:port/db?params into go-sql-driver's
// user:pass@tcp(host:port)/db?params, adding parseTime=true and multiStatements=false unless
// the URL sets them (a socket=/path parameter selects a unix socket instead of TCP; a
// password=P parameter is the password, as libpq reads it, never a server variable). For SQLite
// it builds a modernc.org/sqlite DSN with a 10 s busy timeout, foreign keys on and immediate
// write transactions, keeping any parameters the URL adds.
func Parse(raw, baseDir string) (URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return URL{}, errors.New("dburl: empty database URL; write postgres://, mysql:// or sqlite://path")
	}
	scheme, _, hasScheme := strings.Cut(s, ":")
	scheme = strings.ToLower(scheme)
	switch {
	case hasScheme && (scheme == "postgres" || scheme == "postgresql"):
		return parsePostgres(s)
	case hasScheme && (scheme == "mysql" || scheme == "mariadb"):
		return parseMySQL(s)
	case hasScheme && (scheme == "sqlite" || scheme == "sqlite3" || scheme == "file"):
		return parseSQLite(s, s[len(scheme)+1:], baseDir)
	case isSQLitePath(s):
		return parseSQLite(s, s, baseDir)
	}
	if !strings.Contains(s, "://") {
		if keyValue.MatchString(s) {
			return URL{}, fmt.Errorf("dburl: %q: %w: a key=value connection string is not a URL; write it as a URL such as postgres://user:password@host:port/database?sslmode=require", Redact(s), ErrUnsupported)
		}
		if _, ok := dsnSpan(s, 0); ok || strings.Contains(s, "@tcp(") || strings.Contains(s, "@unix(") {
			return URL{}, fmt.Errorf("dburl: %q: %w: a go-sql-driver DSN is not a URL; write mysql://user:password@host:port/database", Redact(s), ErrUnsupported)
		}
	}
	if hasScheme && !strings.ContainsAny(scheme, `/\ .`) && len(scheme) > 1 {
		return URL{}, fmt.Errorf("dburl: %q: %w: scheme %q; write postgres://, mysql:// or sqlite://path", Redact(s), ErrUnsupported, scheme)
	}
	return URL{}, fmt.Errorf("dburl: %q: %w: write postgres://, mysql:// or sqlite://path (a bare SQLite path must end in .db, .sqlite or .sqlite3)", Redact(s), ErrUnsupported)
}

// keyValue matches the start of a libpq key=value connection string.
var keyValue = regexp.MustCompile(`^\s*[A-Za-z_]+\s*=`)

func isSQLitePath(s string) bool {
	p := s
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	switch strings.ToLower(filepath.Ext(p)) {
	case ".db", ".sqlite", ".sqlite3":
		return true
	}
	return false
}

func parsePostgres(s string) (URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return URL{}, fmt.Errorf("dburl: %q is not a valid URL: %s", Redact(s), urlErrReason(err))
	}
	if u.Opaque != "" {
		return URL{}, fmt.Errorf("dburl: %q: write postgres://user@host:port/database", Redact(s))
	}
	return URL{
		Dialect:  Postgres,
		Driver:   "pgx",
		DSN:      s,
		Redacted: redacted(s, u),
		Database: strings.TrimPrefix(u.Path, "/"),
	}, nil
}

func parseMySQL(s string) (URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return URL{}, fmt.Errorf("dburl: %q is not a valid URL: %s", Redact(s), urlErrReason(err))
	}
	if u.Opaque != "" {
		return URL{}, fmt.Errorf("dburl: %q: write mysql://user:password@host:port/database", Redact(s))
	}
	db := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(db, "/") {
		return URL{}, fmt.Errorf("dburl: %q: the database name %q contains a slash", Redact(s), db)
	}
	q := u.Query()
	// go-sql-driver would send an unknown parameter to the server as SET password=...,
	// which changes the user's password (or fails, quoting it): a password given in the
	// query is the connection's, as libpq reads it for PostgreSQL.
	user := u.User
	for k, vs := range q {
		if !strings.EqualFold(k, "password") {
			continue
		}
		if _, ok := user.Password(); ok || len(vs) > 1 {
			return URL{}, fmt.Errorf("dburl: %q: the password is given twice (in the user info and in the query, or twice in the query); keep one", Redact(s))
		}
		name := ""
		if user != nil {
			name = user.Username()
		}
		user = url.UserPassword(name, vs[0])
		q.Del(k)
	}
	var addr string
	if sock := q.Get("socket"); sock != "" {
		q.Del("socket")
		addr = "unix(" + sock + ")"
	} else {
		host := u.Hostname()
		if host == "" {
			host = "127.0.0.1"
		}
		port := u.Port()
		if port == "" {
			port = "3306"
		}
		addr = "tcp(" + net.JoinHostPort(host, port) + ")"
	}
	if !q.Has("parseTime") {
		q.Set("parseTime", "true")
	}
	if !q.Has("multiStatements") {
		q.Set("multiStatements", "false")
	}
	var b strings.Builder
	if user != nil {
		b.WriteString(user.Username())
		if pw, ok := user.Password(); ok {
			b.WriteString(":" + pw)
		}
		b.WriteString("@")
	}
	b.WriteString(addr + "/" + db)
	// go-sql-driver reads values with url.QueryUnescape, so Encode's escaping round-trips.
	b.WriteString("?" + q.Encode())
	return URL{Dialect: MySQL, Driver: "mysql", DSN: b.String(), Redacted: redacted(s, u), Database: db}, nil
}

// sqliteDefaults are the parameters every SQLite connection gets unless the URL sets them:
// wait up to 10 s for another writer, enforce foreign keys, and take the write lock when a
// transaction begins so that two deploys never deadlock upgrading read locks.
var sqliteDefaults = []struct{ key, value string }{
	{"_pragma", "busy_timeout(10000)"},
	{"_pragma", "foreign_keys(1)"},
	{"_txlock", "immediate"},
}

func parseSQLite(raw, rest, baseDir string) (URL, error) {
	rest = strings.TrimPrefix(rest, "//")
	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		return URL{}, fmt.Errorf("dburl: %q: no SQLite file path; write sqlite://path/to/file.db", Redact(raw))
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return URL{}, fmt.Errorf("dburl: %q: bad query parameters: %v", Redact(raw), err)
	}
	if path != ":memory:" {
		if !filepath.IsAbs(path) {
			base := baseDir
			if base == "" {
				base = "."
			}
			path = filepath.Join(base, path)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return URL{}, fmt.Errorf("dburl: resolve SQLite path %q: %w", path, err)
		}
		path = abs
	}
	var parts []string
	pragmas := params["_pragma"]
	for _, d := range sqliteDefaults {
		if d.key == "_pragma" {
			name, _, _ := strings.Cut(d.value, "(")
			if !hasPragma(pragmas, name) {
				parts = append(parts, d.key+"="+d.value)
			}
			continue
		}
		if !params.Has(d.key) {
			parts = append(parts, d.key+"="+d.value)
		}
	}
	for _, k := range sortedKeys(params) {
		for _, v := range params[k] {
			parts = append(parts, url.QueryEscape(k)+"="+escapeSQLiteValue(v))
		}
	}
	return URL{
		Dialect:  SQLite,
		Driver:   "sqlite",
		DSN:      path + "?" + strings.Join(parts, "&"),
		Redacted: raw,
		Database: path,
	}, nil
}

func hasPragma(pragmas []string, name string) bool {
	for _, p := range pragmas {
		p = strings.ToLower(strings.TrimSpace(p))
		if strings.HasPrefix(p, name+"(") || strings.HasPrefix(p, name+"=") || p == name {
			return true
		}
	}
	return false
}

// escapeSQLiteValue escapes only what would break the driver's own query parsing, keeping
// pragma values such as busy_timeout(5000) readable.
func escapeSQLiteValue(v string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", "+", "%2B", " ", "%20")
	return r.Replace(v)
}

func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// urlErrReason explains a url.Parse failure without repeating any of its text: the URL it
// quotes, and even the "port" it complains about, may be part of a password that holds a '/'.
func urlErrReason(error) string {
	return "check the host and port, and percent-encode special characters in the user name and password"
}

// redacted prefers url.URL's precise redaction of the user info, and falls back on Redact's
// wider one when the URL parsed in a way a reader would not expect (a '#' in a password starts
// a fragment). Query passwords are hidden either way.
func redacted(s string, u *url.URL) string {
	if pw, ok := u.User.Password(); ok && pw != "" && u.Fragment == "" {
		return replace(u.Redacted(), paramSpans(u.Redacted()))
	}
	return Redact(s)
}
