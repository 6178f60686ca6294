package move

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
	"github.com/tandem-db/tandem/store/redisstore"
)

func TestPartsFor(t *testing.T) {
	for _, c := range []struct {
		total int64
		want  int
		parts int
	}{
		{0, 0, 1}, {1, 0, 1}, {199999, 0, 1}, {200001, 0, 2}, {2000000, 0, 10}, {100000000, 0, maxParts},
		{10, 4, 4}, {3, 8, 3}, {1000, 200, maxParts},
	} {
		if got := partsFor(c.total, c.want); got != c.parts {
			t.Errorf("partsFor(%d, %d) = %d, want %d", c.total, c.want, got, c.parts)
		}
	}
}

// Several workers in one process split a backfill into parts and copy them at once: every row
// is copied exactly once, each part ends at its bound, and B equals mapping(A).
func TestBackfillWorkersShareParts(t *testing.T) {
	const rows = 9000
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := testCtx(t)
			m := newMove(t, tg)
			insertUsers(t, m.A, 1, rows)
			if _, err := m.FixBound(ctx); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var last Progress
			bf := &Backfiller{Move: m, Workers: 3, Parts: 7, Settings: tandem.MoveBatchSettings{Size: 200, Target: 50 * time.Millisecond},
				Progress: func(p Progress) { mu.Lock(); last = p; mu.Unlock() }}
			if err := bf.Run(ctx); err != nil {
				t.Fatal(err)
			}
			cp, err := m.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !cp.Done || cp.Parts != 7 || cp.PartsDone != 7 || cp.RowsCopied != rows || cp.RowsScanned != rows || cp.Total != rows {
				t.Fatalf("checkpoint %+v; want 7 parts done, %d rows copied and scanned once", cp, rows)
			}
			if !last.Done || last.Copied != rows {
				t.Errorf("last progress %+v; want done with %d copied", last, rows)
			}
			parts, err := m.checkpoints().readParts(ctx, m.B.DB)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range parts {
				if p.LastKey.String() != p.Hi.String() {
					t.Errorf("part %d ended at %s, its bound is %s", p.Part, p.LastKey, p.Hi)
				}
				if i > 0 && p.Lo.String() != parts[i-1].Hi.String() {
					t.Errorf("part %d starts after %s; part %d ended at %s", p.Part, p.Lo, parts[i-1].Part, parts[i-1].Hi)
				}
			}
			if parts[0].Lo != nil || parts[len(parts)-1].Hi.String() != "(9000)" {
				t.Errorf("parts cover (%s, %s]; want everything up to (9000)", parts[0].Lo, parts[len(parts)-1].Hi)
			}
			diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
		})
	}
}

// Two backfills that share leases in Redis, as two processes on two hosts would, divide the
// parts between them; when one stops half-way (its process dies), the other takes its part
// over once the lease runs out and finishes the backfill.
func TestBackfillProcessesShareThroughStore(t *testing.T) {
	const rows = 6000
	tg, _ := targetNamed("postgres")
	ctx := testCtx(t)
	m := newMove(t, tg)
	insertUsers(t, m.A, 1, rows)
	if _, err := m.FixBound(ctx); err != nil {
		t.Fatal(err)
	}
	store := leaseStore(t)

	// The first process dies during its first part: it stops after two batches, leaving the
	// part leased and half done.
	dying, die := context.WithCancel(ctx)
	batches := 0
	first := &Backfiller{Move: m, Leases: store, Holder: "host-a", LeaseTTL: 700 * time.Millisecond, Parts: 4,
		Settings: tandem.MoveBatchSettings{Size: 100, Target: time.Hour},
		Progress: func(p Progress) {
			if p.BatchTime > 0 {
				if batches++; batches == 2 {
					die()
				}
			}
		}}
	if err := first.Run(dying); !errors.Is(err, context.Canceled) {
		t.Fatalf("first backfill: %v, want it cancelled", err)
	}
	cp, err := m.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Done || cp.RowsCopied == 0 || cp.RowsCopied >= rows/4 || cp.Parts != 4 || cp.PartsDone != 0 {
		t.Fatalf("after the first process died: %+v; want part 1 of 4 begun, none done", cp)
	}
	// Its lease was released on the way out here; a process killed with -9 leaves it to run
	// out. Take it again for host-a, so that the second process must wait for it to expire.
	if ok, err := store.Lease(ctx, m.partResource(1), "host-a/1", 700*time.Millisecond); err != nil || !ok {
		t.Fatalf("re-lease part 1 for the dead process: %v, %v", ok, err)
	}

	// Two more processes share the rest.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, holder := range []string{"host-b", "host-c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bf := &Backfiller{Move: m, Leases: store, Holder: holder, LeaseTTL: 700 * time.Millisecond, Settings: tandem.MoveBatchSettings{Size: 100, Target: 20 * time.Millisecond}}
			errs[i] = bf.Run(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v", i+2, err)
		}
	}
	cp, err = m.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !cp.Done || cp.RowsCopied != rows || cp.RowsScanned != rows {
		t.Fatalf("checkpoint %+v; want done with %d rows copied and scanned once", cp, rows)
	}
	diffAccounts(t, expectedAccounts(t, m.A, 0), readAccounts(t, m.B))
}

// leaseStore returns a Redis store under a prefix of its own, deleted after the test.
func leaseStore(t *testing.T) *redisstore.Store {
	t.Helper()
	addr := os.Getenv("TANDEM_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s (set $TANDEM_TEST_REDIS): %v", addr, err)
		}
		t.Skipf("no Redis at %s (set $TANDEM_TEST_REDIS): %v", addr, err)
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	prefix := "tandemtest-parts-" + hex.EncodeToString(rnd[:])
	t.Cleanup(func() {
		ctx := context.Background()
		if keys, err := c.Keys(ctx, prefix+":*").Result(); err == nil && len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return redisstore.New(c, redisstore.Options{Prefix: prefix})
}

func TestMergeParts(t *testing.T) {
	var his []Key
	var counts []int64
	for i := 1; i <= 130; i++ {
		his, counts = append(his, Key{int64(i)}), append(counts, 10)
	}
	counts[129] = 3
	mh, mc := merge(his, counts)
	if len(mh) > maxParts {
		t.Fatalf("%d parts after merging, want at most %d", len(mh), maxParts)
	}
	var total int64
	for _, c := range mc {
		total += c
	}
	if total != 1293 || mh[len(mh)-1].String() != his[129].String() || mh[0].String() != his[2].String() {
		t.Fatalf("merged into %v with counts %v", mh, mc)
	}
}

// Without a wanted number of parts, the split walks A's keys once, rowsPerPart at a time: every
// part but the last holds exactly that many rows and knows it, a step that ends at H makes no
// empty part, and more steps than maxParts are merged.
func TestSplitWalk(t *testing.T) {
	defer func(n int64) { rowsPerPart = n }(rowsPerPart)
	for _, c := range []struct {
		name                 string
		step, rows           int
		wantParts, wantFirst int
	}{
		{"remainder", 100, 450, 5, 100},
		{"ends at H", 100, 400, 4, 100},
		{"one part", 1000, 450, 1, 450},
		{"merged", 5, 450, 45, 10},
	} {
		for _, name := range []string{"sqlite", "postgres"} {
			tg, _ := targetNamed(name)
			t.Run(c.name+"/"+name, func(t *testing.T) {
				rowsPerPart = int64(c.step)
				ctx := testCtx(t)
				m := newMove(t, tg)
				insertUsers(t, m.A, 1, c.rows)
				if _, err := m.FixBound(ctx); err != nil {
					t.Fatal(err)
				}
				r, err := m.forward(ctx)
				if err != nil {
					t.Fatal(err)
				}
				cp, err := m.checkpoints().readMeta(ctx, m.B.DB, false)
				if err != nil {
					t.Fatal(err)
				}
				if err := m.split(ctx, r, cp.Bound.Key, 0); err != nil {
					t.Fatal(err)
				}
				parts, err := m.checkpoints().readParts(ctx, m.B.DB)
				if err != nil {
					t.Fatal(err)
				}
				if len(parts) != c.wantParts || parts[0].Total != int64(c.wantFirst) {
					t.Fatalf("%d parts, the first of %d rows; want %d parts, the first of %d", len(parts), parts[0].Total, c.wantParts, c.wantFirst)
				}
				var sum int64
				for _, p := range parts {
					n, err := r.countRange(ctx, m.A.DB, p.Lo, p.Hi)
					if err != nil {
						t.Fatal(err)
					}
					if int64(n) != p.Total || n == 0 {
						t.Errorf("part %d (%s, %s] says %d rows, holds %d", p.Part, p.Lo, p.Hi, p.Total, n)
					}
					sum += p.Total
				}
				if meta, err := m.Checkpoint(ctx); err != nil || meta.Total != int64(c.rows) || sum != int64(c.rows) {
					t.Fatalf("total %d (parts %d), %v; want %d", meta.Total, sum, err, c.rows)
				}
			})
		}
	}
}
