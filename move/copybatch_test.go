package move

import "testing"

// copyBatch itself (not its key-by-key fallback) deletes, updates and inserts in one
// transaction, and counts each key it wrote once.
func TestCopyBatch(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			m := newMove(t, tg)
			insertUsers(t, m.A, 1, 10)
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			if err := (&Backfiller{Move: m}).Run(ctx); err != nil {
				t.Fatal(err)
			}
			mustExec(t, m.A.DB, "UPDATE users SET first_name = 'Changed' WHERE id = 2")
			mustExec(t, m.A.DB, "DELETE FROM users WHERE id = 3")
			insertUsers(t, m.A, 11, 12)
			r, err := m.forward(ctx)
			if err != nil {
				t.Fatal(err)
			}
			keys := []Key{{int64(2)}, {int64(3)}, {int64(11)}, {int64(12)}, {int64(2)}, {int64(99)}}
			n, err := r.copyBatch(ctx, keys)
			if err != nil {
				t.Fatal(err)
			}
			if n != 4 {
				t.Errorf("copyBatch wrote %d keys, want 4 (2 updated, 3 deleted, 11 and 12 inserted)", n)
			}
			diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
			// A key B has with other values than mapping(A) is updated.
			insertUsers(t, m.A, 13, 13)
			mustExec(t, m.B.DB, "INSERT INTO accounts (id, full_name, email, remark) VALUES (13, 'x', 'x@example.com', NULL)")
			if _, err := r.copyBatch(ctx, []Key{{int64(13)}}); err != nil {
				t.Errorf("copyBatch of a key B already has: %v; it updates it", err)
			}
			diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
		})
	}
}
