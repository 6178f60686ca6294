package dialecttest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
)

// oddNames are identifiers that only survive correct quoting.
var oddNames = []string{"plain", "Mixed Case", `with "double" quotes`, "with `backticks`", "select", "o'neil", "dot.ted", "ünïcødé"}

func (s *suite) testQuoting(t *testing.T) {
	ctx := ctxT(t)
	for _, name := range oddNames {
		t.Run(name, func(t *testing.T) {
			tbl := s.d.Qualify(s.schema, name)
			col := s.d.QuoteIdent(name)
			s.exec(t, "CREATE TABLE "+tbl+" ("+col+" integer NOT NULL PRIMARY KEY)")
			s.exec(t, "INSERT INTO "+tbl+" ("+col+") VALUES (7)")
			var got int
			q := "SELECT " + col + " FROM " + tbl + " WHERE " + col + " = " + s.d.Placeholder(1)
			if err := s.db.QueryRowContext(ctx, q, 7).Scan(&got); err != nil || got != 7 {
				t.Fatalf("%s: got %d, %v; want 7", q, got, err)
			}
			cols, err := s.d.Columns(ctx, s.db, s.schema, name)
			if err != nil {
				t.Fatalf("Columns(%q): %v", name, err)
			}
			if len(cols) != 1 || cols[0].Name != name || cols[0].PrimaryKey != 1 || cols[0].Nullable {
				t.Errorf("Columns(%q) = %+v, want the one primary key column %q", name, cols, name)
			}
			if err := s.d.DropObject(ctx, s.db, s.schema, tandem.Table, name); err != nil {
				t.Fatalf("DropObject(%q): %v", name, err)
			}
			if _, err := s.d.Columns(ctx, s.db, s.schema, name); !errors.Is(err, tandem.ErrNotFound) {
				t.Errorf("Columns after drop: %v, want ErrNotFound", err)
			}
		})
	}
	t.Run("placeholders", func(t *testing.T) {
		s.exec(t, "CREATE TABLE "+s.d.Qualify(s.schema, "dt_ph")+" (a integer, b integer)")
		q := "INSERT INTO " + s.d.Qualify(s.schema, "dt_ph") + " (a, b) VALUES (" + s.d.Placeholder(1) + ", " + s.d.Placeholder(2) + ")"
		if _, err := s.db.ExecContext(ctx, q, 1, 2); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var a, b int
		if err := s.db.QueryRowContext(ctx, "SELECT a, b FROM "+s.d.Qualify(s.schema, "dt_ph")).Scan(&a, &b); err != nil || a != 1 || b != 2 {
			t.Errorf("read back (%d, %d), %v; want (1, 2)", a, b, err)
		}
	})
}

func (s *suite) testUseSchema(t *testing.T) {
	ctx := ctxT(t)
	stmts := s.d.UseSchema(s.schema)
	if s.schema == "" {
		if len(stmts) != 0 {
			t.Errorf("UseSchema without schemas = %q, want none", stmts)
		}
		return
	}
	if len(stmts) == 0 {
		t.Fatalf("UseSchema(%q) renders nothing", s.schema)
	}
	c := s.conn(t, s.db)
	for _, st := range stmts {
		if _, err := c.ExecContext(ctx, st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	if _, err := c.ExecContext(ctx, "CREATE TABLE dt_unqualified (a integer)"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.d.Columns(ctx, s.db, s.schema, "dt_unqualified"); err != nil {
		t.Errorf("an unqualified table after UseSchema is not in %q: %v", s.schema, err)
	}
}

func (s *suite) testSessionSetup(t *testing.T) {
	ctx := ctxT(t)
	if got := s.d.SessionSetup(0); len(got) != 0 {
		t.Errorf("SessionSetup(0) = %q, want nothing (the database's default)", got)
	}
	stmts := s.d.SessionSetup(1500 * time.Millisecond)
	if s.d.Capabilities().LockTimeout && len(stmts) == 0 {
		t.Errorf("SessionSetup(1.5s) renders nothing, but Capabilities says LockTimeout")
	}
	c := s.conn(t, s.db)
	for _, st := range stmts {
		if _, err := c.ExecContext(ctx, st); err != nil {
			t.Errorf("%s: %v", st, err)
		}
	}
}

func (s *suite) testNonTransactional(t *testing.T) {
	ctx := ctxT(t)
	for _, st := range []string{"", "SELECT 1", "CREATE TABLE x (a int)", "-- VACUUM\nSELECT 1", "INSERT INTO x VALUES (1)", "/* CREATE DATABASE */ UPDATE x SET a = 1"} {
		if s.d.NonTransactional(st) {
			t.Errorf("NonTransactional(%q) = true, want false", st)
		}
	}
	if !s.d.Capabilities().TransactionalDDL {
		for _, st := range []string{"VACUUM", "CREATE INDEX CONCURRENTLY i ON t (a)", "CREATE DATABASE x"} {
			if s.d.NonTransactional(st) {
				t.Errorf("NonTransactional(%q) = true on a database whose DDL is never transactional", st)
			}
		}
	}
	s.exec(t, s.fx.nonTxSetup...)
	run := func(t *testing.T, st string, inTx bool) error {
		c := s.conn(t, s.db)
		if !inTx {
			_, err := c.ExecContext(ctx, st)
			return err
		}
		tx, err := c.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		_, err = tx.ExecContext(ctx, st)
		return err // rolled back either way: the statement runs for real below
	}
	for _, raw := range s.fx.nonTx {
		st := s.sub(raw)
		t.Run(st, func(t *testing.T) {
			if !s.d.NonTransactional(st) {
				t.Errorf("NonTransactional(%q) = false, want true", st)
			}
			if err := run(t, st, true); err == nil && !slices.Contains(lenientNonTx, raw) {
				t.Errorf("%q succeeded inside a transaction; the fixture is wrong", st)
			}
			if err := run(t, st, false); err != nil {
				t.Errorf("%q outside a transaction: %v", st, err)
			}
		})
	}
	for _, st := range s.fx.tx {
		st := s.sub(st)
		t.Run(st, func(t *testing.T) {
			if s.d.NonTransactional(st) {
				t.Errorf("NonTransactional(%q) = true, want false", st)
			}
			if err := run(t, st, true); err != nil {
				t.Errorf("%q inside a transaction: %v", st, err)
			}
		})
	}
}

// lenientNonTx are statements reported as non-transactional to be safe although the server
// accepts them in a transaction (PostgreSQL 12+ runs ALTER TYPE ... ADD VALUE in one, but the
// new label is unusable until commit).
var lenientNonTx = []string{"ALTER TYPE {s}dt_nt_mood ADD VALUE 'new'"}
