package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-db/tandem"
)

// Heartbeat records that an instance is alive for ttl, replacing what it reported before. At
// is set to the time of the call.
func (s *Store) Heartbeat(ctx context.Context, h tandem.Heartbeat, ttl time.Duration) error {
	if err := checkKey("instance id", h.Instance); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("heartbeat of %q: time to live %v is not positive", h.Instance, ttl)
	}
	epochs, err := json.Marshal(h.Epochs)
	if err != nil {
		return fmt.Errorf("heartbeat of %q: %w", h.Instance, err)
	}
	at := now()
	if _, err := s.db.ExecContext(ctx, s.q.upsertInstance, h.Instance, h.CodeVersion, string(epochs), at.UnixMicro(), at.Add(ttl).UnixMicro()); err != nil {
		return fmt.Errorf("heartbeat of %q: %w", h.Instance, err)
	}
	return nil
}

// Instances returns the instances whose heartbeat has not expired, sorted by id. It first
// deletes the rows of expired ones; that purge is housekeeping, so if it fails (a lock wait
// or deadlock with a heartbeat) the rows are filtered out all the same and purged next time.
func (s *Store) Instances(ctx context.Context) ([]tandem.Heartbeat, error) {
	t := now().UnixMicro()
	if _, err := s.db.ExecContext(ctx, s.q.purgeInstances, t); err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("list instances: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.q.instances, t)
	if err != nil {
		return nil, fmt.Errorf("list instances: %w", err)
	}
	defer rows.Close()
	var out []tandem.Heartbeat
	for rows.Next() {
		var h tandem.Heartbeat
		var epochs string
		var seen int64
		if err := rows.Scan(&h.Instance, &h.CodeVersion, &epochs, &seen); err != nil {
			return nil, fmt.Errorf("list instances: %w", err)
		}
		if err := json.Unmarshal([]byte(epochs), &h.Epochs); err != nil {
			return nil, fmt.Errorf("list instances: epochs of %q: %w", h.Instance, err)
		}
		h.At = fromMicros(seen)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list instances: %w", err)
	}
	return out, nil
}

// Lease takes the lease on resource for holder, renews it if holder holds it, or takes it over
// if it expired; it reports false when another holder's lease is live. Each step is one
// atomic statement: an UPDATE that takes or renews an existing row, then, when there is none,
// an INSERT that does nothing if another holder inserted first.
func (s *Store) Lease(ctx context.Context, resource, holder string, ttl time.Duration) (bool, error) {
	if err := checkKey("lease resource", resource); err != nil {
		return false, err
	}
	if holder == "" {
		return false, fmt.Errorf("lease of %q: empty holder", resource)
	}
	if ttl <= 0 {
		return false, fmt.Errorf("lease of %q: time to live %v is not positive", resource, ttl)
	}
	op := fmt.Sprintf("lease %q for %q", resource, holder)
	t := now()
	exp := t.Add(ttl).UnixMicro()
	for _, q := range []struct {
		query string
		args  []any
	}{
		{s.q.takeLease, []any{holder, exp, resource, holder, t.UnixMicro()}},
		{s.q.insertLease, []any{resource, holder, exp}},
	} {
		res, err := s.db.ExecContext(ctx, q.query, q.args...)
		if err != nil {
			return false, fmt.Errorf("%s: %w", op, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, fmt.Errorf("%s: %w", op, err)
		} else if n == 1 {
			return true, nil
		}
	}
	// MySQL counts a row whose values did not change as unaffected: a renewal within the same
	// microsecond. Read the row to tell that from another holder's lease.
	var got string
	var gotExp int64
	err := s.db.QueryRowContext(ctx, s.q.readLease, resource).Scan(&got, &gotExp)
	if errors.Is(err, sql.ErrNoRows) {
		// Released between the statements: free, but this call did not get it; the caller
		// tries again, as after any refusal.
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	return got == holder && gotExp == exp, nil
}

// Release gives up the lease on resource if holder holds it; otherwise it does nothing.
func (s *Store) Release(ctx context.Context, resource, holder string) error {
	if err := checkKey("lease resource", resource); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.q.release, resource, holder); err != nil {
		return fmt.Errorf("release %q for %q: %w", resource, holder, err)
	}
	return nil
}
