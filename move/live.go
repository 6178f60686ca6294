package move

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Tune sets the batch settings of the move's backfill while it runs: every running backfill
// (in any process) picks them up within a second, and a backfill started later starts with
// them. Zero fields keep their current value. It fails before the bound is fixed, when there is
// no backfill to tune yet (set batch: in the definition instead).
func (m *Move) Tune(ctx context.Context, s BatchSettings) error {
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
	res, err := m.B.DB.ExecContext(ctx, "UPDATE "+m.checkpointTable()+" SET settings = "+d.Placeholder(1)+" WHERE move = "+d.Placeholder(2)+" AND part = 0", string(enc), m.Def.Name)
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
func (m *Move) Tuned(ctx context.Context) (BatchSettings, bool, error) {
	if err := m.ensureCheckpoint(ctx); err != nil {
		return BatchSettings{}, false, err
	}
	var raw sql.NullString
	err := m.B.DB.QueryRowContext(ctx, "SELECT settings FROM "+m.checkpointTable()+" WHERE move = "+m.B.Dialect.Placeholder(1)+" AND part = 0", m.Def.Name).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!raw.Valid || raw.String == "")) {
		return BatchSettings{}, false, nil
	}
	if err != nil {
		return BatchSettings{}, false, fmt.Errorf("move %s: read tuned settings: %w", m.Def.Name, err)
	}
	var t tunedJSON
	if err := json.Unmarshal([]byte(raw.String), &t); err != nil {
		return BatchSettings{}, false, fmt.Errorf("move %s: tuned settings %q: %w", m.Def.Name, raw.String, err)
	}
	return BatchSettings{Size: t.Size, Target: time.Duration(t.TargetMS) * time.Millisecond, MaxRows: t.MaxRows}, true, nil
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
	if err := m.ensureCheckpoint(ctx); err != nil {
		return Live{}, false, err
	}
	var raw sql.NullString
	err := m.B.DB.QueryRowContext(ctx, "SELECT live FROM "+m.checkpointTable()+" WHERE move = "+m.B.Dialect.Placeholder(1)+" AND part = 0", m.Def.Name).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!raw.Valid || raw.String == "")) {
		return Live{}, false, nil
	}
	if err != nil {
		return Live{}, false, fmt.Errorf("move %s: read the backfill's report: %w", m.Def.Name, err)
	}
	var l Live
	if err := json.Unmarshal([]byte(raw.String), &l); err != nil {
		return Live{}, false, fmt.Errorf("move %s: the backfill's report %q: %w", m.Def.Name, raw.String, err)
	}
	return l, true, nil
}

// saveLive writes a report for status; a failure is only logged by the caller.
func (m *Move) saveLive(ctx context.Context, l Live) error {
	enc, err := json.Marshal(l)
	if err != nil {
		return err
	}
	d := m.B.Dialect
	_, err = m.B.DB.ExecContext(ctx, "UPDATE "+m.checkpointTable()+" SET live = "+d.Placeholder(1)+" WHERE move = "+d.Placeholder(2)+" AND part = 0", string(enc), m.Def.Name)
	return err
}
