package move

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestVerifyAndRepair(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			m := newMove(t, tg)
			insertUsers(t, m.A, 1, 3000)
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			if err := (&Backfiller{Move: m}).Run(ctx); err != nil {
				t.Fatal(err)
			}
			opts := VerifyOptions{ChunkRows: 1000, RecheckWait: 10 * time.Millisecond}
			rep, err := m.Verify(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || rep.RowsA != 3000 || rep.RowsB != 3000 || rep.Chunks != 4 {
				t.Fatalf("clean verify: %s (chunks %d)", rep, rep.Chunks)
			}
			if v, ok, err := m.LastVerification(ctx); err != nil || !ok || !v.OK || v.RowsA != 3000 || v.RowsB != 3000 || v.Method != rep.Method {
				t.Fatalf("last verification recorded as %+v, %v, %v; want the report's summary", v, ok, err)
			}
			wantMethod := "streamed"
			if tg.shared && tg.name != "sqlite" {
				wantMethod = "sql"
			}
			if rep.Method != wantMethod {
				t.Errorf("method = %s; want %s", rep.Method, wantMethod)
			}

			// Inject one of each difference.
			mustExec(t, m.B.DB, "UPDATE accounts SET full_name = 'Changed' WHERE id = 10")
			mustExec(t, m.B.DB, "DELETE FROM accounts WHERE id = 1500")
			mustExec(t, m.B.DB, "INSERT INTO accounts (id, full_name, email, remark) VALUES ("+ph(m.B, 1, 4)+")", 99999, "Ghost", "ghost@example.com", nil)
			mustExec(t, m.A.DB, "UPDATE users SET note = NULL WHERE id = 2999") // A changed without its dual write
			rep, err = m.Verify(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			want := []Difference{
				{Key: Key{int64(10)}, Kind: Different, Columns: []string{"full_name"}},
				{Key: Key{int64(1500)}, Kind: MissingInB},
				{Key: Key{int64(2999)}, Kind: Different, Columns: []string{"remark"}},
				{Key: Key{int64(99999)}, Kind: ExtraInB},
			}
			if d := cmp.Diff(want, rep.Differences); d != "" {
				t.Fatalf("differences (-want +got):\n%s\nreport:\n%s", d, rep)
			}
			if rep.OK() || rep.DifferingChunks != 4 {
				t.Fatalf("report OK=%v, differing chunks %d; want not OK, 4 chunks (the last one, after 3000, holds 99999)", rep.OK(), rep.DifferingChunks)
			}
			n, err := m.Repair(ctx, rep.Keys())
			if err != nil {
				t.Fatal(err)
			}
			if n != 4 {
				t.Fatalf("Repair wrote %d keys; want 4", n)
			}
			rep, err = m.Verify(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || rep.RowsB != 3000 {
				t.Fatalf("after repair: %s", rep)
			}
			diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
		})
	}
}

func TestCopyBack(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			m := newMove(t, tg)
			insertUsers(t, m.A, 1, 20)
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			if err := (&Backfiller{Move: m}).Run(ctx); err != nil {
				t.Fatal(err)
			}
			// Writes during the reverse window went to B only.
			mustExec(t, m.B.DB, "UPDATE accounts SET full_name = 'Renamed', email = 'renamed@example.com' WHERE id = 3")
			mustExec(t, m.B.DB, "DELETE FROM accounts WHERE id = 4")
			mustExec(t, m.B.DB, "INSERT INTO accounts (id, full_name, email, remark) VALUES ("+ph(m.B, 1, 4)+")", 21, "New One", "new@example.com", "r")
			if err := m.CopyBack(ctx, []Key{{int64(3)}, {int64(4)}, {int64(21)}}); err != nil {
				t.Fatal(err)
			}
			type user struct {
				ID                 int64
				First, Last, Email string
				Note               *string
			}
			rows, err := m.A.DB.QueryContext(ctx, "SELECT id, first_name, last_name, email, note FROM users WHERE id IN (3, 4, 5, 21) ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []user
			for rows.Next() {
				var u user
				if err := rows.Scan(&u.ID, &u.First, &u.Last, &u.Email, &u.Note); err != nil {
					t.Fatal(err)
				}
				got = append(got, u)
			}
			n3, n5, r := "note 3", "note 5", "r"
			want := []user{
				{3, "Renamed", "", "renamed@example.com", &n3},
				{5, "First5", "Last5", "User5@Example.COM", &n5},
				{21, "New One", "", "new@example.com", &r},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("A after CopyBack (-want +got):\n%s", d)
			}
			m.Def.Reverse = nil
			if err := m.CopyBack(ctx, []Key{{int64(3)}}); !errors.Is(err, ErrNoReverse) {
				t.Fatalf("CopyBack without a reverse mapping = %v; want ErrNoReverse", err)
			}
		})
	}
}
