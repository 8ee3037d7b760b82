-- SPDX-License-Identifier: Apache-2.0
-- arrive: KEYS[7] this arrival's reply cache.
-- ARGV: ttl, id, parties, lease ms (0: none, counted until the generation ends), once ('0'/'1'),
-- new_token, expected (the member ids sorted and joined by newlines; '': any), value ('': none).
-- Returns {status, gen, count, parties, token, detail, events_from, progress_from}: status is
-- waiting, released, passed, broken (detail: the reason), mismatch (detail: the barrier's once
-- flag) or members (another set of expected members; detail: how many the barrier's has, 0 for
-- none); the last ids of the two streams, from which a waiting party reads on.
local cache = KEYS[7]
local id, parties, lease, once, new_token, expected, value = ARGV[2], tonumber(ARGV[3]),
  tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7], ARGV[8]

-- How long the reply to an arrival without a lease is kept for a retry.
local keep_record = 60000

local cached = redis.call('GET', cache)
if cached then
  return cjson.decode(cached)
end

local now = now_ms()
local m = load_meta()
if not m then
  -- HSET first: under maxmemory, Redis refuses a script at its first write that may allocate,
  -- but lets it go on once anything was written (DEL included).
  redis.call('HSET', meta, 'gen', '1', 'state', 'open', 'token', new_token, 'created', fmt(now))
  redis.call('DEL', members, outcomes)
  m = {gen = 1, state = 'open', reason = '', token = new_token, once = '0'}
end

-- Refusals change nothing; a counted arrival is remembered for a lease, so that a retry whose
-- reply was lost gets this reply again instead of joining the next generation.
local function refuse(status, count, detail)
  return {status, fmt(m.gen), fmt(count), fmt(m.parties or 0), m.token, detail, '0-0', '0-0'}
end

local function reply(status, count)
  local r = {status, fmt(m.gen), fmt(count), fmt(m.parties or 0), m.token, '', last_id(events),
             last_id(progress)}
  redis.call('SET', cache, cjson.encode(r), 'PX', fmt(lease > 0 and lease or keep_record))
  touch()
  return r
end

if m.state == 'broken' then
  return refuse('broken', 0, m.reason)
end
if not m.parties then
  redis.call('HSET', meta, 'parties', fmt(parties), 'once', once)
  if expected ~= '' then
    redis.call('HSET', meta, 'expected', expected)
  end
  m.parties, m.once = parties, once
elseif m.parties ~= parties or m.once ~= once then
  return refuse('mismatch', redis.call('ZCARD', members), m.once)
else
  local have = redis.call('HGET', meta, 'expected') or ''
  if have ~= expected then
    local ids = have == '' and 0 or select(2, string.gsub(have, '\n', '')) + 1
    return refuse('members', redis.call('ZCARD', members), fmt(ids))
  end
end
if m.state == 'passed' then
  return refuse('passed', 0, '')
end
if value ~= '' then
  redis.call('HSET', data, id, value)
end
local gen = m.gen
local count, released = join(m, id, lease, now)
m.gen = gen -- report the generation this party arrived in
if released then
  return reply('released', count)
end
return reply('waiting', count)
