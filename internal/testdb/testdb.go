// Package testdb gives tests a fresh, empty database on the servers of the machine they run on.
//
// It is test support only: it imports the three database drivers, so library packages must
// never import it outside _test.go files (cmd/tandem and tests are the only importers of
// drivers).
//
// The servers are found through environment variables with local defaults:
//
//	TANDEM_TEST_POSTGRES  default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
//	TANDEM_TEST_MYSQL     default mysql://root@127.0.0.1:3306/
//
// When a server is unreachable the test is skipped with a message saying which variable to
// set, except when CI=true, where it fails: a CI run must not pass by testing nothing.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/tandem-db/tandem/internal/dburl"
)

// Default server URLs, used when the environment variables are not set.
const (
	DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	DefaultMySQL    = "mysql://root@127.0.0.1:3306/"
)

// Postgres creates a fresh database named tandem_<test name>_<random> on the server at
// $TANDEM_TEST_POSTGRES and returns its postgres:// URL. The database is dropped (WITH
// (FORCE), so leftover connections do not keep it alive) when the test ends.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := server(t, "TANDEM_TEST_POSTGRES", DefaultPostgres)
	name := dbName(t)
	exec(t, admin, "CREATE DATABASE "+quotePG(name))
	t.Cleanup(func() {
		execCleanup(t, admin, "DROP DATABASE IF EXISTS "+quotePG(name)+" WITH (FORCE)")
	})
	u, err := url.Parse(admin.raw)
	if err != nil {
		t.Fatalf("testdb: parse %s: %v", admin.redacted, err)
	}
	u.Path = "/" + name
	return u.String()
}

// MySQL creates a fresh database (utf8mb4) on the server at $TANDEM_TEST_MYSQL and returns
// its mysql:// URL. The database is dropped when the test ends.
func MySQL(t testing.TB) string {
	t.Helper()
	admin := server(t, "TANDEM_TEST_MYSQL", DefaultMySQL)
	name := dbName(t)
	exec(t, admin, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	t.Cleanup(func() {
		execCleanup(t, admin, "DROP DATABASE IF EXISTS `"+name+"`")
	})
	u, err := url.Parse(admin.raw)
	if err != nil {
		t.Fatalf("testdb: parse %s: %v", admin.redacted, err)
	}
	u.Path = "/" + name
	return u.String()
}

// SQLite returns the URL of a new database file in t.TempDir(). The file is created by the
// first connection.
func SQLite(t testing.TB) string {
	t.Helper()
	return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
}

// Open opens url with the matching driver, checks that it answers, and closes it when the test
// ends.
func Open(t testing.TB, url string) *sql.DB {
	t.Helper()
	u, err := dburl.Parse(url, "")
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	db, err := sql.Open(u.Driver, u.DSN)
	if err != nil {
		t.Fatalf("testdb: open %s: %v", u.Redacted, err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("testdb: connect to %s: %v", u.Redacted, err)
	}
	return db
}

type adminServer struct {
	raw, redacted, driver, dsn string
}

// server returns the admin server named by env, skipping (or failing under CI) when it does
// not answer.
func server(t testing.TB, env, def string) adminServer {
	t.Helper()
	raw := os.Getenv(env)
	if raw == "" {
		raw = def
	}
	u, err := dburl.Parse(raw, "")
	if err != nil {
		t.Fatalf("testdb: $%s: %v", env, err)
	}
	s := adminServer{raw: raw, redacted: u.Redacted, driver: u.Driver, dsn: u.DSN}
	db, err := sql.Open(s.driver, s.dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		msg := fmt.Sprintf("testdb: %s server %s unreachable (set $%s): %v", u.Dialect, u.Redacted, env, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return s
}

func exec(t testing.TB, s adminServer, stmt string) {
	t.Helper()
	if err := execErr(s, stmt); err != nil {
		t.Fatalf("testdb: %s on %s: %v", stmt, s.redacted, err)
	}
}

func execCleanup(t testing.TB, s adminServer, stmt string) {
	t.Helper()
	if err := execErr(s, stmt); err != nil {
		t.Errorf("testdb: cleanup %s on %s: %v", stmt, s.redacted, err)
	}
}

func execErr(s adminServer, stmt string) error {
	db, err := sql.Open(s.driver, s.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

// dbName makes a database name from the test name (lower-case letters, digits and
// underscores, at most 40 characters) and a random suffix, so parallel tests and reruns never
// collide.
func dbName(t testing.TB) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if s := b.String(); s != "" && !strings.HasSuffix(s, "_") {
				b.WriteByte('_')
			}
		}
	}
	base := strings.Trim(b.String(), "_")
	if len(base) > 40 {
		base = base[:40]
	}
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatalf("testdb: random name: %v", err)
	}
	return "tandem_" + base + "_" + hex.EncodeToString(rnd[:])
}

func quotePG(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
