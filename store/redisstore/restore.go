package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem"
)

// restoreScript: KEYS switches, state, audit; ARGV move, phase, switches, version, epoch,
// paused (0/1), channel, now, then the audit entries as JSON. Returns {"ok", state JSON}, or
// {"conflict", phase, version} when the store has recorded a transition of the move (epoch
// above 0, or an audit entry) or holds a version at least as high.
var restoreScript = redis.NewScript(luaRules + `
local st = redis.call('HMGET', KEYS[2], 'phase', 'version', 'epoch')
local phase = st[1] or 'pending'
local version = tonumber(st[2] or '0')
local epoch = tonumber(st[3] or '0')
if epoch ~= 0 or version >= tonumber(ARGV[4]) or redis.call('LLEN', KEYS[3]) > 0 then
  return {'conflict', phase, tostring(version)}
end
if switches[ARGV[2]] ~= ARGV[3] or not legal[ARGV[3]] then
  return {'illegal-switches', ARGV[3]}
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], 'phase', ARGV[2], 'version', ARGV[4], 'epoch', ARGV[5], 'paused', ARGV[6], 'updated_at', ARGV[8])
for i = 9, #ARGV do
  redis.call('RPUSH', KEYS[3], ARGV[i])
end
local state = statejson(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[8])
redis.call('PUBLISH', ARGV[7], state)
return {'ok', state}
`)

// auditEntry is one audit entry as the transition script writes it, with its time in the
// store's fixed-width format.
type auditEntry struct {
	Move    string `json:"move"`
	From    string `json:"from"`
	To      string `json:"to"`
	Version int64  `json:"version"`
	Epoch   int64  `json:"epoch"`
	By      string `json:"by"`
	Reason  string `json:"reason"`
	Forced  bool   `json:"forced"`
	At      string `json:"at"`
}

// Restore writes a move's state, switches key and audit list back after Redis lost them, in
// one Lua script that refuses (tandem.ErrConflict) once the move has had a transition in this
// Redis or holds a version at least st.Version: a compare-and-set from the empty state.
func (s *Store) Restore(ctx context.Context, st tandem.MoveState, audit []tandem.Transition) (tandem.MoveState, error) {
	if err := checkMove(st.Move); err != nil {
		return tandem.MoveState{}, err
	}
	if err := tandem.CheckRestore(st, audit); err != nil {
		return tandem.MoveState{}, err
	}
	paused := "0"
	if st.Paused {
		paused = "1"
	}
	args := []any{st.Move, string(st.Phase), st.Switches.String(), st.Version, st.Epoch, paused, s.Channel(), now().Format(timeFormat)}
	for _, t := range audit {
		body, err := json.Marshal(auditEntry{Move: t.Move, From: string(t.From), To: string(t.To), Version: t.Version, Epoch: t.Epoch,
			By: t.By, Reason: t.Reason, Forced: t.Forced, At: t.At.UTC().Truncate(time.Microsecond).Format(timeFormat)})
		if err != nil {
			return tandem.MoveState{}, fmt.Errorf("restore move %q: audit entry of version %d: %w", st.Move, t.Version, err)
		}
		args = append(args, string(body))
	}
	keys := []string{s.SwitchesKey(st.Move), s.stateKey(st.Move), s.auditKey(st.Move)}
	res, err := restoreScript.Run(ctx, s.c, keys, args...).StringSlice()
	op := fmt.Sprintf("restore move %q to %s at version %d, epoch %d", st.Move, st.Phase, st.Version, st.Epoch)
	if err != nil {
		return tandem.MoveState{}, s.wrap(op, err)
	}
	return s.scriptResult(op, res)
}
