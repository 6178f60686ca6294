package move

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandem-db/tandem"
)

// dualWrite applies one application write the way the dual-write rule says, in one
// transaction: write A, then upsert B's row from A's row (or delete it from B).
type dualWrite struct {
	m      *Move
	upsert string
}

func newDualWrite(m *Move) *dualWrite {
	d := m.B.Dialect
	p := d.Placeholder(1)
	sel := "SELECT id, CONCAT(first_name, ' ', last_name), lower(email), note FROM users WHERE id = " + p
	var up string
	switch d.Name() {
	case "mysql":
		up = "INSERT INTO accounts (id, full_name, email, remark) " + sel +
			" ON DUPLICATE KEY UPDATE full_name = VALUES(full_name), email = VALUES(email), remark = VALUES(remark)"
	default:
		up = "INSERT INTO accounts (id, full_name, email, remark) " + sel +
			" ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, email = excluded.email, remark = excluded.remark"
	}
	return &dualWrite{m: m, upsert: up}
}

// apply inserts, updates or deletes A's row id (whichever fits), with its dual write. It
// retries deadlocks and lock timeouts, as an application would.
func (w *dualWrite) apply(ctx context.Context, id int, seq int64, rng *rand.Rand) error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if err = w.try(ctx, id, seq, rng); err == nil || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
	}
	return err
}

func (w *dualWrite) try(ctx context.Context, id int, seq int64, rng *rand.Rand) error {
	a := w.m.A
	tx, err := a.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p1, p2, p3 := a.Dialect.Placeholder(1), a.Dialect.Placeholder(2), a.Dialect.Placeholder(3)
	var exists int
	err = tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE id = "+p1, id).Scan(&exists)
	if err != nil {
		return err
	}
	email := fmt.Sprintf("w%d@Example.com", seq)
	switch {
	case exists == 0:
		_, err = tx.ExecContext(ctx, "INSERT INTO users (id, first_name, last_name, email, note) VALUES ("+ph(a, 1, 5)+")", id, "New", fmt.Sprint(seq), email, "inserted")
	case rng.IntN(3) == 0:
		if _, err = tx.ExecContext(ctx, "DELETE FROM users WHERE id = "+p1, id); err == nil {
			_, err = tx.ExecContext(ctx, "DELETE FROM accounts WHERE id = "+p1, id)
		}
		if err != nil {
			return err
		}
		return tx.Commit()
	default:
		_, err = tx.ExecContext(ctx, "UPDATE users SET last_name = "+p1+", email = "+p2+" WHERE id = "+p3, fmt.Sprint(seq), email, id)
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, w.upsert, id); err != nil {
		return err
	}
	return tx.Commit()
}

// TestBackfillConcurrentWriters runs the backfill while writers insert, update and delete rows
// of A (below and above H) with the dual-write rule; afterwards B equals mapping(A) exactly.
// Only where A and B share a database: across databases the rule also needs the outbox and its
// reconciler, which live above this package.
func TestBackfillConcurrentWriters(t *testing.T) {
	const rows = 6000
	for _, tg := range targets {
		if !tg.shared {
			continue
		}
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			m := newMove(t, tg)
			insertUsers(t, m.A, 1, rows)
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			wctx, stop := context.WithCancel(ctx)
			var (
				wg     sync.WaitGroup
				seq    atomic.Int64
				writes atomic.Int64
				errs   = make(chan error, 8)
			)
			writers := 6
			if tg.name == "sqlite" {
				writers = 2
			}
			w := newDualWrite(m)
			for i := 0; i < writers; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(i), 7))
					for wctx.Err() == nil {
						id := 1 + rng.IntN(rows+rows/4)
						if err := w.apply(wctx, id, seq.Add(1), rng); err != nil && wctx.Err() == nil {
							errs <- fmt.Errorf("writer %d, id %d: %w", i, id, err)
							return
						}
						writes.Add(1)
						if tg.name == "sqlite" {
							// SQLite's busy wait is not fair: back-to-back writers could starve
							// the backfill for the whole busy timeout.
							time.Sleep(time.Millisecond)
						}
					}
				}(i)
			}
			bf := &Backfiller{Move: m, Settings: tandem.MoveBatchSettings{Size: 50, Target: 20 * time.Millisecond, MaxRows: 4000}}
			err := bf.Run(ctx)
			time.Sleep(200 * time.Millisecond) // writes after the backfill too
			stop()
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d application writes during the backfill", writes.Load())
			if writes.Load() < 50 {
				t.Fatalf("only %d writes ran during the backfill; the test proves little", writes.Load())
			}
			rep, err := m.Verify(ctx, VerifyOptions{ChunkRows: 1000, RecheckWait: 10 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Fatalf("verify after concurrent writes: %s", rep)
			}
			diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
		})
	}
}
