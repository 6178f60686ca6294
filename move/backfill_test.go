package move

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
)

func TestBackfillCopiesUpToBound(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			m := newMove(t, tg)
			insertUsers(t, m.A, 1, 2500)
			// A row the application dual-wrote: the backfill must not overwrite it.
			mustExec(t, m.B.DB, "INSERT INTO accounts (id, full_name, email, remark) VALUES ("+ph(m.B, 1, 4)+")", 42, "Newer Name", "user42@example.com", "newer")
			h, err := m.FixBound(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.String(); got != "(2500)" {
				t.Fatalf("bound = %s, want (2500)", got)
			}
			insertUsers(t, m.A, 2501, 2600) // after H: the application's business
			if h2, err := m.FixBound(ctx); err != nil || h2.String() != "(2500)" {
				t.Fatalf("second FixBound = %v, %v; want the first bound (2500)", h2, err)
			}
			var progress []Progress
			bf := &Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 300}, Progress: func(p Progress) { progress = append(progress, p) }}
			if err := bf.Run(ctx); err != nil {
				t.Fatal(err)
			}
			want := expectedAccounts(t, m.A, 2500)
			newer := "newer"
			want[41] = account{ID: 42, FullName: "Newer Name", Email: "user42@example.com", Remark: &newer}
			diffAccounts(t, want, readAccounts(t, m.B))
			cp, err := m.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !cp.Done || cp.RowsCopied != 2499 || cp.RowsScanned != 2500 || cp.Total != 2500 || cp.LastKey.String() != "(2500)" {
				t.Fatalf("checkpoint = %+v; want done, 2499 copied, 2500 scanned of 2500, last (2500)", cp)
			}
			last := progress[len(progress)-1]
			if !last.Done || last.Copied != 2499 || last.Total != 2500 {
				t.Fatalf("last progress = %+v", last)
			}
			// Run again: nothing to do.
			if err := bf.Run(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBackfillNeedsBound(t *testing.T) {
	m := newMove(t, targets[0])
	err := (&Backfiller{Move: m}).Run(testCtx(t))
	if !errors.Is(err, ErrNoBound) {
		t.Fatalf("Run before FixBound = %v; want ErrNoBound", err)
	}
}

func TestBackfillUniqueConflict(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			m := newMove(t, tg)
			insertUsers(t, m.A, 1, 50)
			// Rows 17 and 33 differ only in case: lower(email) collides on B's unique email.
			mustExec(t, m.A.DB, "UPDATE users SET email = 'Dup@Example.com' WHERE id = 17")
			mustExec(t, m.A.DB, "UPDATE users SET email = 'DUP@example.com' WHERE id = 33")
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			err := (&Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 1000}}).Run(ctx)
			var uc *UniqueConflictError
			if !errors.As(err, &uc) {
				t.Fatalf("Run = %v; want a *UniqueConflictError", err)
			}
			if got := keysString(uc.Keys); got != "(17) (33)" {
				t.Fatalf("conflict keys = %s; want (17) (33); error: %v", got, err)
			}
			if !strings.Contains(err.Error(), "A keys (17), (33)") {
				t.Fatalf("error = %q; want it to name A keys (17), (33)", err)
			}
			if n := len(readAccounts(t, m.B)); n != 0 {
				t.Fatalf("B has %d rows after the failed batch; want 0 (the batch rolls back)", n)
			}
		})
	}
}

func keysString(keys []Key) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = k.String()
	}
	return strings.Join(s, " ")
}

func TestBackfillResumeAfterCancel(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			m := newMove(t, tg)
			insertUsers(t, m.A, 1, 3000)
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			cctx, cancel := context.WithCancel(ctx)
			batches := 0
			bf := &Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 100, Target: time.Nanosecond}, Progress: func(p Progress) {
				if p.Batches > 0 {
					batches++
				}
				if batches == 5 {
					cancel()
				}
			}}
			if err := bf.Run(cctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v; want context.Canceled", err)
			}
			cp, _ := m.Checkpoint(ctx)
			if cp.Done || cp.RowsCopied == 0 || cp.RowsCopied != int64(len(readAccounts(t, m.B))) {
				t.Fatalf("after cancel: checkpoint %+v, B has %d rows", cp, len(readAccounts(t, m.B)))
			}
			if err := (&Backfiller{Move: m}).Run(ctx); err != nil {
				t.Fatal(err)
			}
			cp, _ = m.Checkpoint(ctx)
			if !cp.Done || cp.RowsCopied != 3000 || cp.RowsScanned != 3000 {
				t.Fatalf("after resume: checkpoint %+v; want 3000 copied and scanned", cp)
			}
			diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
		})
	}
}
