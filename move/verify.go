package move

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/tandem-db/tandem"
)

// VerifyOptions steer a verification.
type VerifyOptions struct {
	// ChunkRows is the number of A keys per chunk (default 10,000).
	ChunkRows int
	// Rechecks is how many times a differing chunk is computed again (default 3), RecheckWait
	// apart (default 500ms), to let writes in flight settle before rows are compared.
	Rechecks    int
	RecheckWait time.Duration
	// UpToBound limits the comparison to keys up to the backfill's bound H; by default every
	// row is compared (rows above H are kept equal by the application's dual writes).
	UpToBound bool
	// MaxDifferences bounds the differences listed (default 1,000); Truncated says when more
	// were found.
	MaxDifferences int
}

// DiffKind says how a row differs.
type DiffKind string

// The kinds of row difference.
const (
	MissingInB DiffKind = "missing in B"
	ExtraInB   DiffKind = "extra in B"
	Different  DiffKind = "different"
)

// Difference is one row of B that does not equal mapping(A).
type Difference struct {
	Key  Key
	Kind DiffKind
	// Columns are B's columns whose values differ (Different only).
	Columns []string
}

// VerifyReport is the outcome of a verification.
type VerifyReport struct {
	Move string
	// Method is "sql" when chunk hashes were computed in the database, "streamed" when rows
	// were hashed in Go (SQLite, or two databases).
	Method string
	Chunks int
	// RowsA and RowsB are the rows compared on each side.
	RowsA, RowsB int64
	// DifferingChunks is the number of chunks whose hash still differed after the rechecks.
	DifferingChunks int
	Differences     []Difference
	Truncated       bool
	Took            time.Duration
}

// OK reports whether B equals mapping(A) over the compared keys.
func (r *VerifyReport) OK() bool { return len(r.Differences) == 0 }

// Keys returns the keys of the differences, for Repair.
func (r *VerifyReport) Keys() []Key {
	out := make([]Key, len(r.Differences))
	for i, d := range r.Differences {
		out[i] = d.Key
	}
	return out
}

// String renders the report for people.
func (r *VerifyReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "move %s: compared %d rows of A and %d rows of B in %d chunks (%s) in %s", r.Move, r.RowsA, r.RowsB, r.Chunks, r.Method, r.Took.Round(time.Millisecond))
	if r.OK() {
		b.WriteString(": B equals mapping(A)")
		return b.String()
	}
	fmt.Fprintf(&b, ": %d rows differ", len(r.Differences))
	if r.Truncated {
		b.WriteString(" (list truncated)")
	}
	for _, d := range r.Differences {
		fmt.Fprintf(&b, "\n  %s %s", d.Key, d.Kind)
		if len(d.Columns) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(d.Columns, ", "))
		}
	}
	b.WriteString("\nrepair re-copies exactly these keys from A")
	return b.String()
}

// chunk is a key range (lo, hi] of the comparison; nil ends are unbounded.
type chunk struct{ lo, hi Key }

// digest is a chunk's row count and sum of 64-bit row hashes, as text (the SQL sums are wider
// than 64 bits).
type digest struct {
	count int64
	sum   string
}

// Verify compares B with mapping(A) chunk by chunk, re-checks differing chunks until they are
// stable, and lists the rows that still differ by key. It changes nothing.
func (m *Move) Verify(ctx context.Context, o VerifyOptions) (*VerifyReport, error) {
	start := time.Now()
	if o.ChunkRows <= 0 {
		o.ChunkRows = 10000
	}
	if o.Rechecks <= 0 {
		o.Rechecks = 3
	}
	if o.RecheckWait <= 0 {
		o.RecheckWait = 500 * time.Millisecond
	}
	if o.MaxDifferences <= 0 {
		o.MaxDifferences = 1000
	}
	r, err := m.forward(ctx)
	if err != nil {
		return nil, err
	}
	var hi Key
	if o.UpToBound {
		cp, err := m.Checkpoint(ctx)
		if err != nil {
			return nil, err
		}
		if cp.Bound == nil {
			return nil, fmt.Errorf("move %s: verify up to the bound: %w", m.Def.Name, ErrNoBound)
		}
		if cp.Bound.Empty() {
			return &VerifyReport{Move: m.Def.Name, Method: "sql", Took: time.Since(start)}, nil
		}
		hi = cp.Bound.Key
	}
	chunks, err := r.chunks(ctx, hi, o.ChunkRows)
	if err != nil {
		return nil, err
	}
	rep := &VerifyReport{Move: m.Def.Name, Chunks: len(chunks), Method: "streamed"}
	if r.sqlHash() {
		rep.Method = "sql"
	}
	var differing []chunk
	for _, c := range chunks {
		a, b, err := r.digests(ctx, c)
		if err != nil {
			return nil, err
		}
		rep.RowsA += a.count
		rep.RowsB += b.count
		if a != b {
			differing = append(differing, c)
		}
	}
	for attempt := 0; attempt < o.Rechecks && len(differing) > 0; attempt++ {
		if err := sleep(ctx, o.RecheckWait); err != nil {
			return nil, err
		}
		still := differing[:0]
		for _, c := range differing {
			a, b, err := r.digests(ctx, c)
			if err != nil {
				return nil, err
			}
			if a != b {
				still = append(still, c)
			}
		}
		differing = still
	}
	rep.DifferingChunks = len(differing)
	var diffs []Difference
	for _, c := range differing {
		ds, err := r.diffChunk(ctx, c)
		if err != nil {
			return nil, err
		}
		diffs = append(diffs, ds...)
	}
	if len(diffs) > 0 {
		// A row written between the two reads of its chunk may look different once: read the
		// differing keys again before reporting them.
		if err := sleep(ctx, o.RecheckWait); err != nil {
			return nil, err
		}
		if diffs, err = r.confirm(ctx, diffs); err != nil {
			return nil, err
		}
	}
	if len(diffs) > o.MaxDifferences {
		diffs, rep.Truncated = diffs[:o.MaxDifferences], true
	}
	rep.Differences = diffs
	rep.Took = time.Since(start)
	if err := m.checkpoints().saveVerified(ctx, rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// chunks splits A's key space (up to hi) into ranges of about size keys.
func (r *route) chunks(ctx context.Context, hi Key, size int) ([]chunk, error) {
	d := r.src.Dialect
	var (
		out  []chunk
		prev Key
	)
	for {
		var args []any
		n := 0
		stmt := "SELECT " + joinNames(d, "", r.srcKey) + " FROM " + r.src.qualified() + " WHERE " + keyRange(d, "", r.srcKey, prev, hi, &n, &args) +
			" ORDER BY " + orderBy(d, "", r.srcKey, false) + fmt.Sprintf(" LIMIT 1 OFFSET %d", size-1)
		vals := make([]any, len(r.srcKey))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		rows, err := r.src.DB.QueryContext(ctx, stmt, args...)
		if err != nil {
			return nil, fmt.Errorf("chunk %s: %w", r.src, err)
		}
		found := rows.Next()
		if found {
			err = rows.Scan(ptrs...)
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("chunk %s: %w", r.src, err)
		}
		if !found {
			return append(out, chunk{lo: prev, hi: hi}), nil
		}
		k := scanKey(vals)
		out = append(out, chunk{lo: prev, hi: k})
		prev = k
	}
}

// sqlHash reports whether chunk hashes are computed in the database: where its dialect can
// (tandem.RowHasher) and A and B share it (across databases the text forms of values differ).
func (r *route) sqlHash() bool {
	_, ok := r.src.Dialect.(tandem.RowHasher)
	return r.shared && ok
}

// digests computes a chunk's digest on both sides.
func (r *route) digests(ctx context.Context, c chunk) (digest, digest, error) {
	if !r.sqlHash() {
		a, err := r.loadSrc(ctx, c, nil)
		if err != nil {
			return digest{}, digest{}, err
		}
		b, err := r.loadDst(ctx, c, nil)
		if err != nil {
			return digest{}, digest{}, err
		}
		return goDigest(a), goDigest(b), nil
	}
	a, err := r.sqlDigest(ctx, r.src, r.srcKey, c, r.srcRowTexts())
	if err != nil {
		return digest{}, digest{}, err
	}
	b, err := r.sqlDigest(ctx, r.dst, r.dstKey, c, r.dstRowTexts())
	return a, b, err
}

// srcRowTexts are the mapped expressions, converted to B's column types, as text.
func (r *route) srcRowTexts() []string {
	d := r.dst.Dialect
	out := make([]string, len(r.cols))
	for i, c := range r.cols {
		out[i] = d.Cast("("+r.exprs[i]+")", c)
	}
	return out
}

func (r *route) dstRowTexts() []string { return names(r.dst.Dialect, "", r.cols) }

// sqlDigest counts a chunk's rows and sums a 64-bit hash of each in the database, as the
// dialect renders it (tandem.RowHasher: e.g. the first 16 hex digits of each row's md5).
func (r *route) sqlDigest(ctx context.Context, s Side, key []tandem.Column, c chunk, exprs []string) (digest, error) {
	d := s.Dialect
	sum := d.(tandem.RowHasher).RowHashSum(exprs, r.cols)
	var args []any
	n := 0
	stmt := "SELECT COUNT(*), " + sum + " FROM " + s.qualified() + " WHERE " + keyRange(d, "", key, c.lo, c.hi, &n, &args)
	var dg digest
	if err := s.DB.QueryRowContext(ctx, stmt, args...).Scan(&dg.count, &dg.sum); err != nil {
		return digest{}, fmt.Errorf("hash rows of %s in (%v, %v]: %w", s, c.lo, c.hi, err)
	}
	return dg, nil
}

// rowSet is a chunk's rows, normalized for comparison, by key.
type rowSet map[string]normRow

type normRow struct {
	key  Key
	vals []string
}

// loadSrc reads the chunk's mapped rows of A (or exactly keys, when set), normalized by B's
// column types.
func (r *route) loadSrc(ctx context.Context, c chunk, keys []Key) (rowSet, error) {
	rows, err := r.readMapped(ctx, r.src.DB, c.lo, c.hi, 0, keys, "")
	if err != nil {
		return nil, err
	}
	out := rowSet{}
	for _, row := range rows {
		out[row.key.String()] = normRow{key: row.key, vals: r.normalizeRow(row.vals)}
	}
	return out, nil
}

// loadDst reads the chunk's rows of B (or exactly keys), normalized.
func (r *route) loadDst(ctx context.Context, c chunk, keys []Key) (rowSet, error) {
	d := r.dst.Dialect
	var args []any
	n := 0
	cond := keyRange(d, "", r.dstKey, c.lo, c.hi, &n, &args)
	if keys != nil {
		cond = keyIn(d, "", r.dstKey, keys, &n, &args)
	}
	stmt := "SELECT " + joinNames(d, "", r.dstKey) + ", " + joinNames(d, "", r.cols) + " FROM " + r.dst.qualified() + " WHERE " + cond
	rows, err := r.dst.DB.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", r.dst, err)
	}
	defer rows.Close()
	nk := len(r.dstKey)
	vals := make([]any, nk+len(r.cols))
	ptrs := make([]any, len(vals))
	out := rowSet{}
	for rows.Next() {
		for i := range vals {
			vals[i] = nil
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read %s: %w", r.dst, err)
		}
		k := scanKey(vals[:nk])
		out[k.String()] = normRow{key: k, vals: r.normalizeRow(vals[nk:])}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", r.dst, err)
	}
	return out, nil
}

func (r *route) normalizeRow(vals []any) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = normalize(v, classify(r.cols[i].Type))
	}
	return out
}

// goDigest is the streamed counterpart of sqlDigest: FNV-1a 64 of each normalized row,
// length-prefixed values, summed modulo 2^64.
func goDigest(rs rowSet) digest {
	var sum uint64
	for _, row := range rs {
		h := fnv.New64a()
		for _, v := range row.vals {
			fmt.Fprintf(h, "%d:%s|", len(v), v)
		}
		sum += h.Sum64()
	}
	return digest{count: int64(len(rs)), sum: fmt.Sprint(sum)}
}

// diffChunk compares a chunk row by row.
func (r *route) diffChunk(ctx context.Context, c chunk) ([]Difference, error) {
	a, err := r.loadSrc(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	b, err := r.loadDst(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	return r.compare(a, b), nil
}

// compare lists the differences between mapped rows a and rows b, in key order of a's keys
// (then b's).
func (r *route) compare(a, b rowSet) []Difference {
	var out []Difference
	for ks, ra := range a {
		rb, ok := b[ks]
		if !ok {
			out = append(out, Difference{Key: ra.key, Kind: MissingInB})
			continue
		}
		var cols []string
		for i := range ra.vals {
			if ra.vals[i] != rb.vals[i] {
				cols = append(cols, r.cols[i].Name)
			}
		}
		if len(cols) > 0 {
			out = append(out, Difference{Key: ra.key, Kind: Different, Columns: cols})
		}
	}
	for ks, rb := range b {
		if _, ok := a[ks]; !ok {
			out = append(out, Difference{Key: rb.key, Kind: ExtraInB})
		}
	}
	sort.Slice(out, func(i, j int) bool { return keyLess(out[i].Key, out[j].Key) })
	return out
}

// confirm reads the differing keys again and keeps those that still differ.
func (r *route) confirm(ctx context.Context, diffs []Difference) ([]Difference, error) {
	var out []Difference
	for start := 0; start < len(diffs); start += 500 {
		part := diffs[start:min(len(diffs), start+500)]
		keys := make([]Key, len(part))
		for i, d := range part {
			keys[i] = d.Key
		}
		a, err := r.loadSrc(ctx, chunk{}, keys)
		if err != nil {
			return nil, err
		}
		b, err := r.loadDst(ctx, chunk{}, keys)
		if err != nil {
			return nil, err
		}
		out = append(out, r.compare(a, b)...)
	}
	return out, nil
}

// keyLess orders keys for reports: numbers by value, everything else by text.
func keyLess(a, b Key) bool {
	for i := range min(len(a), len(b)) {
		x, xok := toRat(a[i])
		y, yok := toRat(b[i])
		if _, isStr := a[i].(string); xok && yok && !isStr {
			if c := x.Cmp(y); c != 0 {
				return c < 0
			}
			continue
		}
		sa, sb := fmt.Sprint(a[i]), fmt.Sprint(b[i])
		if sa != sb {
			return sa < sb
		}
	}
	return len(a) < len(b)
}
