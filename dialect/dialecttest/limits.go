package dialecttest

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/tandem-db/tandem"
)

// testLimits holds what a dialect says a table refuses (tandem.LimitReader) to what the
// database does: every limit it reports is enforced right past it and not at it, a limit it
// does not report is not enforced, and an INSERT that leaves out a column fails exactly when
// the column is NOT NULL and not Filled. A tandem.ValueTester's renderings are held to what
// the database stores and refuses, value by value.
func (s *suite) testLimits(t *testing.T) {
	ctx := ctxT(t)
	lr := s.d
	q := s.d.Qualify(s.schema, "dt_limits")
	s.exec(t, "CREATE TABLE "+q+" (id integer NOT NULL PRIMARY KEY, name varchar(10) NOT NULL, n integer, d numeric(5,2), dflt integer NOT NULL DEFAULT 3, bare integer NOT NULL)")
	if _, err := lr.Limits(ctx, s.db, s.schema, "dt_nosuch"); !errors.Is(err, tandem.ErrNotFound) {
		t.Errorf("Limits of a missing table: %v, want ErrNotFound", err)
	}
	lims, err := lr.Limits(ctx, s.db, s.schema, "dt_limits")
	if err != nil {
		t.Fatal(err)
	}
	lim := func(name string) tandem.ColumnLimits {
		l, ok := lims.Column(name)
		if !ok {
			t.Fatalf("Limits has no column %s: %+v", name, lims.Columns)
		}
		return l
	}
	id := 0
	insert := func(cols []string, vals []string) error {
		id++
		_, err := s.db.ExecContext(ctx, "INSERT INTO "+q+" (id, "+strings.Join(cols, ", ")+") VALUES ("+fmt.Sprint(id)+", "+strings.Join(vals, ", ")+")")
		return err
	}
	// row inserts a full row with one column's value replaced.
	row := func(col, val string) error {
		cols := []string{"name", "n", "d", "dflt", "bare"}
		vals := []string{"'x'", "1", "1", "1", "1"}
		for i, c := range cols {
			if c == col {
				vals[i] = val
			}
		}
		return insert(cols, vals)
	}
	holds := func(col, at, past string, limited bool, what string) {
		t.Helper()
		if err := row(col, at); err != nil {
			t.Errorf("%s: %s = %s refused at the limit: %v", what, col, at, err)
		}
		switch err := row(col, past); {
		case limited && err == nil:
			t.Errorf("%s: %s = %s accepted past the limit the dialect reports", what, col, past)
		case !limited && err != nil:
			t.Errorf("%s: %s = %s refused, but the dialect reports no limit: %v", what, col, past, err)
		}
	}
	if l := lim("name"); l.Chars > 0 {
		holds("name", "'"+strings.Repeat("é", l.Chars)+"'", "'"+strings.Repeat("x", l.Chars+1)+"'", true, "Chars")
	} else {
		holds("name", "'x'", "'"+strings.Repeat("x", 11)+"'", false, "Chars")
	}
	if l := lim("n"); l.Max != "" {
		maxV, _ := new(big.Int).SetString(l.Max, 10)
		minV, _ := new(big.Int).SetString(l.Min, 10)
		holds("n", l.Max, new(big.Int).Add(maxV, big.NewInt(1)).String(), true, "Max")
		holds("n", l.Min, new(big.Int).Sub(minV, big.NewInt(1)).String(), true, "Min")
	} else {
		holds("n", "1", "2147483648", false, "Max")
	}
	if l := lim("d"); l.Precision > 0 {
		if l.Precision != 5 || l.Scale != 2 {
			t.Errorf("numeric(5,2): Precision %d, Scale %d", l.Precision, l.Scale)
		}
		holds("d", "999.994", "999.995", true, "Precision")
	} else {
		holds("d", "999.99", "1000", false, "Precision")
	}
	for _, col := range []string{"name", "dflt", "bare"} {
		var cols, vals []string
		for _, c := range []string{"name", "n", "d", "dflt", "bare"} {
			if c != col {
				cols, vals = append(cols, c), append(vals, "1")
			}
		}
		err := insert(cols, vals)
		if filled := lim(col).Filled; filled != (err == nil) {
			t.Errorf("an INSERT without %s (NOT NULL, Filled %v): %v", col, filled, err)
		}
	}
	if !lim("dflt").Filled || lim("bare").Filled {
		t.Errorf("Filled: dflt (DEFAULT 3) %v, bare %v; want true, false", lim("dflt").Filled, lim("bare").Filled)
	}

	vt, ok := s.d.(tandem.ValueTester)
	if !ok {
		return
	}
	var n int
	var length int64
	if err := s.db.QueryRowContext(ctx, "SELECT "+vt.CharLength("'é€x'")+", "+vt.ByteLength("'é€x'")).Scan(&n, &length); err != nil || n != 3 || length != 6 {
		t.Errorf("CharLength, ByteLength of 'é€x' = %d, %d, %v; want 3, 6", n, length, err)
	}
	st := s.fx.storage
	if st == nil {
		t.Fatalf("the dialect implements tandem.ValueTester: give its fixture a storage")
	}
	for _, typ := range st.types {
		tq := s.d.Qualify(s.schema, "dt_affinity")
		s.exec(t, "DROP TABLE IF EXISTS "+tq, "CREATE TABLE "+tq+" (id integer PRIMARY KEY, v "+typ+")")
		tl, err := lr.Limits(ctx, s.db, s.schema, "dt_affinity")
		if err != nil {
			t.Fatal(err)
		}
		l, _ := tl.Column("v")
		for i, v := range st.values {
			s.exec(t, fmt.Sprintf("INSERT INTO %s (id, v) VALUES (%d, %s)", tq, i, v))
			var stored, want string
			stmt := fmt.Sprintf("SELECT %[1]s(v), %[1]s(%[2]s) FROM %[3]s WHERE id = %[4]d", st.quote, vt.Stored(v, l), tq, i)
			if err := s.db.QueryRowContext(ctx, stmt).Scan(&want, &stored); err != nil || stored != want {
				t.Errorf("Stored(%s) into a column %q = %s, but the database stores %s (%v)", v, typ, stored, want, err)
			}
		}
	}
	for _, typ := range st.strictTypes {
		tq := s.d.Qualify(s.schema, "dt_strict")
		s.exec(t, "DROP TABLE IF EXISTS "+tq, "CREATE TABLE "+tq+" (id integer PRIMARY KEY, v "+typ+")"+st.strict)
		tl, err := lr.Limits(ctx, s.db, s.schema, "dt_strict")
		if err != nil {
			t.Fatal(err)
		}
		l, _ := tl.Column("v")
		for i, v := range st.values {
			refused := false
			if cond := vt.TypeRefused(v, l); cond != "" {
				if err := s.db.QueryRowContext(ctx, "SELECT "+cond).Scan(&refused); err != nil {
					t.Fatalf("TypeRefused(%s, %s): %v", v, typ, err)
				}
			}
			_, err := s.db.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (id, v) VALUES (%d, %s)", tq, i, v))
			if refused != (err != nil) {
				t.Errorf("TypeRefused(%s) for a %s column of a%s table = %v, but the INSERT gives %v", v, typ, st.strict, refused, err)
			}
		}
	}
}
