package move

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tandem-db/tandem"
)

// A backfill's range, up to H, is split into parts when it first starts: key ranges of about
// equal row counts, each with its own checkpoint row. One worker copies a part at a time;
// several workers (goroutines, processes, hosts) share a backfill by taking parts, holding a
// lease on each through the switch store while they copy it.

// Part sizing: a part holds about rowsPerPart rows (a few batches at the default target
// batch time, so that a part's lease is renewed several times), and there are at most
// maxParts.
const maxParts = tandem.MaxMoveWorkers

// rowsPerPart is a variable only so that tests can split small tables.
var rowsPerPart int64 = 200000

// partsFor chooses how many parts a backfill of total rows gets: want when set, else one per
// rowsPerPart rows, capped at maxParts and never more than the rows.
func partsFor(total int64, want int) int {
	n := want
	if n <= 0 {
		n = int((total + rowsPerPart - 1) / rowsPerPart)
	}
	n = min(n, maxParts)
	if int64(n) > total {
		n = int(total)
	}
	return max(n, 1)
}

// split counts the rows up to H and records the parts, once: a concurrent split by another
// worker wins or loses as a whole, and every worker then reads the same parts. The split points
// and the row counts come from one walk of A's key index (splitPoints).
func (m *Move) split(ctx context.Context, r *route, h Key, want int) error {
	his, counts, err := r.splitPoints(ctx, h, want)
	if err != nil {
		return err
	}
	var total int64
	for _, c := range counts {
		total += c
	}

	tx, err := m.B.DB.BeginTx(ctx, flavorOf(m.B.Dialect).tx)
	if err != nil {
		return fmt.Errorf("move %s: split the backfill: %w", m.Def.Name, err)
	}
	defer tx.Rollback()
	meta, err := m.checkpoints().readMeta(ctx, tx, true)
	if err != nil {
		return err
	}
	if meta.Total >= 0 {
		return nil // another worker split it first
	}
	d := m.B.Dialect
	ins := "INSERT INTO " + m.checkpoints().table() + " (move, part, lo_key, hi_key, last_key, rows_copied, rows_scanned, batches, total, done, updated_at) VALUES (" +
		tandem.Placeholders(d, 1, 11) + ")"
	now := time.Now().UTC()
	var lo Key
	for i, hi := range his {
		loText, err := keyText(lo)
		if err != nil {
			return err
		}
		hiText, err := keyText(hi)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, ins, m.Def.Name, i+1, loText, hiText, loText, 0, 0, 0, counts[i], 0, now); err != nil {
			return fmt.Errorf("move %s: record part %d of the backfill: %w", m.Def.Name, i+1, err)
		}
		lo = hi
	}
	meta.Total = total
	if err := m.checkpoints().save(ctx, tx, meta); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("move %s: split the backfill: %w", m.Def.Name, err)
	}
	return nil
}

// splitPoints walks A's key index up to h and returns the parts' last keys (the last one h) and
// each part's row count. With want set, it counts the rows first and makes want parts of about
// equal size. Else it walks once, rowsPerPart rows at a time, counting as it goes, and merges
// neighbouring parts when that made more than maxParts.
func (r *route) splitPoints(ctx context.Context, h Key, want int) ([]Key, []int64, error) {
	if want > 0 {
		return r.splitEven(ctx, h, want)
	}
	var (
		his    []Key
		counts []int64
		lo     Key
	)
	for {
		end, full, err := r.sliceEnd(ctx, r.src.DB, lo, h, int(rowsPerPart))
		if err != nil {
			return nil, nil, err
		}
		if !full {
			break
		}
		his, counts, lo = append(his, end), append(counts, rowsPerPart), end
	}
	rest, err := r.countRange(ctx, r.src.DB, lo, h)
	if err != nil {
		return nil, nil, err
	}
	if rest == 0 && len(his) > 0 {
		his[len(his)-1] = h // the last step ended at h, or the rows after it were deleted
	} else {
		his, counts = append(his, h), append(counts, int64(rest))
	}
	his, counts = merge(his, counts)
	return his, counts, nil
}

// merge joins neighbouring parts, k at a time, until there are at most maxParts.
func merge(his []Key, counts []int64) ([]Key, []int64) {
	if len(his) <= maxParts {
		return his, counts
	}
	k := (len(his) + maxParts - 1) / maxParts
	var mh []Key
	var mc []int64
	for i := 0; i < len(his); i += k {
		j := min(i+k, len(his))
		var c int64
		for _, n := range counts[i:j] {
			c += n
		}
		mh, mc = append(mh, his[j-1]), append(mc, c)
	}
	return mh, mc
}

// splitEven counts the rows up to h and splits them into want parts of about equal size.
func (r *route) splitEven(ctx context.Context, h Key, want int) ([]Key, []int64, error) {
	total, err := r.countSrc(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	n := partsFor(total, want)
	his := make([]Key, 0, n)
	var lo Key
	for i := 1; i < n; i++ {
		step := int((total*int64(i))/int64(n) - (total*int64(i-1))/int64(n))
		end, full, err := r.sliceEnd(ctx, r.src.DB, lo, h, max(step, 1))
		if err != nil {
			return nil, nil, err
		}
		if !full {
			break // rows were deleted since the count: fewer parts
		}
		his = append(his, end)
		lo = end
	}
	his = append(his, h)
	counts := make([]int64, len(his))
	for i := range his {
		counts[i] = (total*int64(i+1))/int64(len(his)) - (total*int64(i))/int64(len(his))
	}
	return his, counts, nil
}

// keyText encodes k for a nullable key column: nil stays NULL.
func keyText(k Key) (any, error) {
	if k == nil {
		return nil, nil
	}
	s, err := encodeKey(k)
	return s, err
}

// Leaser hands out time-limited leases on named resources; tandem.SwitchStore is one, so that
// workers on several hosts share a backfill through the move's store.
type Leaser interface {
	// Lease takes or renews the lease on resource for holder, reporting false while another
	// holder's lease runs.
	Lease(ctx context.Context, resource, holder string, ttl time.Duration) (bool, error)
	// Release gives the lease up if holder holds it.
	Release(ctx context.Context, resource, holder string) error
}

// localLeases is the Leaser of workers in one process when no store is given.
type localLeases struct {
	mu      sync.Mutex
	holders map[string]localLease
}

type localLease struct {
	holder string
	until  time.Time
}

func (l *localLeases) Lease(_ context.Context, resource, holder string, ttl time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holders == nil {
		l.holders = map[string]localLease{}
	}
	cur, ok := l.holders[resource]
	if ok && cur.holder != holder && time.Now().Before(cur.until) {
		return false, nil
	}
	l.holders[resource] = localLease{holder: holder, until: time.Now().Add(ttl)}
	return true, nil
}

func (l *localLeases) Release(_ context.Context, resource, holder string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holders[resource].holder == holder {
		delete(l.holders, resource)
	}
	return nil
}

// partResource names a part's lease in the store.
func (m *Move) partResource(part int) string {
	return fmt.Sprintf("move/%s/backfill/part/%d", m.Def.Name, part)
}
