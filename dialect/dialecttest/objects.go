package dialecttest

import (
	"errors"
	"regexp"
	"testing"

	"github.com/tandem-db/tandem"
)

func (s *suite) testDropObject(t *testing.T) {
	ctx := ctxT(t)
	for _, o := range s.fx.objects {
		t.Run(string(o.typ)+" "+o.name, func(t *testing.T) {
			for _, st := range o.create {
				if _, err := s.db.ExecContext(ctx, s.sub(st)); err != nil {
					if o.optional {
						t.Skipf("%s: %v", s.sub(st), err)
					}
					t.Fatalf("%s: %v", s.sub(st), err)
				}
			}
			defer s.exec(t, o.cleanup...)
			if has(s.snapshot(t), s.snapSchema(), o.typ, o.inspectName) == nil {
				t.Fatalf("Inspect does not show %s %s after it was created", o.typ, o.inspectName)
			}
			if err := s.d.DropObject(ctx, s.db, s.schema, o.typ, o.name); err != nil {
				t.Fatalf("DropObject(%s %q): %v", o.typ, o.name, err)
			}
			if got := has(s.snapshot(t), s.snapSchema(), o.typ, o.inspectName); got != nil {
				t.Errorf("%s %s still exists after DropObject: %s", o.typ, o.inspectName, got.Definition)
			}
			// Dropping what is gone is no error.
			if err := s.d.DropObject(ctx, s.db, s.schema, o.typ, o.name); err != nil {
				t.Errorf("DropObject of a missing %s: %v", o.typ, err)
			}
		})
	}
	for _, typ := range s.fx.unsupported {
		if err := s.d.DropObject(ctx, s.db, s.schema, typ, "anything"); err == nil {
			t.Errorf("DropObject(%s) succeeded; the dialect has no such objects", typ)
		}
	}
}

func (s *suite) testColumns(t *testing.T) {
	ctx := ctxT(t)
	s.exec(t, "CREATE TABLE "+s.d.Qualify(s.schema, "dt_pk")+" (a integer NOT NULL, b integer NOT NULL, c integer, PRIMARY KEY (b, a))")
	cols, err := s.d.Columns(ctx, s.db, s.schema, "dt_pk")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.Name+" "+map[bool]string{true: "null", false: "not null"}[c.Nullable]+" pk"+string(rune('0'+c.PrimaryKey)))
	}
	want := []string{"a not null pk2", "b not null pk1", "c null pk0"}
	if len(got) != len(want) {
		t.Fatalf("Columns = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("column %d = %q, want %q", i, got[i], want[i])
		}
	}
	if _, err := s.d.Columns(ctx, s.db, s.schema, "dt_no_such_table"); !errors.Is(err, tandem.ErrNotFound) {
		t.Errorf("Columns of a missing table: %v, want ErrNotFound", err)
	}
	// Unquoted names fold: a table created as DT_Fold is found as dt_fold.
	s.exec(t, "CREATE TABLE {s}DT_Fold (x integer)")
	if _, err := s.d.Columns(ctx, s.db, s.schema, "dt_fold"); err != nil {
		t.Errorf("Columns(dt_fold) of a table created as DT_Fold: %v", err)
	}
}

func (s *suite) testCast(t *testing.T) {
	ctx := ctxT(t)
	s.exec(t, s.fx.castTable)
	c := s.conn(t, s.db)
	for _, st := range s.fx.castSetup {
		if _, err := c.ExecContext(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	cols, err := s.d.Columns(ctx, c, s.schema, "dt_cast")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]tandem.Column{}
	for _, col := range cols {
		byName[col.Name] = col
	}
	tbl := s.d.Qualify(s.schema, "dt_cast")
	idCol := byName["id"]
	for i, tc := range s.fx.casts {
		t.Run(tc.column+" "+tc.in, func(t *testing.T) {
			col, ok := byName[tc.column]
			if !ok {
				t.Fatalf("Columns has no %q: %+v", tc.column, cols)
			}
			if !regexp.MustCompile(`^(` + tc.typeRe + `)$`).MatchString(col.Type) {
				t.Errorf("Columns type of %s = %q, want %s", tc.column, col.Type, tc.typeRe)
			}
			id := 1000 + i
			if tc.column == "id" {
				id = 42
			}
			q := s.d.QuoteIdent(tc.column)
			ins := "INSERT INTO " + tbl + " (id"
			vals := s.d.Cast(s.d.Placeholder(1), idCol)
			args := []any{itoa(id)}
			if tc.column != "id" {
				ins += ", " + q
				vals += ", " + s.d.Cast(s.d.Placeholder(2), col)
				args = append(args, tc.in)
			}
			ins += ") VALUES (" + vals + ")"
			if _, err := c.ExecContext(ctx, ins, args...); err != nil {
				t.Fatalf("%s %q: %v", ins, args, err)
			}
			var got *string
			sel := "SELECT " + s.d.CastText(q, col) + " FROM " + tbl + " WHERE id = " + s.d.Placeholder(1)
			if err := c.QueryRowContext(ctx, sel, id).Scan(&got); err != nil {
				t.Fatalf("%s: %v", sel, err)
			}
			if got == nil || *got != tc.want {
				t.Errorf("%s wrote %q, read back %v, want %q", tc.column, tc.in, deref(got), tc.want)
			}
			if !tc.noCompare {
				var n int
				cmpq := "SELECT COUNT(*) FROM " + tbl + " WHERE id = " + s.d.Placeholder(1) + " AND " + q + " = " + s.d.Cast(s.d.Placeholder(2), col)
				if err := c.QueryRowContext(ctx, cmpq, id, tc.in).Scan(&n); err != nil || n != 1 {
					t.Errorf("%s with %q: %d rows, %v; want 1", cmpq, tc.in, n, err)
				}
			}
			// NULL stays NULL both ways.
			if tc.column != "id" {
				upd := "UPDATE " + tbl + " SET " + q + " = " + s.d.Cast(s.d.Placeholder(1), col) + " WHERE id = " + s.d.Placeholder(2)
				if _, err := c.ExecContext(ctx, upd, nil, id); err != nil {
					t.Fatalf("%s: %v", upd, err)
				}
				if err := c.QueryRowContext(ctx, sel, id).Scan(&got); err != nil || got != nil {
					t.Errorf("NULL read back as %v, %v", deref(got), err)
				}
			}
		})
	}
}

func itoa(i int) string { return fmtInt(i) }

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}
