package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// driverName is the database/sql driver that Tandem, Goose, Fresh and Check open; Trace swaps
// in a counting one.
var driverName = "pgx"

// Trace counts the round trips a library tool makes to the database and the time spent in
// each kind of statement (its first keywords, with names and values left out).
type Trace struct {
	mu    sync.Mutex
	kinds map[string]*traceKind
}

type traceKind struct {
	n    int
	took time.Duration
}

var (
	registerOnce sync.Once
	active       *Trace
	activeMu     sync.Mutex
)

// Traced runs fn with every connection that the library tools open counted in a new Trace.
// It is not safe to call from several goroutines at once.
func Traced(fn func() error) (*Trace, error) {
	registerOnce.Do(func() { sql.Register("pgx-trace", tracingDriver{stdlib.GetDefaultDriver()}) })
	tr := &Trace{kinds: map[string]*traceKind{}}
	activeMu.Lock()
	active, driverName = tr, "pgx-trace"
	activeMu.Unlock()
	defer func() {
		activeMu.Lock()
		active, driverName = nil, "pgx"
		activeMu.Unlock()
	}()
	return tr, fn()
}

func (t *Trace) add(kind string, d time.Duration) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	k := t.kinds[kind]
	if k == nil {
		k = &traceKind{}
		t.kinds[kind] = k
	}
	k.n++
	k.took += d
}

// Print writes one line per kind of statement, most time first, and the totals.
func (t *Trace) Print(w io.Writer) {
	type row struct {
		kind string
		traceKind
	}
	var rows []row
	var total traceKind
	for k, v := range t.kinds {
		rows = append(rows, row{k, *v})
		total.n += v.n
		total.took += v.took
	}
	slices.SortFunc(rows, func(a, b row) int { return int(b.took - a.took) })
	fmt.Fprintf(w, "  %-58s %7s %9s %8s\n", "statement", "calls", "total ms", "avg µs")
	for _, r := range rows {
		fmt.Fprintf(w, "  %-58s %7d %9.0f %8.0f\n", r.kind, r.n, ms(r.took), float64(r.took.Microseconds())/float64(r.n))
	}
	fmt.Fprintf(w, "  %-58s %7d %9.0f\n", "all round trips", total.n, ms(total.took))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// kindOf names a statement by its first words, without identifiers and values.
func kindOf(query string) string {
	f := strings.Fields(query)
	var out []string
	for _, w := range f {
		u := strings.ToUpper(w)
		switch u {
		case "SELECT", "INSERT", "INTO", "UPDATE", "DELETE", "FROM", "CREATE", "ALTER", "TABLE", "INDEX", "SET",
			"SHOW", "BEGIN", "COMMIT", "ROLLBACK", "DROP", "WITH", "SCHEMA", "IF", "NOT", "EXISTS", "ADD", "COLUMN", "ON":
			out = append(out, u)
		default:
			if strings.HasPrefix(strings.ToLower(w), "tandem_") || strings.HasPrefix(strings.ToLower(w), "goose_") ||
				strings.HasPrefix(strings.ToLower(w), "pg_") {
				out = append(out, strings.ToLower(strings.Trim(w, `"(),;`)))
			} else {
				out = append(out, "_")
			}
		}
		if len(out) == 6 {
			break
		}
	}
	s := strings.Join(slices.Compact(out), " ")
	if len(s) > 58 {
		s = s[:58]
	}
	return s
}

type tracingDriver struct{ d driver.Driver }

func (t tracingDriver) Open(name string) (driver.Conn, error) {
	c, err := t.d.Open(name)
	if err != nil {
		return nil, err
	}
	activeMu.Lock()
	tr := active
	activeMu.Unlock()
	return &tracingConn{Conn: c, tr: tr}, nil
}

// tracingConn forwards to pgx's connection, timing every round trip.
type tracingConn struct {
	driver.Conn
	tr *Trace
}

func (c *tracingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	start := time.Now()
	r, err := c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	c.tr.add(kindOf(query), time.Since(start))
	return r, err
}

func (c *tracingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	start := time.Now()
	r, err := c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	c.tr.add(kindOf(query), time.Since(start))
	return r, err
}

func (c *tracingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	start := time.Now()
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	c.tr.add("BEGIN", time.Since(start))
	if err != nil {
		return nil, err
	}
	return &tracingTx{tx: tx, tr: c.tr}, nil
}

func (c *tracingConn) Ping(ctx context.Context) error {
	start := time.Now()
	err := c.Conn.(driver.Pinger).Ping(ctx)
	c.tr.add("ping", time.Since(start))
	return err
}

func (c *tracingConn) CheckNamedValue(v *driver.NamedValue) error {
	if nc, ok := c.Conn.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (c *tracingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *tracingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type tracingTx struct {
	tx driver.Tx
	tr *Trace
}

func (t *tracingTx) Commit() error {
	start := time.Now()
	err := t.tx.Commit()
	t.tr.add("COMMIT", time.Since(start))
	return err
}

func (t *tracingTx) Rollback() error {
	start := time.Now()
	err := t.tx.Rollback()
	t.tr.add("ROLLBACK", time.Since(start))
	return err
}
