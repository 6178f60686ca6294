package mysql_test

import (
	"context"
	"testing"

	"github.com/tandem-db/tandem/dialect/mysql"
	"github.com/tandem-db/tandem/internal/testdb"
)

// A fingerprint of named objects changes with every kind of change to them, and not with
// changes to other objects.
func TestFingerprint(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t, testdb.MySQL(t))
	d := mysql.New()
	exec := func(stmt string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	fp := func(names ...string) string {
		t.Helper()
		s, err := d.Fingerprint(ctx, db, "", names)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	exec("CREATE TABLE other (id int PRIMARY KEY)")
	empty := fp("t", "v", "p", "trg")
	steps := []struct{ what, stmt string }{
		{"create table", "CREATE TABLE t (id int PRIMARY KEY, a int)"},
		{"add column", "ALTER TABLE t ADD COLUMN b varchar(10)"},
		{"change a default", "ALTER TABLE t ALTER COLUMN b SET DEFAULT 'x'"},
		{"create index", "CREATE INDEX t_a ON t (a)"},
		{"add a unique constraint", "ALTER TABLE t ADD CONSTRAINT t_b UNIQUE (b)"},
		{"create view", "CREATE VIEW v AS SELECT id FROM t"},
		{"replace view", "CREATE OR REPLACE VIEW v AS SELECT id, a FROM t"},
		{"create procedure", "CREATE PROCEDURE p() BEGIN SELECT 1; END"},
		{"create trigger", "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1"},
		{"drop trigger", "DROP TRIGGER trg"},
		{"drop index", "DROP INDEX t_a ON t"},
		{"drop table", "DROP TABLE t"},
	}
	seen := map[string]string{empty: "the start"}
	prev := empty
	for _, s := range steps {
		exec(s.stmt)
		now := fp("t", "v", "p", "trg")
		if now == prev {
			t.Errorf("%s: the fingerprint did not change", s.what)
		}
		prev = now
		seen[now] = s.what
	}
	// Changes to objects not named leave it alone.
	before := fp("v", "p")
	exec("ALTER TABLE other ADD COLUMN z int")
	exec("CREATE TABLE unnamed (id int)")
	if after := fp("v", "p"); after != before {
		t.Errorf("changes to other tables changed the fingerprint")
	}
	// Names compare case-insensitively; no names, no lookup.
	if fp("V", "P") != before {
		t.Errorf("the fingerprint depends on the case of the names")
	}
	if fp() != "" {
		t.Errorf("a fingerprint of no names = %q, want empty", fp())
	}
}
