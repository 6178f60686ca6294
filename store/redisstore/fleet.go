package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
)

// heartbeatJSON is a heartbeat as stored under <prefix>:instance:<id>.
type heartbeatJSON struct {
	Instance    string           `json:"instance"`
	CodeVersion string           `json:"code_version"`
	Epochs      map[string]int64 `json:"epochs"`
	At          string           `json:"at"`
}

// Heartbeat records that an instance is alive for ttl: a key that Redis expires after ttl, and
// the instance's id in a sorted set (scored by expiry) that Instances lists. At is set to the
// time of the call.
func (s *Store) Heartbeat(ctx context.Context, h tandem.Heartbeat, ttl time.Duration) error {
	if h.Instance == "" {
		return errors.New("heartbeat without an instance id")
	}
	if ttl < time.Millisecond {
		return fmt.Errorf("heartbeat of %q: time to live %v is below the 1ms Redis can keep", h.Instance, ttl)
	}
	at := now()
	body, err := json.Marshal(heartbeatJSON{Instance: h.Instance, CodeVersion: h.CodeVersion, Epochs: h.Epochs, At: at.Format(timeFormat)})
	if err != nil {
		return fmt.Errorf("heartbeat of %q: %w", h.Instance, err)
	}
	// A pipeline rather than MULTI: on Redis Cluster the two keys live in different slots.
	// The key is written first, so the set never lists an instance whose key was never set.
	_, err = s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.instanceKey(h.Instance), body, ttl)
		p.ZAdd(ctx, s.instancesKey(), redis.Z{Score: float64(at.Add(ttl).UnixMilli()), Member: h.Instance})
		return nil
	})
	if err != nil {
		return s.wrap(fmt.Sprintf("heartbeat of %q", h.Instance), err)
	}
	return nil
}

// Instances returns the instances whose heartbeat key has not expired, sorted by id. Ids whose
// key has expired, and whose score says they should have, are dropped from the sorted set.
func (s *Store) Instances(ctx context.Context) ([]tandem.Heartbeat, error) {
	ids, err := s.c.ZRangeWithScores(ctx, s.instancesKey(), 0, -1).Result()
	if err != nil {
		return nil, s.wrap("list instances", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	gets := make([]*redis.StringCmd, len(ids))
	_, err = s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, z := range ids {
			gets[i] = p.Get(ctx, s.instanceKey(z.Member.(string)))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, s.wrap("list instances", err)
	}
	var out []tandem.Heartbeat
	var expired []any
	nowMs := float64(time.Now().UnixMilli())
	for i, g := range gets {
		id := ids[i].Member.(string)
		body, err := g.Result()
		if errors.Is(err, redis.Nil) {
			// Only ids whose score is past: an instance that heartbeats right now has
			// already raised its score, and must stay listed.
			if ids[i].Score < nowMs {
				expired = append(expired, id)
			}
			continue
		}
		var j heartbeatJSON
		if err := json.Unmarshal([]byte(body), &j); err != nil {
			return nil, fmt.Errorf("heartbeat at %s: %w", s.instanceKey(id), err)
		}
		at, err := time.Parse(time.RFC3339Nano, j.At)
		if err != nil {
			return nil, fmt.Errorf("heartbeat at %s: time %q: %w", s.instanceKey(id), j.At, err)
		}
		out = append(out, tandem.Heartbeat{Instance: j.Instance, CodeVersion: j.CodeVersion, Epochs: j.Epochs, At: at})
	}
	if len(expired) > 0 {
		if err := s.c.ZRem(ctx, s.instancesKey(), expired...).Err(); err != nil {
			return nil, s.wrap("drop expired instances", err)
		}
	}
	slices.SortFunc(out, func(a, b tandem.Heartbeat) int { return strings.Compare(a.Instance, b.Instance) })
	return out, nil
}
