package redisstore

import "github.com/redis/go-redis/v9"

// luaRules is the phase machine of tandem.CanTransition and tandem.Phase.Switches, written into
// every script that writes, so that the scripts refuse an illegal step or switch pattern
// whoever runs them. The conformance suite tries every pair of phases against it.
const luaRules = `
local legal = {['1100']=true, ['1101']=true, ['0111']=true, ['0011']=true}
local switches = {['pending']='1100', ['dual-write']='1101', ['backfill']='1101', ['verified']='1101',
  ['read-b']='0111', ['write-b']='0011', ['complete']='0011'}
local nextp = {['pending']='dual-write', ['dual-write']='backfill', ['backfill']='verified',
  ['verified']='read-b', ['read-b']='write-b', ['write-b']='complete'}
local back = {['dual-write']='pending', ['backfill']='pending', ['verified']='pending',
  ['read-b']='verified', ['write-b']='read-b'}
local e = cjson.encode
local function statejson(move, phase, sw, version, epoch, paused, at)
  return '{"move":' .. e(move) .. ',"phase":' .. e(phase) .. ',"switches":' .. e(sw) ..
    ',"version":' .. version .. ',"epoch":' .. epoch .. ',"paused":' .. (paused == '1' and 'true' or 'false') ..
    ',"updated_at":' .. e(at) .. '}'
end
`

// transitionScript: KEYS switches, state, audit; ARGV version, to, by, reason, forced (0/1),
// move, channel, now. Returns {"ok", state JSON}, or {"conflict"|"illegal", phase, version}.
// The version is checked before legality: a caller that lost a race learns so, even though
// its step has become a repeat.
var transitionScript = redis.NewScript(luaRules + `
local st = redis.call('HMGET', KEYS[2], 'phase', 'version', 'epoch', 'paused')
local phase = st[1] or 'pending'
local version = tonumber(st[2] or '0')
local epoch = tonumber(st[3] or '0')
local paused = st[4] or '0'
if version ~= tonumber(ARGV[1]) then
  return {'conflict', phase, tostring(version)}
end
local to = ARGV[2]
if switches[phase] == nil or switches[to] == nil or (nextp[phase] ~= to and back[phase] ~= to) then
  return {'illegal', phase, tostring(version)}
end
local sw = switches[to]
if not legal[sw] then
  return {'illegal-switches', sw}
end
version = version + 1
epoch = epoch + 1
redis.call('SET', KEYS[1], sw)
redis.call('HSET', KEYS[2], 'phase', to, 'version', version, 'epoch', epoch, 'paused', paused, 'updated_at', ARGV[8])
redis.call('RPUSH', KEYS[3], '{"move":' .. e(ARGV[6]) .. ',"from":' .. e(phase) .. ',"to":' .. e(to) ..
  ',"version":' .. version .. ',"epoch":' .. epoch .. ',"by":' .. e(ARGV[3]) .. ',"reason":' .. e(ARGV[4]) ..
  ',"forced":' .. (ARGV[5] == '1' and 'true' or 'false') .. ',"at":' .. e(ARGV[8]) .. '}')
local state = statejson(ARGV[6], to, sw, version, epoch, paused, ARGV[8])
redis.call('PUBLISH', ARGV[7], state)
return {'ok', state}
`)

// pauseScript: KEYS switches, state; ARGV paused (0/1), move, channel, now. Returns
// {"ok", state JSON}. It bumps the version, never the epoch, and leaves the switches alone.
var pauseScript = redis.NewScript(luaRules + `
local st = redis.call('HMGET', KEYS[2], 'phase', 'version', 'epoch')
local phase = st[1] or 'pending'
local version = tonumber(st[2] or '0') + 1
local epoch = tonumber(st[3] or '0')
local sw = redis.call('GET', KEYS[1]) or '1100'
redis.call('HSET', KEYS[2], 'phase', phase, 'version', version, 'epoch', epoch, 'paused', ARGV[1], 'updated_at', ARGV[4])
local state = statejson(ARGV[2], phase, sw, version, epoch, ARGV[1], ARGV[4])
redis.call('PUBLISH', ARGV[3], state)
return {'ok', state}
`)

// rawScript: KEYS switches; ARGV switches. The lowest layer that writes the switches key:
// it refuses every pattern but the four legal ones. Returns {"ok"} or {"illegal-switches"}.
var rawScript = redis.NewScript(luaRules + `
if not legal[ARGV[1]] then
  return {'illegal-switches', ARGV[1]}
end
redis.call('SET', KEYS[1], ARGV[1])
return {'ok'}
`)

// renewScript: KEYS lease; ARGV holder, ttl in ms. Extends the lease if holder holds it.
// Returns 1 if so, else 0.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// releaseScript: KEYS lease; ARGV holder. Deletes the lease if holder holds it.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)
