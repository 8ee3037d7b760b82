-- SPDX-License-Identifier: Apache-2.0
-- Shared by every script (cmake/embed_lua.cmake puts it in front of each).
-- KEYS[1] the metadata hash, KEYS[2] the members sorted set, KEYS[3] the outcomes hash,
-- KEYS[4] the stream of outcomes, KEYS[5] the stream of arrivals and departures, KEYS[6] the
-- members' data (--data) of the current generation, KEYS[7] the working parties (run) sorted set.
-- ARGV[1] the idle TTL in milliseconds.
if redis.replicate_commands then
  redis.replicate_commands() -- scripts read TIME, then write: needed before Redis 5
end

local meta, members, outcomes, events, progress, data, working = KEYS[1], KEYS[2], KEYS[3],
  KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local ttl = ARGV[1]
local keep_outcomes = 100
-- About how many entries each stream keeps (MAXLEN ~): readers that fell further behind check
-- the stored state instead.
local keep_events, keep_progress = '100', '1000'
-- How many released generations keep their roster (members and data, for ranks and --json).
local keep_rosters = 10

local function fmt(n)
  return string.format('%d', n)
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end


-- Sets the idle TTL on the main keys. Every script that writes calls it before it returns, and
-- decide() and open_barrier() call it themselves: a script may return on any path after them
-- (a refusal after expire_working() decided), and a key they made must not live for ever.
local function touch()
  for _, key in ipairs({meta, members, outcomes, events, progress, data, working}) do
    redis.call('PEXPIRE', key, ttl)
  end
end

-- Another program's key under our name is an error that names the key, not a script failure.
local function check_types()
  for key, want in pairs({[meta] = 'hash', [members] = 'zset', [outcomes] = 'hash',
                          [events] = 'stream', [progress] = 'stream', [data] = 'hash',
                          [working] = 'zset'}) do
    local t = redis.call('TYPE', key)['ok']
    if t ~= 'none' and t ~= want then
      error({err = 'WRONGTYPE key ' .. key .. ' holds a ' .. t .. ', not a ' .. want})
    end
  end
end

-- The metadata as a table, or nil when the barrier does not exist.
local function load_meta()
  check_types()
  local v = redis.call('HMGET', meta, 'gen', 'parties', 'state', 'reason', 'token', 'once')
  if not v[1] then
    return nil
  end
  if not tonumber(v[1]) or (v[2] and not tonumber(v[2])) then
    error({err = 'ERR key ' .. meta .. ' is not a barrier: its gen or parties is not a number'})
  end
  return {gen = tonumber(v[1]), parties = tonumber(v[2]), state = v[3] or 'open',
          reason = v[4] or '', token = v[5] or '', once = v[6] or '0'}
end

-- The members and their data of released generation `g`, and their text for readers (roster.lua):
-- its roster (same hash tag, same slot).
local function roster_keys(g)
  local roster = meta .. ':roster:' .. fmt(g)
  return roster, meta .. ':data:' .. fmt(g), roster .. ':text'
end

-- Record the outcome of generation `gen`, then start the next one. The outcome is written
-- before anything is cleared, so a reader never sees an empty generation without it. A
-- released generation's members and data are kept as its roster.
local function decide(m, outcome)
  redis.call('HSET', outcomes, fmt(m.gen), outcome)
  redis.call('HDEL', outcomes, fmt(m.gen - keep_outcomes))
  redis.call('HSET', meta, 'gen', fmt(m.gen + 1))
  if outcome == 'released' then
    redis.call('DEL', roster_keys(m.gen - keep_rosters))
    local roster, roster_data = roster_keys(m.gen)
    for from, to in pairs({[members] = roster, [data] = roster_data}) do
      if redis.call('EXISTS', from) == 1 then
        redis.call('RENAME', from, to)
        redis.call('PEXPIRE', to, ttl)
      end
    end
  else
    redis.call('DEL', members, data, working) -- working parties learn of it and stop
  end
  local parties = fmt(m.parties or 0)
  if string.sub(outcome, 1, 8) == 'aborted:' then
    redis.call('XADD', events, 'MAXLEN', '~', keep_events, '*', 'event', 'aborted', 'gen',
      fmt(m.gen), 'token', m.token, 'parties', parties, 'reason', string.sub(outcome, 9))
  else
    redis.call('XADD', events, 'MAXLEN', '~', keep_events, '*', 'event', outcome, 'gen',
      fmt(m.gen), 'token', m.token, 'parties', parties)
  end
  m.gen = m.gen + 1
  touch()
end

-- Creates the barrier (instance `new_token`) and returns its metadata.
local function open_barrier(new_token, now)
  -- HSET first: under maxmemory, Redis refuses a script at its first write that may allocate,
  -- but lets it go on once anything was written (DEL included).
  redis.call('HSET', meta, 'gen', '1', 'state', 'open', 'token', new_token, 'created', fmt(now))
  redis.call('DEL', members, outcomes)
  touch()
  return {gen = 1, state = 'open', reason = '', token = new_token, once = '0'}
end

-- Whether a party with these --parties, --once and expected members (canonical, '' for any) may
-- join: nil, or the status that refuses it (broken, mismatch, members, passed) and its detail.
-- The first party fixes them.
local function admit(m, parties, once, expected)
  if m.state == 'broken' then
    return 'broken', m.reason
  end
  if not m.parties then
    redis.call('HSET', meta, 'parties', fmt(parties), 'once', once)
    if expected ~= '' then
      redis.call('HSET', meta, 'expected', expected)
    end
    m.parties, m.once = parties, once
  elseif m.parties ~= parties or m.once ~= once then
    return 'mismatch', m.once
  else
    local have = redis.call('HGET', meta, 'expected') or ''
    if have ~= expected then
      return 'members', fmt(have == '' and 0 or select(2, string.gsub(have, '\n', '')) + 1)
    end
  end
  if m.state == 'passed' then
    return 'passed', ''
  end
  return nil
end

-- Ends the current generation as aborted and leaves the barrier broken until a reset.
local function break_barrier(m, reason)
  decide(m, 'aborted:' .. reason)
  redis.call('HSET', meta, 'state', 'broken', 'reason', reason)
  m.state, m.reason = 'broken', reason
end

-- A working party (run) whose lease ended vanished while working: the gang cannot succeed any
-- more, so the first operation that sees it aborts the generation, naming it.
local function expire_working(m, now)
  if m.state == 'broken' then
    return
  end
  local gone = redis.call('ZRANGEBYSCORE', working, '-inf', fmt(now), 'LIMIT', '0', '1')
  if #gone > 0 then
    break_barrier(m, gone[1] .. ': vanished while working (its lease expired)')
  end
end

local function live_member(id, now)
  local lease = redis.call('ZSCORE', members, id)
  return lease and (lease == 'inf' or tonumber(lease) > now)
end

-- How many parties entered the current generation: those working and those arrived, an id that
-- does both (a run party, and a wait or arrive under its id) once.
local function entered(now)
  local busy = redis.call('ZRANGE', working, 0, -1)
  local count = #busy + redis.call('ZCOUNT', members, '(' .. fmt(now), '+inf')
  for _, id in ipairs(busy) do
    if live_member(id, now) then
      count = count - 1
    end
  end
  return count
end

-- The stored outcome of generation `gen` ('' : none asked for), or nil: for a working party that
-- no longer works, what ended its work.
local function outcome_of(gen)
  return gen ~= '' and redis.call('HGET', outcomes, gen) or nil
end

-- Whether `id` would be one party too many: it is neither working nor a live member, and as many
-- parties as the barrier has entered already, one of them still working (a generation holds at
-- most `parties`, working and arrived together; it waits for the next one).
local function full(m, id, now)
  if redis.call('ZSCORE', working, id) or live_member(id, now) then
    return false
  end
  return redis.call('ZCARD', working) > 0 and entered(now) >= m.parties
end

-- Says on the outcome stream that all parties entered, for those that wait for it (run --enter).
local function announce_entered(m, count)
  redis.call('XADD', events, 'MAXLEN', '~', keep_events, '*', 'event', 'entered', 'gen',
    fmt(m.gen), 'token', m.token, 'count', fmt(count), 'parties', fmt(m.parties))
end

-- The id of a stream's last entry, from which a reader reads on: '0-0' when it has none.
local function last_id(stream)
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', '1')
  if #last == 0 then
    return '0-0'
  end
  return last[1][1]
end

-- Withdraw members whose lease ended; returns their ids.
local function expire_members(now)
  local gone = redis.call('ZRANGEBYSCORE', members, '-inf', fmt(now))
  if #gone > 0 then
    redis.call('ZREMRANGEBYSCORE', members, '-inf', fmt(now))
  end
  return gone
end

-- Arrivals and departures go to a stream of their own, so that a waiter that shows no progress
-- is woken only by the outcome, not by every one of N arrivals.
-- A departure names who left (`ids`, a list), so that a timeout can tell them from those who
-- never came.
local function count_event(kind, m, count, ids)
  if ids and #ids > 0 then
    redis.call('XADD', progress, 'MAXLEN', '~', keep_progress, '*', 'event', kind, 'gen',
      fmt(m.gen), 'token', m.token, 'count', fmt(count), 'parties', fmt(m.parties or 0), 'ids',
      table.concat(ids, '\n'))
  else
    redis.call('XADD', progress, 'MAXLEN', '~', keep_progress, '*', 'event', kind, 'gen',
      fmt(m.gen), 'token', m.token, 'count', fmt(count), 'parties', fmt(m.parties or 0))
  end
end

-- Releases the generation when `parties` members are present and no party works (a member under
-- the id of a working party waits for that work). Returns the member count and whether it did.
local function release_if_complete(m)
  local count = redis.call('ZCARD', members)
  if count < m.parties or redis.call('ZCARD', working) > 0 then
    return count, false
  end
  decide(m, 'released')
  if m.once == '1' then
    redis.call('HSET', meta, 'state', 'passed')
  end
  return count, true
end

-- Add or renew `id` (lease 0: see below); release the generation when it is complete. Returns
-- the member count and whether this call released it.
local function join(m, id, lease, now)
  -- Lease 0: a party that holds none (arrive) counts until the generation ends; a waiting party
  -- with the same id does not give it one.
  local score = '+inf'
  if lease > 0 and redis.call('ZSCORE', members, id) ~= 'inf' then
    score = fmt(now + lease)
  end
  local added = redis.call('ZADD', members, score, id) -- first: see arrive's HSET
  local expired = expire_members(now)
  local count, released = release_if_complete(m)
  if released then
    return count, true
  end
  if #expired > 0 then
    count_event('left', m, count, expired)
  end
  if added > 0 then
    count_event('arrived', m, count)
  end
  if added > 0 and redis.call('ZCARD', working) > 0 and entered(now) == m.parties then
    announce_entered(m, m.parties)
  end
  return count, false
end
