package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
)

// State returns a move's state, reading the switches key and the state hash in one MULTI so
// that they agree. A move never written is pending, 1100, version 0.
func (s *Store) State(ctx context.Context, move string) (tandem.MoveState, error) {
	if err := checkMove(move); err != nil {
		return tandem.MoveState{}, err
	}
	var get *redis.StringCmd
	var hash *redis.MapStringStringCmd
	_, err := s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, s.SwitchesKey(move))
		hash = p.HGetAll(ctx, s.stateKey(move))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return tandem.MoveState{}, s.wrap(fmt.Sprintf("read the state of move %q", move), err)
	}
	sw, err := get.Result()
	if errors.Is(err, redis.Nil) {
		sw = tandem.SwitchesA.String()
	}
	st, err := parseState(move, sw, hash.Val())
	if err != nil {
		return tandem.MoveState{}, fmt.Errorf("state of move %q at %s: %w", move, s.stateKey(move), err)
	}
	return st, nil
}

// parseState reads the state hash; an empty hash is a move never written.
func parseState(move, sw string, h map[string]string) (tandem.MoveState, error) {
	st := tandem.MoveState{Move: move, Phase: tandem.PhasePending}
	var err error
	if st.Switches, err = tandem.ParseSwitches(sw); err != nil {
		return st, err
	}
	if len(h) == 0 {
		return st, nil
	}
	st.Phase = tandem.Phase(h["phase"])
	if !st.Phase.Valid() {
		return st, fmt.Errorf("unknown phase %q", h["phase"])
	}
	if st.Version, err = strconv.ParseInt(h["version"], 10, 64); err != nil {
		return st, fmt.Errorf("version: %w", err)
	}
	if st.Epoch, err = strconv.ParseInt(h["epoch"], 10, 64); err != nil {
		return st, fmt.Errorf("epoch: %w", err)
	}
	st.Paused = h["paused"] == "1"
	if st.UpdatedAt, err = time.Parse(time.RFC3339Nano, h["updated_at"]); err != nil {
		return st, fmt.Errorf("updated_at: %w", err)
	}
	return st, nil
}

// stateJSON is a state as the scripts publish and return it.
type stateJSON struct {
	Move      string    `json:"move"`
	Phase     string    `json:"phase"`
	Switches  string    `json:"switches"`
	Version   int64     `json:"version"`
	Epoch     int64     `json:"epoch"`
	Paused    bool      `json:"paused"`
	UpdatedAt time.Time `json:"updated_at"`
}

// decodeState reads a state published or returned by a script.
func decodeState(text string) (tandem.MoveState, error) {
	var j stateJSON
	if err := json.Unmarshal([]byte(text), &j); err != nil {
		return tandem.MoveState{}, fmt.Errorf("state %q: %w", text, err)
	}
	sw, err := tandem.ParseSwitches(j.Switches)
	if err != nil {
		return tandem.MoveState{}, fmt.Errorf("state of move %q: %w", j.Move, err)
	}
	return tandem.MoveState{Move: j.Move, Phase: tandem.Phase(j.Phase), Switches: sw, Version: j.Version,
		Epoch: j.Epoch, Paused: j.Paused, UpdatedAt: j.UpdatedAt.UTC()}, nil
}

// Transition moves a move to phase to if its version is still version, in one Lua script
// that also writes the switches key, the audit entry and the notification. It returns
// tandem.ErrConflict when the version moved on and tandem.ErrIllegalTransition when the step
// skips or repeats a phase.
func (s *Store) Transition(ctx context.Context, move string, version int64, to tandem.Phase, t tandem.Transition) (tandem.MoveState, error) {
	if err := checkMove(move); err != nil {
		return tandem.MoveState{}, err
	}
	forced := "0"
	if t.Forced {
		forced = "1"
	}
	keys := []string{s.SwitchesKey(move), s.stateKey(move), s.auditKey(move)}
	res, err := transitionScript.Run(ctx, s.c, keys, version, string(to), t.By, t.Reason, forced, move, s.Channel(), now().Format(timeFormat)).StringSlice()
	op := fmt.Sprintf("move %q from version %d to %s", move, version, to)
	if err != nil {
		return tandem.MoveState{}, s.wrap(op, err)
	}
	return s.scriptResult(op, res)
}

// scriptResult turns the reply of the transition or pause script into a state or an error.
func (s *Store) scriptResult(op string, res []string) (tandem.MoveState, error) {
	switch {
	case len(res) == 2 && res[0] == "ok":
		st, err := decodeState(res[1])
		if err != nil {
			return st, fmt.Errorf("%s: %w", op, err)
		}
		return st, nil
	case len(res) == 3 && res[0] == "conflict":
		return tandem.MoveState{}, fmt.Errorf("%s: the move is at version %s (%s): %w", op, res[2], res[1], tandem.ErrConflict)
	case len(res) == 3 && res[0] == "illegal":
		return tandem.MoveState{}, fmt.Errorf("%s: the move is in %s: %w", op, res[1], tandem.ErrIllegalTransition)
	case len(res) == 2 && res[0] == "illegal-switches":
		return tandem.MoveState{}, fmt.Errorf("%s: switches %q: %w", op, res[1], tandem.ErrIllegalSwitches)
	}
	return tandem.MoveState{}, fmt.Errorf("%s: unexpected reply %q from the script", op, res)
}

// SetPaused sets the pause switch in one Lua script. It bumps Version (also when the switch
// already had that value: every call is a write that subscribers hear of), never Epoch.
func (s *Store) SetPaused(ctx context.Context, move string, paused bool) (tandem.MoveState, error) {
	if err := checkMove(move); err != nil {
		return tandem.MoveState{}, err
	}
	p := "0"
	if paused {
		p = "1"
	}
	keys := []string{s.SwitchesKey(move), s.stateKey(move)}
	res, err := pauseScript.Run(ctx, s.c, keys, p, move, s.Channel(), now().Format(timeFormat)).StringSlice()
	op := fmt.Sprintf("set pause of move %q to %v", move, paused)
	if err != nil {
		return tandem.MoveState{}, s.wrap(op, err)
	}
	return s.scriptResult(op, res)
}

// SetSwitchesRaw writes a move's switches key and nothing else, through the script that
// refuses every pattern but 1100, 1101, 0111 and 0011 (tandem.ErrIllegalSwitches). It is the
// lowest writing layer of the store: for repairs, and for the conformance suite's check that
// even this layer refuses illegal switches. It bypasses the phase machine, the version and
// the audit log, and notifies nobody.
func (s *Store) SetSwitchesRaw(ctx context.Context, move string, sw string) error {
	if err := checkMove(move); err != nil {
		return err
	}
	res, err := rawScript.Run(ctx, s.c, []string{s.SwitchesKey(move)}, sw).StringSlice()
	op := fmt.Sprintf("write switches %q of move %q", sw, move)
	if err != nil {
		return s.wrap(op, err)
	}
	if len(res) == 1 && res[0] == "ok" {
		return nil
	}
	if len(res) == 2 && res[0] == "illegal-switches" {
		return fmt.Errorf("%s: %w", op, tandem.ErrIllegalSwitches)
	}
	return fmt.Errorf("%s: unexpected reply %q from the script", op, res)
}

// auditJSON is one audit entry as the transition script writes it.
type auditJSON struct {
	Move    string    `json:"move"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Version int64     `json:"version"`
	Epoch   int64     `json:"epoch"`
	By      string    `json:"by"`
	Reason  string    `json:"reason"`
	Forced  bool      `json:"forced"`
	At      time.Time `json:"at"`
}

// Audit returns a move's transitions, oldest first.
func (s *Store) Audit(ctx context.Context, move string) ([]tandem.Transition, error) {
	if err := checkMove(move); err != nil {
		return nil, err
	}
	entries, err := s.c.LRange(ctx, s.auditKey(move), 0, -1).Result()
	if err != nil {
		return nil, s.wrap(fmt.Sprintf("read the audit log of move %q", move), err)
	}
	out := make([]tandem.Transition, 0, len(entries))
	for i, e := range entries {
		var j auditJSON
		if err := json.Unmarshal([]byte(e), &j); err != nil {
			return nil, fmt.Errorf("audit log of move %q, entry %d at %s: %w", move, i, s.auditKey(move), err)
		}
		out = append(out, tandem.Transition{Move: j.Move, From: tandem.Phase(j.From), To: tandem.Phase(j.To),
			Version: j.Version, Epoch: j.Epoch, By: j.By, Reason: j.Reason, Forced: j.Forced, At: j.At.UTC()})
	}
	return out, nil
}
