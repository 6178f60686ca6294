package move

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/tandem-db/tandem"
)

// Backfiller copies the rows of A with a key up to the bound H into B, in key-ordered batches
// that each commit with their checkpoint. Configure it, then call Run; SetSettings may be
// called from another goroutine while it runs.
type Backfiller struct {
	Move *Move
	// Settings are the first batch settings. Left zero, the definition's batch settings apply;
	// a zero Size or Target takes the definition's (or the package's) default.
	Settings tandem.MoveBatchSettings
	// Throttle is asked before every batch; nil means never throttled. The coordinator passes
	// one that also waits while the move's pause switch is on (see Throttles).
	Throttle Throttler
	Log      *slog.Logger
	// Progress, when set, is called after every batch and whenever throttling starts or ends.
	Progress func(Progress)
	// PoliteLockWait is how long a polite batch waits for a row lock before it backs off
	// (default 2s).
	PoliteLockWait time.Duration

	// Workers is how many parts this process copies at once, each on its own connection
	// (default 1).
	Workers int
	// Leases, when set, is where workers lease parts, so that backfills started in several
	// processes or on several hosts share the work (the move's switch store). Without it, the
	// workers of this process share parts among themselves only, and Run returns once no part
	// is left for them; with it, Run waits for parts other processes hold until all are done.
	Leases Leaser
	// Holder names this process's workers in leases (default host:pid plus a random suffix).
	Holder string
	// LeaseTTL is how long a part's lease lasts without renewal (default 30s); a worker renews
	// it before every batch.
	LeaseTTL time.Duration
	// Parts is how many parts to split the backfill into when it first starts (default one per
	// 50,000 rows, at most 64). It has no effect once the backfill has started.
	Parts int

	mu       sync.Mutex
	settings tandem.MoveBatchSettings
	changed  bool
}

// Progress is a snapshot of a running backfill.
type Progress struct {
	Copied    int64         // rows inserted into B, over every run
	Scanned   int64         // rows of A read, over every run
	Total     int64         // estimated rows of A up to H (computed once, at the first start)
	Batches   int64         // committed batches, over every run
	Rate      float64       // rows of A scanned per second during this run
	ETA       time.Duration // estimated time left at Rate; 0 when unknown
	BatchSize int           // the current batch size
	BatchTime time.Duration // how long the batch just committed took; 0 when no batch just ended
	Throttled string        // why the backfill waits, or "" when it runs
	LastKey   Key
	Done      bool
}

// SetSettings changes the batch settings of a running backfill; the next batch uses them. A
// new Size restarts the adaptation from it. Safe for concurrent use.
func (b *Backfiller) SetSettings(s tandem.MoveBatchSettings) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.settings = s
	b.changed = true
}

func (b *Backfiller) currentSettings() (tandem.MoveBatchSettings, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.settings
	// Only a new Size restarts the adaptation; a change of Target or MaxRows keeps the size.
	changed := b.changed && s.Size > 0
	b.changed = false
	if s.Size <= 0 {
		s.Size = b.Move.Def.Batch.Size
	}
	if s.Size <= 0 {
		s.Size = tandem.DefaultMoveBatchSize
	}
	if s.Target <= 0 {
		s.Target = b.Move.Def.Batch.Target
	}
	if s.Target <= 0 {
		s.Target = tandem.DefaultMoveBatchTarget
	}
	return s, changed
}

// Batch size limits of the adaptation.
const (
	minBatch = 1
	maxBatch = 100000
)

// adapt moves the batch size towards the target batch time: doubling while a batch takes less
// than half the target, scaling down in proportion (at least halving) when it takes longer.
func adapt(size int, took, target time.Duration) int {
	switch {
	case took < target/2:
		size = int(math.Min(float64(size)*2, float64(size)*float64(target)/float64(max(took, time.Millisecond))))
	case took > target:
		size = int(float64(size) * math.Min(0.5, float64(target)/float64(took)))
	}
	return min(max(size, minBatch), maxBatch)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// setupConn bounds lock waits on the backfill's connection when the move is polite, so that a
// batch waiting for a row the application holds gives way instead of queueing writers.
func (b *Backfiller) setupConn(ctx context.Context, conn *sql.Conn) error {
	if !b.Move.Def.Throttle.Polite {
		return nil
	}
	wait := b.PoliteLockWait
	if wait <= 0 {
		wait = 2 * time.Second
	}
	for _, stmt := range b.Move.B.Dialect.SessionSetup(wait) {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("move %s: %s: %w", b.Move.Def.Name, stmt, err)
		}
	}
	return nil
}

// release closes the connection instead of returning it to the pool when its session settings
// were changed, so that no other user of the pool inherits them.
func (b *Backfiller) release(conn *sql.Conn) {
	if b.Move.Def.Throttle.Polite && len(b.Move.B.Dialect.SessionSetup(time.Second)) > 0 {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	conn.Close()
}

// checkpointAfter is the checkpoint after a batch, plus the batch's own row count.
type checkpointAfter struct {
	Checkpoint
	scanned, copied int64 // by this batch alone
}

// batch copies one slice of A after cp.LastKey and commits it with the new checkpoint.
func (b *Backfiller) batch(ctx context.Context, conn *sql.Conn, r *route, cp Checkpoint, h Key, size int, onConflict bool) (checkpointAfter, error) {
	tx, err := conn.BeginTx(ctx, r.dstFl.tx)
	if err != nil {
		return checkpointAfter{}, fmt.Errorf("move %s: begin batch: %w", b.Move.Def.Name, err)
	}
	defer tx.Rollback()
	// Read the checkpoint again, locked, inside the batch's transaction: another run may have
	// committed a batch since (a killed process whose last commit the server was still
	// finishing, or another worker), and this batch must start where that one ended.
	if cur, err := b.Move.checkpoints().readPart(ctx, tx, cp.Part, true); err != nil {
		return checkpointAfter{}, fmt.Errorf("move %s: read checkpoint: %w", b.Move.Def.Name, err)
	} else if cur.Batches != cp.Batches {
		cp = cur
		if cp.Done {
			return checkpointAfter{Checkpoint: cp}, nil
		}
	}
	var (
		n      int
		end    Key
		copied int64
	)
	if r.shared {
		n, end, copied, err = r.copySameDB(ctx, tx, cp.LastKey, h, size, onConflict)
	} else {
		// The slice of A is read under the batch lock in a transaction of A's own, which ends
		// only after B's commits (the deferred rollback runs after the commit below): an
		// application delete of a row this batch read waits until the copy is visible in B, so
		// the reconciler, which runs after the delete, finds the copied row and removes it.
		// Read without the lock, a row deleted after the read was copied back for good.
		srcTx, berr := r.src.DB.BeginTx(ctx, r.srcFl.tx)
		if berr != nil {
			return checkpointAfter{}, fmt.Errorf("move %s: begin the read of %s: %w", b.Move.Def.Name, r.src, berr)
		}
		defer srcTx.Rollback()
		n, end, copied, err = r.copyAcross(ctx, conn, tx, srcTx, cp.LastKey, h, size, onConflict)
	}
	if err != nil {
		tx.Rollback()
		if end != nil {
			if uc := r.diagnose(context.WithoutCancel(ctx), b.Move.Def.Name, cp.LastKey, end); uc != nil {
				return checkpointAfter{}, uc
			}
		}
		return checkpointAfter{}, err
	}
	next := cp
	next.Batches++
	next.RowsCopied += copied
	next.RowsScanned += int64(n)
	if end != nil {
		next.LastKey = end
	}
	next.Done = n < size
	if err := b.Move.checkpoints().save(ctx, tx, next); err != nil {
		return checkpointAfter{}, err
	}
	if err := tx.Commit(); err != nil {
		return checkpointAfter{}, fmt.Errorf("move %s: commit batch after %s: %w", b.Move.Def.Name, next.LastKey, err)
	}
	return checkpointAfter{Checkpoint: next, scanned: int64(n), copied: copied}, nil
}

// sliceEnd finds the last key of the next slice of the source after last: the size-th key up
// to h, read from the key's index alone. full is false when fewer keys remain, and the slice
// then runs to h.
func (r *route) sliceEnd(ctx context.Context, q querier, last, h Key, size int) (end Key, full bool, err error) {
	d := r.src.Dialect
	var args []any
	n := 0
	stmt := "SELECT " + joinNames(d, "", r.srcKey) + " FROM " + r.src.qualified() + " WHERE " + keyRange(d, "", r.srcKey, last, h, &n, &args) +
		" ORDER BY " + orderBy(d, "", r.srcKey, false) + fmt.Sprintf(" LIMIT 1 OFFSET %d", size-1)
	vals := make([]any, len(r.srcKey))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err = q.QueryRowContext(ctx, stmt, args...).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find the slice of %s after %v: %w", r.src, last, err)
	}
	return scanKey(vals), true, nil
}

// countRange counts the source's keys in (lo, hi].
func (r *route) countRange(ctx context.Context, q querier, lo, hi Key) (int, error) {
	d := r.src.Dialect
	var args []any
	n := 0
	var c int
	stmt := "SELECT COUNT(*) FROM " + r.src.qualified() + " WHERE " + keyRange(d, "", r.srcKey, lo, hi, &n, &args)
	if err := q.QueryRowContext(ctx, stmt, args...).Scan(&c); err != nil {
		return 0, fmt.Errorf("count rows of %s: %w", r.src, err)
	}
	return c, nil
}

// copySameDB copies one slice when A and B share a database, with one INSERT ... SELECT that
// reads the slice of A under a lock (flavor.batchLock: FOR KEY SHARE, LOCK IN SHARE MODE) and
// inserts the mapped rows that B lacks. Under the lock no application write can delete a
// copied row of the slice before the batch commits, so a deleted row is never copied back. An
// update of a copied row either waits for the batch's row in B and overwrites it (its write to
// B is a full-row upsert) or, when it commits first, makes the batch's insert fail on the
// primary key; a key the application inserts meanwhile does the same. The batch is then
// retried with onConflict set (skipOnKey: ON CONFLICT (pk) DO NOTHING), which is not the
// default because it doubles the cost of each row.
func (r *route) copySameDB(ctx context.Context, tx *sql.Tx, last, h Key, size int, onConflict bool) (int, Key, int64, error) {
	end, full, err := r.sliceEnd(ctx, tx, last, h, size)
	if err != nil {
		return 0, nil, 0, err
	}
	n := size
	if !full {
		if n, err = r.countRange(ctx, tx, last, h); err != nil {
			return 0, nil, 0, err
		}
		if n == 0 {
			return 0, end, 0, nil
		}
	}
	d := r.dst.Dialect
	a := r.src.qualified()
	var args []any
	p := 0
	cond := keyRange(d, a, r.srcKey, last, end, &p, &args)
	match := make([]string, len(r.dstKey))
	for i := range r.dstKey {
		match[i] = "tandem_b." + d.QuoteIdent(r.dstKey[i].Name) + " = " + a + "." + d.QuoteIdent(r.srcKey[i].Name)
	}
	// The same range on B's side keeps the anti-join to the slice: without it a generic plan
	// may hash all of B for every batch, and batches slow down as B grows.
	match = append(match, keyRange(d, "tandem_b", r.dstKey, last, end, &p, &args))
	stmt := "INSERT INTO " + r.dst.qualified() + " (" + joinNames(d, "", r.cols) + ") SELECT " + strings.Join(r.exprs, ", ") +
		" FROM " + a + " WHERE " + cond + " AND NOT EXISTS (SELECT 1 FROM " + r.dst.qualified() + " tandem_b WHERE " + strings.Join(match, " AND ") + ")" +
		r.srcFl.batchLock
	if onConflict {
		stmt += r.skipOnKey()
	}
	res, err := tx.ExecContext(ctx, stmt, args...)
	if err != nil {
		return n, end, 0, fmt.Errorf("copy %s after %v into %s: %w", r.src, last, r.dst, err)
	}
	copied, err := res.RowsAffected()
	if err != nil {
		return n, end, 0, fmt.Errorf("copy into %s: %w", r.dst, err)
	}
	return n, end, copied, nil
}

// copyAcross copies one slice between two databases: the mapped slice is read from A in srcTx
// under the batch lock (held until B's transaction commits; see batch), the keys
// B already has in its range are read (and locked) in B's transaction, and the others are
// loaded with COPY where B's dialect can (tandem.BulkLoader), else with multi-row INSERTs. A
// batch retried after a failure (retry set) inserts, skipping primary key conflicts; so do all
// later batches of the route once COPY has failed.
func (r *route) copyAcross(ctx context.Context, conn *sql.Conn, tx, srcTx *sql.Tx, last, h Key, size int, retry bool) (int, Key, int64, error) {
	rows, err := r.readMapped(ctx, srcTx, last, h, size, nil, r.srcFl.batchLock)
	if err != nil || len(rows) == 0 {
		return 0, nil, 0, err
	}
	n, end := len(rows), rows[len(rows)-1].key
	present, err := r.dstKeysIn(ctx, tx, last, end, r.dstFl.updateLock)
	if err != nil {
		return n, end, 0, err
	}
	var todo [][]any
	for _, row := range rows {
		if !present[row.key.String()] {
			todo = append(todo, row.vals)
		}
	}
	if bl, ok := r.dst.Dialect.(tandem.BulkLoader); ok && !retry && !r.noCopy.Load() && len(todo) >= minCopyRows {
		err := bl.LoadRows(ctx, conn, r.dst.Schema, r.dst.Table, columnNames(r.cols), todo)
		if err == nil {
			return n, end, int64(len(todo)), nil
		}
		// A value COPY cannot encode, or a key the application wrote meanwhile: this batch is
		// retried with INSERTs, and the route inserts from now on.
		r.noCopy.Store(true)
		return n, end, 0, fmt.Errorf("copy %d rows into %s: %w", len(todo), r.dst, err)
	}
	if err := r.insertRows(ctx, tx, todo, r.skipOnKey()); err != nil {
		return n, end, 0, err
	}
	return n, end, int64(len(todo)), nil
}

// minCopyRows is the least number of rows worth a COPY rather than an INSERT.
const minCopyRows = 64

// columnNames lists the columns' names, unquoted.
func columnNames(cols []tandem.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// mappedRow is one source row through the mapping: its key and the values of r.cols.
type mappedRow struct {
	key  Key
	vals []any
}

// readMapped reads the mapped rows of the source with a key in (last, h], in key order, at most
// limit (0: all). When keys is set it reads exactly those keys instead.
func (r *route) readMapped(ctx context.Context, q querier, last, h Key, limit int, only []Key, lock string) ([]mappedRow, error) {
	d := r.src.Dialect
	var args []any
	n := 0
	cond := keyRange(d, "", r.srcKey, last, h, &n, &args)
	if only != nil {
		cond = keyIn(d, "", r.srcKey, only, &n, &args)
	}
	exprs := make([]string, len(r.exprs))
	for i, e := range r.exprs {
		exprs[i] = e
		if r.shared {
			exprs[i] = d.Cast("("+e+")", r.cols[i])
		}
	}
	stmt := "SELECT " + joinNames(d, "", r.srcKey) + ", " + strings.Join(exprs, ", ") + " FROM " + r.src.qualified() + " WHERE " + cond +
		" ORDER BY " + orderBy(d, "", r.srcKey, false)
	if limit > 0 {
		stmt += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := q.QueryContext(ctx, stmt+lock, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s through the mapping: %w", r.src, err)
	}
	defer rows.Close()
	nk := len(r.srcKey)
	vals := make([]any, nk+len(r.cols))
	ptrs := make([]any, len(vals))
	var out []mappedRow
	for rows.Next() {
		for i := range vals {
			vals[i] = nil
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read %s through the mapping: %w", r.src, err)
		}
		row := mappedRow{key: scanKey(vals[:nk]), vals: make([]any, len(r.cols))}
		for i, c := range r.cols {
			row.vals[i] = convert(vals[nk+i], classify(c.Type))
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s through the mapping: %w", r.src, err)
	}
	return out, nil
}

// dstKeysIn returns the keys the destination holds in (lo, hi], locked with lock.
func (r *route) dstKeysIn(ctx context.Context, q querier, lo, hi Key, lock string) (map[string]bool, error) {
	d := r.dst.Dialect
	var args []any
	n := 0
	stmt := "SELECT " + joinNames(d, "", r.dstKey) + " FROM " + r.dst.qualified() + " WHERE " + keyRange(d, "", r.dstKey, lo, hi, &n, &args) + lock
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("read keys of %s: %w", r.dst, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	vals := make([]any, len(r.dstKey))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read keys of %s: %w", r.dst, err)
		}
		out[scanKey(vals).String()] = true
	}
	return out, rows.Err()
}

// insertRows inserts rows (values of r.cols) into the destination with multi-row INSERTs, each
// closed by tail: skipOnKey skips a primary key conflict (a row the application wrote
// meanwhile) where the database can; "" inserts plainly, a conflict failing the INSERT.
func (r *route) insertRows(ctx context.Context, q querier, rows [][]any, tail string) error {
	d := r.dst.Dialect
	per := max(1, min(500, 30000/len(r.cols)))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(len(rows), start+per)]
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + r.dst.qualified() + " (" + joinNames(d, "", r.cols) + ") VALUES ")
		args := make([]any, 0, len(chunk)*len(r.cols))
		for i, row := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for j := range row {
				if j > 0 {
					sb.WriteString(", ")
				}
				args = append(args, row[j])
				sb.WriteString(d.Placeholder(len(args)))
			}
			sb.WriteByte(')')
		}
		sb.WriteString(tail)
		if _, err := q.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert %d rows into %s: %w", len(chunk), r.dst, err)
		}
	}
	return nil
}

// countSrc counts the source's keys up to h.
func (r *route) countSrc(ctx context.Context, h Key) (int64, error) {
	if h == nil {
		return 0, nil
	}
	d := r.src.Dialect
	var args []any
	n := 0
	var c int64
	stmt := "SELECT COUNT(*) FROM " + r.src.qualified() + " WHERE " + keyRange(d, "", r.srcKey, nil, h, &n, &args)
	if err := r.src.DB.QueryRowContext(ctx, stmt, args...).Scan(&c); err != nil {
		return 0, fmt.Errorf("count rows of %s: %w", r.src, err)
	}
	return c, nil
}
