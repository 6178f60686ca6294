package move

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// Tune sets the batch settings of the move's backfill while it runs: every running backfill
// (in any process) picks them up within a second, and a backfill started later starts with
// them. Zero fields keep their current value. It fails before the bound is fixed, when there is
// no backfill to tune yet (set batch: in the definition instead).
func (m *Move) Tune(ctx context.Context, s tandem.MoveBatchSettings) error {
	if s.Size < 0 || s.Target < 0 || s.MaxRows < 0 {
		return fmt.Errorf("move %s: tune: batch size, target and max rows must not be negative", m.Def.Name)
	}
	cur, _, err := m.Tuned(ctx)
	if err != nil {
		return err
	}
	if s.Size > 0 {
		cur.Size = s.Size
	}
	if s.Target > 0 {
		cur.Target = s.Target
	}
	if s.MaxRows > 0 {
		cur.MaxRows = s.MaxRows
	}
	enc, err := json.Marshal(tunedJSON{Size: cur.Size, TargetMS: cur.Target.Milliseconds(), MaxRows: cur.MaxRows})
	if err != nil {
		return err
	}
	d := m.B.Dialect
	res, err := m.B.DB.ExecContext(ctx, "UPDATE "+m.checkpoints().table()+" SET settings = "+d.Placeholder(1)+" WHERE move = "+d.Placeholder(2)+" AND part = 0", string(enc), m.Def.Name)
	if err != nil {
		return fmt.Errorf("move %s: tune: %w", m.Def.Name, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("move %s: tune: the backfill has not started (its bound is fixed when the move enters backfill); set batch: in the move's definition instead", m.Def.Name)
	}
	return nil
}

type tunedJSON struct {
	Size     int   `json:"size,omitempty"`
	TargetMS int64 `json:"target_ms,omitempty"`
	MaxRows  int   `json:"max_rows,omitempty"`
}

// Tuned returns the settings Tune set, and whether any were set.
func (m *Move) Tuned(ctx context.Context) (tandem.MoveBatchSettings, bool, error) {
	var t tunedJSON
	ok, err := m.checkpoints().readJSON(ctx, "settings", "tuned settings", &t)
	if err != nil || !ok {
		return tandem.MoveBatchSettings{}, false, err
	}
	return tandem.MoveBatchSettings{Size: t.Size, Target: time.Duration(t.TargetMS) * time.Millisecond, MaxRows: t.MaxRows}, true, nil
}

// Live is a running backfill's last report, as it saves it about once a second for
// tandem move status.
type Live struct {
	Holder    string        `json:"holder"`
	Rate      float64       `json:"rate"`
	ETA       time.Duration `json:"eta_ns"`
	BatchSize int           `json:"batch_size"`
	Throttled string        `json:"throttled,omitempty"`
	Workers   int           `json:"workers"`
	At        time.Time     `json:"at"`
}

// Running reports whether the report is recent enough to say a backfill runs now.
func (l Live) Running(now time.Time) bool { return now.Sub(l.At) < liveStale }

// liveStale is the age after which a live report means the backfill stopped.
const liveStale = 10 * time.Second

// Live reads the last report of a running backfill; ok is false when none ever reported.
func (m *Move) Live(ctx context.Context) (Live, bool, error) {
	var l Live
	ok, err := m.checkpoints().readJSON(ctx, "live", "the backfill's report", &l)
	return l, ok, err
}

// saveLive writes a report for status; a failure is only logged by the caller.
func (ct checkpoints) saveLive(ctx context.Context, l Live) error {
	enc, err := json.Marshal(l)
	if err != nil {
		return err
	}
	d := ct.b.Dialect
	_, err = ct.b.DB.ExecContext(ctx, "UPDATE "+ct.table()+" SET live = "+d.Placeholder(1)+" WHERE move = "+d.Placeholder(2)+" AND part = 0", string(enc), ct.move)
	return err
}

// readJSON decodes the JSON in column of the move's checkpoint row 0 into v; ok is false when
// the row or the value is missing.
func (ct checkpoints) readJSON(ctx context.Context, column, what string, v any) (ok bool, err error) {
	if err := ct.ensure(ctx); err != nil {
		return false, err
	}
	var raw sql.NullString
	err = ct.b.DB.QueryRowContext(ctx, "SELECT "+column+" FROM "+ct.table()+" WHERE move = "+ct.b.Dialect.Placeholder(1)+" AND part = 0", ct.move).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!raw.Valid || raw.String == "")) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("move %s: read %s: %w", ct.move, what, err)
	}
	if err := json.Unmarshal([]byte(raw.String), v); err != nil {
		return false, fmt.Errorf("move %s: %s %q: %w", ct.move, what, raw.String, err)
	}
	return true, nil
}

// Verified summarizes the last verification, as Verify saves it for tandem move status.
type Verified struct {
	At              time.Time     `json:"at"`
	OK              bool          `json:"ok"`
	RowsA           int64         `json:"rows_a"`
	RowsB           int64         `json:"rows_b"`
	Differences     int           `json:"differences"`
	DifferingChunks int           `json:"differing_chunks"`
	Method          string        `json:"method"`
	Took            time.Duration `json:"took_ns"`
}

// LastVerification returns the summary of the last Verify; ok is false before the first.
func (m *Move) LastVerification(ctx context.Context) (Verified, bool, error) {
	var v Verified
	ok, err := m.checkpoints().readJSON(ctx, "verified", "the last verification", &v)
	return v, ok, err
}

// saveVerified records a verification's summary in the checkpoint's row 0, creating the row
// (without a bound) when the backfill has not started.
func (ct checkpoints) saveVerified(ctx context.Context, rep *VerifyReport) error {
	enc, err := json.Marshal(Verified{At: time.Now().UTC(), OK: rep.OK(), RowsA: rep.RowsA, RowsB: rep.RowsB, Differences: len(rep.Differences),
		DifferingChunks: rep.DifferingChunks, Method: rep.Method, Took: rep.Took})
	if err != nil {
		return err
	}
	if err := ct.ensureRow0(ctx); err != nil {
		return err
	}
	d := ct.b.Dialect
	if _, err := ct.b.DB.ExecContext(ctx, "UPDATE "+ct.table()+" SET verified = "+d.Placeholder(1)+" WHERE move = "+d.Placeholder(2)+" AND part = 0", string(enc), ct.move); err != nil {
		return fmt.Errorf("move %s: record the verification: %w", ct.move, err)
	}
	return nil
}
