// Package dialecttest is the conformance suite that every tandem.Dialect passes against a real
// database. Each adapter's dialect_test.go calls Run with a fresh database from
// internal/testdb.
//
// The suite is test support: it imports internal/testdb, and with it the database drivers, so
// only _test.go files may import it.
package dialecttest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/internal/testdb"
)

// Option adjusts the suite to a dialect's documented behaviour.
type Option func(*config)

type config struct {
	lockOwnedByProcess bool
	provides           []Extra // the optional interfaces the dialect must provide
}

// LockOwnedByProcess says that the dialect's deploy lock belongs to the process rather than to
// the connection (SQLite's lock file): closing the holder's connection does not release it, so
// the suite skips that check, and the adapter tests the death of a holding process itself.
func LockOwnedByProcess() Option { return func(c *config) { c.lockOwnedByProcess = true } }

// suite is the state shared by the subtests.
type suite struct {
	d      tandem.Dialect
	url    string
	db     *sql.DB
	cfg    config
	fx     fixture
	schema string // the physical schema objects are created in; "" without schemas
}

// Run checks the contract (see Contract) and exercises every method of d against the fresh,
// empty database at url. It creates a
// schema with an awkward name ("tandem Suite") where the database has schemas, and drops it at
// the end.
func Run(t *testing.T, d tandem.Dialect, url string, opts ...Option) {
	s := &suite{d: d, url: url, db: testdb.Open(t, url)}
	for _, o := range opts {
		o(&s.cfg)
	}
	fx, ok := fixtures[d.Name()]
	if !ok {
		t.Fatalf("dialecttest: no fixtures for dialect %q; add them to fixtures.go", d.Name())
	}
	s.fx = fx
	t.Run("Contract", func(t *testing.T) { checkContract(t, d, s.cfg) })
	if d.Capabilities().Schemas {
		s.schema = "tandem Suite"
		s.exec(t, d.CreateSchema(s.schema))
		s.exec(t, d.CreateSchema(s.schema)) // idempotent
		t.Cleanup(func() { s.dropSchema(t) })
	} else if got := d.CreateSchema("x"); got != "" {
		t.Errorf("CreateSchema on a database without schemas = %q, want \"\"", got)
	}
	t.Run("Quoting", s.testQuoting)
	t.Run("UseSchema", s.testUseSchema)
	t.Run("HistoryDDL", s.testHistory)
	t.Run("SessionSetup", s.testSessionSetup)
	t.Run("ClientCheck", s.testClientCheck)
	t.Run("Syntax", s.testSyntax)
	t.Run("Names", s.testNames)
	t.Run("Lock", s.testLock)
	t.Run("Retryable", s.testRetryable)
	t.Run("NonTransactional", s.testNonTransactional)
	t.Run("DropObject", s.testDropObject)
	t.Run("Columns", s.testColumns)
	t.Run("Cast", s.testCast)
	t.Run("Inspect", s.testInspect)
	t.Run("Moving", s.testMoving)
	t.Run("Running", s.testRunning)
	t.Run("Limits", s.testLimits)
	t.Run("DatabaseIdentity", s.testDatabaseIdentity)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// sub replaces {s} in a fixture statement by the schema qualifier ("schema". or nothing).
func (s *suite) sub(stmt string) string {
	prefix := strings.TrimSuffix(s.d.Qualify(s.schema, "x"), s.d.QuoteIdent("x"))
	return strings.ReplaceAll(stmt, "{s}", prefix)
}

func (s *suite) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, st := range stmts {
		if st == "" {
			continue
		}
		if _, err := s.db.ExecContext(ctxT(t), s.sub(st)); err != nil {
			t.Fatalf("exec %s: %v", s.sub(st), err)
		}
	}
}

func (s *suite) dropSchema(t *testing.T) {
	q := s.d.QuoteIdent(s.schema)
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+q+" CASCADE"); err == nil {
		return
	}
	if _, err := s.db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+q); err != nil {
		t.Errorf("drop schema %s: %v", q, err)
	}
}

// conn returns a dedicated connection that is discarded (not returned to the pool) at the end of
// the test, so that session settings and locks never leak into other subtests.
func (s *suite) conn(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	c, err := db.Conn(ctxT(t))
	if err != nil {
		t.Fatalf("conn: %v", err)
	}
	t.Cleanup(func() { discard(c) })
	return c
}

// discard closes the physical connection behind c: returning driver.ErrBadConn from Raw makes
// database/sql close it rather than pool it. This is how a test "kills" a lock holder.
func discard(c *sql.Conn) {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
	_ = c.Close()
}

// has reports whether the snapshot holds an object of typ named name (compared
// case-insensitively) in schema.
func has(snap *tandem.Snapshot, schema string, typ tandem.ObjectType, name string) *tandem.SnapshotObject {
	objs := snap.Objects()
	for i, o := range objs {
		if o.Schema == schema && o.Type == typ && strings.EqualFold(o.Name, name) {
			return &objs[i]
		}
	}
	return nil
}

func (s *suite) snapshot(t *testing.T) *tandem.Snapshot {
	t.Helper()
	snap, err := s.d.Inspect(ctxT(t), s.db, []string{s.schema})
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return snap
}

// snapSchema is the Schema that Inspect reports for objects in s.schema.
func (s *suite) snapSchema() string { return s.schema }
