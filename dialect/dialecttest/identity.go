package dialecttest

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/testdb"
)

// freshDatabases make another fresh database on the suite's server, for each dialect.
var freshDatabases = map[string]func(testing.TB) string{
	"postgres": testdb.Postgres,
	"mysql":    testdb.MySQL,
	"sqlite":   testdb.SQLite,
}

// testDatabaseIdentity checks DatabaseIdentity: the same text through another connection pool
// opened from another spelling of the suite's URL, a different one for another database.
func (s *suite) testDatabaseIdentity(t *testing.T) {
	ctx := ctxT(t)
	identity := func(t *testing.T, q tandem.Querier) string {
		t.Helper()
		id, err := s.d.DatabaseIdentity(ctx, q)
		if err != nil {
			t.Fatalf("DatabaseIdentity: %v", err)
		}
		if id == "" {
			t.Fatalf("DatabaseIdentity of a database file or server = \"\", want a text naming it")
		}
		return id
	}
	want := identity(t, s.db)
	// A connection, not the pool: the identity must not depend on the session.
	if got := identity(t, s.conn(t, s.db)); got != want {
		t.Errorf("DatabaseIdentity on a connection of the pool = %q, want %q", got, want)
	}
	respelled := Respell(t, s.url)
	if got := identity(t, testdb.Open(t, respelled)); got != want {
		t.Errorf("DatabaseIdentity through %s = %q, want %q (the same database as %s)", respelled, got, want, s.url)
	}
	fresh, ok := freshDatabases[s.d.Name()]
	if !ok {
		t.Fatalf("dialecttest: no fresh database for dialect %q; add it to freshDatabases", s.d.Name())
	}
	other := fresh(t)
	if got := identity(t, testdb.Open(t, other)); got == want {
		t.Errorf("DatabaseIdentity of another database %s = %q, the same as the suite's", other, got)
	}
}

// Respell returns another spelling of a test database URL that reaches the same database: the
// host localhost for 127.0.0.1 (and back), a SQLite file through a symbolic link to its
// folder.
func Respell(t testing.TB, raw string) string {
	t.Helper()
	if path, ok := strings.CutPrefix(raw, "sqlite://"); ok {
		link := filepath.Join(t.TempDir(), "link")
		if err := os.Symlink(filepath.Dir(path), link); err != nil {
			t.Fatalf("dialecttest: respell a SQLite URL: %v", err)
		}
		return "sqlite:" + filepath.Join(link, filepath.Base(path))
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("dialecttest: respell a URL: %v", err)
	}
	switch host, port := u.Hostname(), u.Port(); host {
	case "127.0.0.1":
		u.Host = "localhost:" + port
	case "localhost":
		u.Host = "127.0.0.1:" + port
	default:
		t.Fatalf("dialecttest: respell %s: the host is neither 127.0.0.1 nor localhost", u.Redacted())
	}
	return u.String()
}
