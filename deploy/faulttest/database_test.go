package faulttest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/dialect/postgres"
	"github.com/tandem-db/tandem/dialect/sqlite"
	"github.com/tandem-db/tandem/internal/dburl"
	"github.com/tandem-db/tandem/internal/testdb"
)

// kind is one database server (or SQLite) that the tests run against.
type kind struct {
	name    string
	fresh   func(testing.TB) string
	dialect tandem.Dialect
	// transactional: every statement of a change commits with its history row, so the history
	// must say exactly what is in the database after a kill. On MariaDB DDL commits implicitly,
	// and a kill between a DDL statement and its progress row leaves it applied but unrecorded.
	transactional bool
}

var kinds = []kind{
	{"sqlite", testdb.SQLite, sqlite.New(), true},
	{"postgres", testdb.Postgres, postgres.New(), true},
	{"mysql", testdb.MySQL, mysql.New(), false},
}

// forEachKind runs fn once per kind, as a subtest named after it.
func forEachKind(t *testing.T, fn func(t *testing.T, k kind)) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) { fn(t, k) })
	}
}

// database is one fresh database of a kind, with a project folder written for it and one
// connection of the test's own for checks.
type database struct {
	kind kind
	url  string
	phys string // the physical schema that the logical schema app maps to ("" on SQLite)
	hist string // the physical schema of tandem's history tables ("" on SQLite)
	dir  string // the project folder
	db   *sql.DB
}

// newDatabase creates a fresh database of kind k and writes the project m for it.
func newDatabase(t *testing.T, k kind, m *model) *database {
	t.Helper()
	d := &database{kind: k, url: k.fresh(t), dir: t.TempDir()}
	switch k.name {
	case "postgres":
		d.phys, d.hist = "app", "public"
	case "mysql":
		// A MySQL schema is a database: map app onto the test's own, which also holds history.
		u, err := dburl.Parse(d.url, "")
		if err != nil {
			t.Fatal(err)
		}
		d.phys, d.hist = u.Database, u.Database
	}
	m.write(t, d.dir, d.phys)
	d.db = testdb.Open(t, d.url)
	// One connection, so that waiting for the database to go quiet can tell it from the others.
	d.db.SetMaxOpenConns(1)
	d.db.SetMaxIdleConns(1)
	return d
}

// object returns the qualified name of an object of the app schema.
func (d *database) object(name string) string {
	if d.phys == "" {
		return d.kind.dialect.QuoteIdent(name)
	}
	return d.kind.dialect.Qualify(d.phys, name)
}

// historyTable returns the qualified name of one of tandem's tables.
func (d *database) historyTable(name string) string {
	if d.hist == "" {
		return d.kind.dialect.QuoteIdent(name)
	}
	return d.kind.dialect.Qualify(d.hist, name)
}

// indexQuery counts the indexes named name in the app schema; on PostgreSQL the valid ones
// only, since an invalid index (a concurrent build killed part way) is not applied.
func (d *database) indexQuery(name string) string {
	switch d.kind.name {
	case "postgres":
		return fmt.Sprintf(`SELECT COUNT(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '%s' AND c.relname = '%s' AND i.indisvalid`, d.phys, name)
	case "mysql":
		return fmt.Sprintf("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '%s' AND INDEX_NAME = '%s'", d.phys, name)
	}
	return fmt.Sprintf("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name = '%s'", name)
}

// quiesce waits until no other session is connected to the database, so that a killed
// deploy's server side (a statement still running, a commit in flight) has finished before the
// database is checked. SQLite runs inside the killed process: nothing outlives it.
func (d *database) quiesce(ctx context.Context) error {
	var q string
	switch d.kind.name {
	case "postgres":
		q = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
	case "mysql":
		q = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()"
	default:
		return nil
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var n int
		if err := d.db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return fmt.Errorf("wait for the killed deploy's sessions to end: %w", err)
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d sessions of a killed deploy are still connected after 60s", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// historyRow is one row of tandem_changes, as far as two deploys of one project must agree.
type historyRow struct {
	Type, Object, Change, Hash, Status string
	Done                               int
}

func (r historyRow) id() string { return r.Type + "." + r.Object + "/" + r.Change }

// history reads tandem_changes, sorted by change; nothing when the table does not exist yet.
func (d *database) history(ctx context.Context) ([]historyRow, error) {
	if _, err := d.kind.dialect.Columns(ctx, d.db, d.hist, tandem.ChangesTable); err != nil {
		if errors.Is(err, tandem.ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("look for %s: %w", tandem.ChangesTable, err)
	}
	rows, err := d.db.QueryContext(ctx, "SELECT object_type, object_name, change_name, hash, status, done FROM "+d.historyTable(tandem.ChangesTable))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", tandem.ChangesTable, err)
	}
	defer rows.Close()
	var out []historyRow
	for rows.Next() {
		var r historyRow
		if err := rows.Scan(&r.Type, &r.Object, &r.Change, &r.Hash, &r.Status, &r.Done); err != nil {
			return nil, fmt.Errorf("read %s: %w", tandem.ChangesTable, err)
		}
		r.Object, r.Change = strings.ToLower(r.Object), strings.ToLower(r.Change)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id() < out[j].id() })
	return out, rows.Err()
}

// eventCounts counts the apply, deploy and data events of each change ("apply table.t01/create").
func (d *database) eventCounts(ctx context.Context) (map[string]int, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT action, object_type, object_name, change_name FROM "+
		d.historyTable(tandem.EventsTable)+" WHERE action IN ('apply', 'deploy', 'data')")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", tandem.EventsTable, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var action, typ, object, change string
		if err := rows.Scan(&action, &typ, &object, &change); err != nil {
			return nil, fmt.Errorf("read %s: %w", tandem.EventsTable, err)
		}
		out[action+" "+typ+"."+strings.ToLower(object)+"/"+strings.ToLower(change)]++
	}
	return out, rows.Err()
}

// snapshot inspects the app schema, with the physical schema name replaced by "app" so that
// two databases compare equal when they hold the same objects.
func (d *database) snapshot(ctx context.Context) ([]tandem.SnapshotObject, error) {
	snap, err := d.kind.dialect.Inspect(ctx, d.db, []string{d.phys})
	if err != nil {
		return nil, err
	}
	var out []tandem.SnapshotObject
	for _, o := range snap.Objects() {
		if strings.HasPrefix(strings.ToLower(o.Name), "tandem_") {
			continue
		}
		if o.Schema == d.phys {
			o.Schema = "app"
		}
		out = append(out, o)
	}
	return out, nil
}

// applied runs a probe: whether its statement took effect, and a description of a torn write
// (some rows of a data file but not all) when it only half did.
func (d *database) applied(ctx context.Context, p probe) (ok bool, torn string) {
	var n int
	if err := d.db.QueryRowContext(ctx, p.query(d)).Scan(&n); err != nil {
		return false, ""
	}
	if p.want == 0 {
		return n > 0, ""
	}
	if n > 0 && n != p.want {
		return false, fmt.Sprintf("%d of %d rows", n, p.want)
	}
	return n == p.want, ""
}
