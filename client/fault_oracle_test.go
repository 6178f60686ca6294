package client_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tandem-db/tandem/client"
	"github.com/tandem-db/tandem/move"
)

// The fault scenario's oracle: every key belongs to one writer goroutine, which knows what it
// last committed there, so the test knows what every row of the authoritative table must hold,
// at any moment when the writers are held. A write whose outcome is unknown (it failed, maybe
// at commit) leaves the key uncertain until the next successful write: either value is
// accepted meanwhile.

// version is one state of a row: absent, or present with the values of write seq (0: the row
// the test inserted before the move).
type version struct {
	exists bool
	seq    int64
}

// keyState is what the oracle knows of one key.
type keyState struct {
	cur  version
	alts []version // when uncertain: every version the row may hold
	// broken is set once a write found the authoritative table off the oracle: the key's later
	// writes would only repeat the finding.
	broken bool
}

func (k *keyState) accepts(v version) bool {
	same := func(a version) bool { return a.exists == v.exists && (!a.exists || a.seq == v.seq) }
	if len(k.alts) == 0 {
		return same(k.cur)
	}
	for _, a := range k.alts {
		if same(a) {
			return true
		}
	}
	return false
}

// writeRec describes one committed write, for the messages that explain a difference.
type writeRec struct {
	key   int64
	op    string
	table string // the table the write went to: A, or B while B alone was written
	phase string // the phase the writing instance was in
}

// oracle holds the expected rows and every write the writers committed.
type oracle struct {
	keys    []keyState // by key; keys[0] unused
	writers int

	mu        sync.Mutex
	recs      map[int64]writeRec
	anomalies []string
	seq       atomic.Int64
	writesB   atomic.Int64 // writes committed to B alone (the reverse window)
}

func newOracle(maxKey, initial, writers int) *oracle {
	o := &oracle{keys: make([]keyState, maxKey+1), writers: writers, recs: map[int64]writeRec{}}
	for k := 1; k <= initial; k++ {
		o.keys[k].cur = version{exists: true}
	}
	return o
}

func (o *oracle) anomaly(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.anomalies = append(o.anomalies, fmt.Sprintf(format, args...))
}

func (o *oracle) takeAnomalies() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	a := o.anomalies
	o.anomalies = nil
	return a
}

// rowValues are the values write seq puts in the row of key.
func rowValues(key, seq int64) (name, email string) {
	if seq == 0 {
		return fmt.Sprintf("init%d", key), fmt.Sprintf("init%d@x.io", key)
	}
	return fmt.Sprintf("n%d", seq), fmt.Sprintf("e%d@x.io", seq)
}

// seqOf reads back which write a name came from; -1 if no write of the test's.
func seqOf(key int64, name string) int64 {
	if name == fmt.Sprintf("init%d", key) {
		return 0
	}
	if s, ok := strings.CutPrefix(name, "n"); ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	return -1
}

func (o *oracle) describe(key int64, v version) string {
	if !v.exists {
		return "absent"
	}
	if v.seq == 0 {
		return "the row inserted before the move"
	}
	o.mu.Lock()
	r, ok := o.recs[v.seq]
	o.mu.Unlock()
	if !ok {
		return fmt.Sprintf("write #%d (not committed as far as the test knows)", v.seq)
	}
	return fmt.Sprintf("write #%d (%s to %s in %s)", v.seq, r.op, r.table, r.phase)
}

// row is one row as read from A or B: the two value columns.
type row struct{ name, email string }

// readRows reads every row of a table of the fault scenario: (id, name column, email column).
func readRows(ctx context.Context, s move.Side, cols string) (map[int64]row, []string, error) {
	rows, err := s.DB.QueryContext(ctx, "SELECT "+cols+" FROM "+s.Dialect.Qualify(s.Schema, s.Table))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", s, err)
	}
	defer rows.Close()
	out := map[int64]row{}
	var dups []string
	for rows.Next() {
		var id int64
		var r row
		if err := rows.Scan(&id, &r.name, &r.email); err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", s, err)
		}
		if _, dup := out[id]; dup {
			dups = append(dups, fmt.Sprintf("key %d appears twice in %s", id, s))
		}
		out[id] = r
	}
	return out, dups, rows.Err()
}

// compare lists how a table's rows differ from the oracle: lost, resurrected, spurious or stale
// rows, and rows whose values no write of the test produced.
func (o *oracle) compare(table string, got map[int64]row) []string {
	var diffs []string
	for k := int64(1); k < int64(len(o.keys)); k++ {
		ks := &o.keys[k]
		r, present := got[k]
		v := version{exists: present, seq: -1}
		if present {
			v.seq = seqOf(k, r.name)
			if n, e := rowValues(k, v.seq); v.seq < 0 || n != r.name || e != r.email {
				diffs = append(diffs, fmt.Sprintf("key %d: %s holds (%q, %q), which no write of the test produced", k, table, r.name, r.email))
				continue
			}
		}
		if ks.accepts(v) {
			continue
		}
		want := o.describe(k, ks.cur)
		if len(ks.alts) > 0 {
			var alts []string
			for _, a := range ks.alts {
				alts = append(alts, o.describe(k, a))
			}
			want = "one of " + strings.Join(alts, ", ")
		}
		kind := "stale"
		switch {
		case !present:
			kind = "lost"
		case len(ks.alts) > 0:
		case !ks.cur.exists && ks.cur.seq > 0:
			kind = "resurrected"
		case !ks.cur.exists:
			kind = "spurious"
		}
		diffs = append(diffs, fmt.Sprintf("key %d %s in %s: it holds %s; the last write was %s", k, kind, table, o.describe(k, v), want))
	}
	for k := range got {
		if k < 1 || k >= int64(len(o.keys)) {
			diffs = append(diffs, fmt.Sprintf("key %d in %s: outside the keys the test writes", k, table))
		}
	}
	sort.Strings(diffs)
	return diffs
}

// faultWriter is one writer goroutine: it owns the keys k with k % writers == id.
type faultWriter struct {
	id     int
	o      *oracle
	mirror *client.Mirror
	rng    *rand.Rand
	last   int64
	hot    *atomic.Int64 // a key near the backfill's position, or 0
	fails  int64
}

// pick chooses a key this writer owns: the one it wrote last (a read-modify-write
// application), one near the backfill, or any.
func (w *faultWriter) pick() int64 {
	n := int64(len(w.o.keys) - 1)
	var k int64
	switch r := w.rng.IntN(10); {
	case r < 3 && w.last > 0:
		return w.last
	case r < 6 && w.hot.Load() > 0:
		k = w.hot.Load() + w.rng.Int64N(300)
	default:
		k = 1 + w.rng.Int64N(n)
	}
	k = k - k%int64(w.o.writers) + int64(w.id)
	for k < 1 {
		k += int64(w.o.writers)
	}
	for k > n {
		k -= int64(w.o.writers)
	}
	return k
}

// errAnomaly aborts a write whose table was found off the oracle.
var errAnomaly = errors.New("the table differs from what the test wrote")

// writeOne does one insert, update or delete through the mirror and updates the oracle.
func (w *faultWriter) writeOne(ctx context.Context) {
	key := w.pick()
	ks := &w.o.keys[key]
	if ks.broken {
		return
	}
	w.last = key
	seq := w.o.seq.Add(1)
	certain := len(ks.alts) == 0
	var op string
	switch del := w.rng.IntN(4) == 0; {
	case !certain && del:
		op = "delete"
	case !certain:
		op = "replace" // delete, then insert: right whatever the row holds
	case ks.cur.exists && del:
		op = "delete"
	case ks.cur.exists:
		op = "update"
	case w.rng.IntN(10) == 0:
		op = "delete" // of an absent row: it must stay absent
	default:
		op = "insert"
	}
	next := version{exists: op != "delete", seq: seq}
	name, email := rowValues(key, seq)
	mv := w.mirror.Move
	var table, phase, found string
	apply := func(tx *sql.Tx, s move.Side, which, nameCol, emailCol string) error {
		table = which
		st, _ := w.mirror.Client.State(mv.Def.Name)
		phase = string(st.Phase)
		d := s.Dialect
		t, p := d.Qualify(s.Schema, s.Table), d.Placeholder
		exec := func(stmt string, args ...any) (int64, error) {
			res, err := tx.ExecContext(ctx, stmt, args...)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		}
		ins := "INSERT INTO " + t + " (id, " + nameCol + ", " + emailCol + ") VALUES (" + p(1) + ", " + p(2) + ", " + p(3) + ")"
		del := "DELETE FROM " + t + " WHERE id = " + p(1)
		switch op {
		case "insert":
			if _, err := exec(ins, key, name, email); err != nil {
				if isDuplicate(err) {
					found = fmt.Sprintf("insert into %s (%s) found the row present; the test last wrote %s", which, phase, w.o.describe(key, ks.cur))
					return errAnomaly
				}
				return err
			}
		case "update":
			n, err := exec("UPDATE "+t+" SET "+nameCol+" = "+p(1)+", "+emailCol+" = "+p(2)+" WHERE id = "+p(3), name, email, key)
			if err != nil {
				return err
			}
			if n != 1 {
				found = fmt.Sprintf("update of %s (%s) found no row; the test last wrote %s", which, phase, w.o.describe(key, ks.cur))
				return errAnomaly
			}
		case "delete":
			n, err := exec(del, key)
			if err != nil {
				return err
			}
			if certain && (n == 1) != ks.cur.exists {
				found = fmt.Sprintf("delete from %s (%s) removed %d rows; the test last wrote %s", which, phase, n, w.o.describe(key, ks.cur))
				return errAnomaly
			}
		case "replace":
			if _, err := exec(del, key); err != nil {
				return err
			}
			if _, err := exec(ins, key, name, email); err != nil {
				return err
			}
		}
		return nil
	}
	err := w.mirror.Write(ctx, move.Key{key},
		func(tx *sql.Tx) error { return apply(tx, mv.A, "A", "name", "email") },
		func(tx *sql.Tx) error { return apply(tx, mv.B, "B", "full_name", "email_lower") })
	switch {
	case err == nil:
		w.o.mu.Lock()
		w.o.recs[seq] = writeRec{key: key, op: op, table: table, phase: phase}
		w.o.mu.Unlock()
		if table == "B" {
			w.o.writesB.Add(1)
		}
		ks.cur, ks.alts = next, nil
	case found != "":
		ks.broken = true
		w.o.anomaly("key %d: %s", key, found)
	default:
		w.fails++
		if len(ks.alts) == 0 {
			ks.alts = []version{ks.cur}
		}
		ks.alts = append(ks.alts, next)
		w.o.mu.Lock()
		w.o.recs[seq] = writeRec{key: key, op: op + " (failed: " + err.Error() + ")", table: table, phase: phase}
		w.o.mu.Unlock()
	}
}

// isDuplicate reports a primary key violation (PostgreSQL 23505, MySQL 1062).
func isDuplicate(err error) bool {
	s := err.Error()
	return strings.Contains(s, "23505") || strings.Contains(s, "Error 1062")
}
