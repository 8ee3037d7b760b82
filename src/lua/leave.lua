-- SPDX-License-Identifier: Apache-2.0
-- leave: KEYS[8] this arrival's reply cache. ARGV: ttl, id, gen, token, lease ms; gen and token
-- empty: those of the arrival in the cache, if the server counted it.
-- Returns {'decided', outcome, gen[, parties released]} | {'lost', why} |
-- {'left', count, gen, parties, kept}: the member
-- count, the current generation and its parties (0 without a barrier), for the report of
-- a party that never learned them; kept '1' when the member still counts (see below).
local cache = KEYS[8]
local id, gen, token, lease = ARGV[2], ARGV[3], ARGV[4], ARGV[5]

-- The generation and parties of now, for a party whose arrival's reply never came.
local function left(count)
  local m = load_meta()
  return {'left', fmt(count), fmt(m and m.gen or 0), fmt(m and m.parties or 0)}
end

if gen == '' then
  local cached = redis.call('GET', cache)
  if not cached then
    -- The arrival may still be on its way on a connection the party gave up: leave a tombstone
    -- in its place, so that it changes nothing when it comes.
    redis.call('SET', cache, cjson.encode({'withdrawn', '0', '0', '0', '', '', '0-0', '0-0'}),
      'PX', lease)
    return left(0)
  end
  local arrival = cjson.decode(cached)
  if arrival[1] == 'released' then
    local m = load_meta()
    return {'decided', 'released', arrival[2], m and released_size(m, arrival[2]) or nil}
  end
  if arrival[1] ~= 'waiting' then
    return left(0)
  end
  gen, token = arrival[2], arrival[5]
end
gen = tonumber(gen)

local m = load_meta()
if not m or m.token ~= token then
  return {'lost', 'the barrier no longer exists'}
end
local now = now_ms()
settle(m, now)
local outcome = redis.call('HGET', outcomes, fmt(gen))
if outcome then
  return {'decided', outcome, fmt(gen), outcome == 'released' and released_size(m, gen) or nil}
end
if m.gen ~= gen then
  return {'lost', 'the outcome of generation ' .. fmt(gen) .. ' is unknown'}
end
redis.call('DEL', cache)
-- A member without a lease (arrive, with this id) counts until the generation ends.
local removed = 0
local kept = redis.call('ZSCORE', members, id) == 'inf'
if not kept then
  removed = redis.call('ZREM', members, id)
  redis.call('HDEL', data, id)
end
local count = redis.call('ZCARD', members)
if removed > 0 then
  count_event('left', m, count, {id})
  update_window(m, now)
end
touch()
return {'left', fmt(count), fmt(gen), fmt(m.parties or 0), kept and '1' or '0'}
