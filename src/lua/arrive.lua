-- SPDX-License-Identifier: Apache-2.0
-- arrive: KEYS[8] this arrival's reply cache.
-- ARGV: ttl, id, parties, lease ms (0: none, counted until the generation ends), once ('0'/'1'),
-- new_token, expected (the member ids sorted and joined by newlines; '': any), value ('': none),
-- from_work ('1': a working party (run) that finished its work: it stops working), work_gen and
-- work_token (from work: the generation it entered and the instance), then min, last call ms,
-- rank order (id, natural, arrival), deadline ms (0: none) and action ('1': a barrier action):
-- see shape_of.
-- Returns {status, gen, count, parties, token, detail, events_from, progress_from, min, closes_in,
-- deadline_in, deadline_dur, rank_by, action} (the last six: see timing): status is
-- act (this arrival completed generation gen, whose barrier action it runs now, as a working
-- party; count: the generation's size), waiting (detail: 'late' when the previous generation, elastic, was released without it less
-- than a last call before), released, passed, broken (detail: the reason), mismatch (detail: the barrier's once
-- flag), members (another set of expected members; detail: how many the barrier's has, 0 for
-- none), stopped (from_work, but the party was no longer working: the outcome of its generation,
-- the detail, ended its work), lost (from work: its instance is gone; detail: why) or
-- full (not counted: count parties entered, one still working; arrive again once generation gen
-- ended); the last ids of the two streams, from which a waiting party reads on.
local cache = KEYS[8]
local id, parties, lease, once, new_token, expected, value, from_work, work_gen, work_token =
  ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9],
  ARGV[10] or '', ARGV[11] or ''
local shape = shape_of(parties, once, expected, 12)
local from_work_known = from_work == '1' and work_token ~= ''

-- How long the reply to an arrival without a lease is kept for a retry.
local keep_record = 60000

local cached = redis.call('GET', cache)
if cached then
  return cjson.decode(cached)
end

local now = now_ms()
local m = load_meta()
-- A party that worked in an instance that is gone lost its state: it does not make a new one.
if from_work_known and (not m or m.token ~= work_token) then
  return with_timing({'lost', '0', '0', '0', '', m and 'the barrier was deleted and created again'
                      or 'the barrier no longer exists', '0-0', '0-0'})
end
m = m or open_barrier(new_token, now)
settle(m, now)

-- Refusals change nothing; a counted arrival is remembered for a lease, so that a retry whose
-- reply was lost gets this reply again instead of joining the next generation.
local function refuse(status, count, detail)
  return with_timing({status, fmt(m.gen), fmt(count), fmt(m.parties or 0), m.token, detail, '0-0',
                      '0-0'}, m, now)
end

-- A reply with the streams' last ids, from which the party reads on.
local function standing(status, count, detail)
  return with_timing({status, fmt(m.gen), fmt(count), fmt(m.parties or 0), m.token, detail or '',
                      last_id(events), last_id(progress)}, m, now)
end

local function reply(status, count, detail)
  local r = standing(status, count, detail)
  redis.call('SET', cache, cjson.encode(r), 'PX', fmt(lease > 0 and lease or keep_record))
  touch()
  return r
end

-- A run party whose command succeeded must still be working in the generation it entered: the
-- outcome of its generation (a reset, an abort) ended its work, and is its outcome (detail),
-- whatever came after it -- also when a later party works under its id.
if from_work == '1' and (not redis.call('ZSCORE', working, id) or not current(m, work_gen)) then
  local outcome = outcome_of(work_gen)
  if outcome then
    return refuse('stopped', 0, outcome)
  end
  if m.state ~= 'broken' then
    return refuse('stopped', 0, '')
  end
end
local refused, detail = admit(m, shape)
if refused then
  local counted = (refused == 'mismatch' or refused == 'members') and redis.call('ZCARD', members)
  return refuse(refused, counted or 0, detail)
end
if from_work ~= '1' and full(m, id, now) then
  -- Not counted: the party waits for this generation's outcome and arrives again.
  return standing('full', entered(now))
end
if from_work == '1' then
  redis.call('ZREM', working, id)
end
if value ~= '' then
  redis.call('HSET', data, id, value)
end
fix_deadline(m, shape, now)
local gen = m.gen
local count, released, acting = join(m, id, lease, now)
m.gen = gen -- report the generation this party arrived in
if released then
  return reply('released', count)
end
if acting then
  return reply('act', count)
end
-- Late for an elastic generation released without it: it says so.
local late = ''
local released_at = tonumber(redis.call('HGET', meta, 'released_at'))
if m.min < m.parties and released_at and now - released_at <= m.last_call and
    redis.call('HGET', outcomes, fmt(gen - 1)) == 'released' then
  late = 'late'
end
return reply('waiting', count, late)
