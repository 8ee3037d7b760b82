-- SPDX-License-Identifier: Apache-2.0
-- Shared by every script (cmake/embed_lua.cmake puts it in front of each).
-- KEYS[1] the metadata hash, KEYS[2] the members sorted set, KEYS[3] the outcomes hash,
-- KEYS[4] the stream of outcomes, KEYS[5] the stream of arrivals and departures, KEYS[6] the
-- members' data (--data) of the current generation, KEYS[7] the working parties (run) sorted set.
-- ARGV[1] the idle TTL in milliseconds.
-- Derived keys in the same hash tag (so in the same Cluster slot), not among KEYS: the arrival
-- order of the current generation (--rank-by arrival) and each kept roster (see roster_keys).
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

-- id -> its place in the order of arrival, for --rank-by arrival (current generation).
local order = meta .. ':order'


-- Sets the idle TTL on the main keys. Every script that writes calls it before it returns, and
-- decide() and open_barrier() call it themselves: a script may return on any path after them
-- (a refusal after expire_working() decided), and a key they made must not live for ever.
local function touch()
  for _, key in ipairs({meta, members, outcomes, events, progress, data, working, order}) do
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
  local v = redis.call('HMGET', meta, 'gen', 'parties', 'state', 'reason', 'token', 'once', 'min',
    'last_call', 'closes', 'size', 'deadline', 'deadline_dur', 'rank_by', 'kind', 'action', 'actor')
  if not v[1] then
    return nil
  end
  if not tonumber(v[1]) or (v[2] and not tonumber(v[2])) then
    error({err = 'ERR key ' .. meta .. ' is not a barrier: its gen or parties is not a number'})
  end
  -- parties is the most (MAX) a generation holds, min the fewest released (MIN, after the last
  -- call: last_call ms after closes was set); size, once fixed, how many the generation holds.
  local parties = tonumber(v[2])
  return {gen = tonumber(v[1]), parties = parties, state = v[3] or 'open', reason = v[4] or '',
          token = v[5] or '', once = v[6] or '0', min = tonumber(v[7]) or parties,
          last_call = tonumber(v[8]) or 0, closes = tonumber(v[9]), size = tonumber(v[10]),
          deadline = tonumber(v[11]), deadline_dur = tonumber(v[12]), rank_by = v[13] or 'id',
          kind = v[14] or '', action = v[15] or '0', actor = v[16] or nil}
end

-- The keys of released generation `g`'s roster (same hash tag, same slot): its members, their
-- data, their text in rank order for readers (roster.lua), the order of arrival (--rank-by
-- arrival) and the rank order when not by id; and the text an older version kept (deleted with
-- them).
local function roster_keys(g)
  local roster = meta .. ':roster:' .. fmt(g)
  return roster, meta .. ':data:' .. fmt(g), roster .. ':ranked', meta .. ':order:' .. fmt(g),
    roster .. ':rank_by', roster .. ':text'
end

-- Record the outcome of generation `gen`, then start the next one. The outcome is written
-- before anything is cleared, so a reader never sees an empty generation without it. A
-- released generation's members and data are kept as its roster.
-- A generation's window (closes), fixed size and deadline end with it.
local function decide(m, outcome)
  redis.call('HSET', outcomes, fmt(m.gen), outcome)
  redis.call('HDEL', outcomes, fmt(m.gen - keep_outcomes))
  redis.call('HSET', meta, 'gen', fmt(m.gen + 1))
  if m.closes or m.size or m.deadline or m.actor then
    redis.call('HDEL', meta, 'closes', 'size', 'deadline', 'deadline_dur', 'actor')
  end
  if outcome == 'released' then
    if m.parties and m.min < m.parties then -- for a late arrival's note (arrive); elastic only
      redis.call('HSET', meta, 'released_at', fmt(now_ms()))
    end
    redis.call('DEL', roster_keys(m.gen - keep_rosters))
    local roster, roster_data, _, roster_order, roster_rank_by = roster_keys(m.gen)
    for from, to in pairs({[members] = roster, [data] = roster_data, [order] = roster_order}) do
      if redis.call('EXISTS', from) == 1 then
        redis.call('RENAME', from, to)
        redis.call('PEXPIRE', to, ttl)
      end
    end
    if m.rank_by ~= 'id' then
      redis.call('SET', roster_rank_by, m.rank_by, 'PX', ttl)
    end
  else
    redis.call('DEL', members, data, working, order) -- working parties learn of it and stop
    if m.actor then -- the roster its barrier action read (roster.lua)
      redis.call('DEL', roster_keys(m.gen))
    end
  end
  -- The generation's parties: those it was released with, or the most it could hold.
  local parties = fmt(m.size or m.parties or 0)
  local kind, detail = string.match(outcome, '^(%a+):(.*)$')
  if kind then -- aborted:<reason>, expired:<who>
    redis.call('XADD', events, 'MAXLEN', '~', keep_events, '*', 'event', kind, 'gen',
      fmt(m.gen), 'token', m.token, 'parties', parties, 'reason', detail)
  else
    redis.call('XADD', events, 'MAXLEN', '~', keep_events, '*', 'event', outcome, 'gen',
      fmt(m.gen), 'token', m.token, 'parties', parties)
  end
  m.gen = m.gen + 1
  m.closes, m.size, m.deadline, m.deadline_dur, m.actor = nil, nil, nil, nil, nil
  touch()
end

-- What the first party of a generation after a reset, or after a deadline passed, fixes again:
-- the barrier is open, its parties, --once, members, MIN:MAX and rank order unset; a once
-- barrier (once.lua) is no longer one, and forgets who did it.
local function clear_shape(m)
  redis.call('HSET', meta, 'state', 'open')
  redis.call('HDEL', meta, 'parties', 'once', 'reason', 'expected', 'min', 'last_call', 'rank_by',
    'kind', 'done_by', 'done_at', 'failed', 'runner_since', 'action')
  m.state, m.parties, m.min, m.once, m.reason, m.rank_by, m.kind, m.action = 'open', nil, nil, '0',
    '', 'id', '', '0'
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

-- What a joining party asks of the barrier, from ARGV from index `i`: MIN, the last call (ms),
-- the rank order, its --deadline (ms, 0: none) and whether it has a barrier action ('1'), after
-- its parties (MAX), once and expected.
local function shape_of(parties, once, expected, i)
  local min = tonumber(ARGV[i]) or parties
  return {parties = parties, once = once, expected = expected, min = min,
          last_call = tonumber(ARGV[i + 1]) or 0, rank_by = ARGV[i + 2] or 'id',
          deadline = tonumber(ARGV[i + 3]) or 0, action = ARGV[i + 4] == '1' and '1' or '0'}
end

-- Whether a party with this shape (shape_of) may join: nil, or the status that refuses it
-- (broken, mismatch, members, passed) and its detail. The first party fixes the shape; the last
-- call is the first party's too (not a mismatch).
local function admit(m, s)
  if m.state == 'broken' then
    return 'broken', m.reason
  end
  if m.kind == 'once' then -- run by rbarrier once: not a barrier of parties
    return 'mismatch', 'command'
  end
  if not m.parties then
    redis.call('HSET', meta, 'parties', fmt(s.parties), 'once', s.once)
    if s.expected ~= '' then
      redis.call('HSET', meta, 'expected', s.expected)
    end
    if s.min < s.parties then
      redis.call('HSET', meta, 'min', fmt(s.min), 'last_call', fmt(s.last_call))
    end
    if s.rank_by ~= 'id' then
      redis.call('HSET', meta, 'rank_by', s.rank_by)
    end
    if s.action == '1' then
      redis.call('HSET', meta, 'action', '1')
    end
    m.parties, m.once, m.min, m.last_call, m.rank_by, m.action = s.parties, s.once, s.min,
      s.last_call, s.rank_by, s.action
  elseif m.parties ~= s.parties or m.min ~= s.min or m.once ~= s.once or
      m.rank_by ~= s.rank_by or m.action ~= s.action then
    return 'mismatch', m.once
  else
    local have = redis.call('HGET', meta, 'expected') or ''
    if have ~= s.expected then
      return 'members', fmt(have == '' and 0 or select(2, string.gsub(have, '\n', '')) + 1)
    end
  end
  if m.state == 'passed' then
    return 'passed', ''
  end
  return nil
end

-- The first party of a generation that gives a --deadline fixes the generation's (server clock);
-- later ones read it and do not move it.
local function fix_deadline(m, s, now)
  if s.deadline > 0 and not m.deadline then
    m.deadline, m.deadline_dur = now + s.deadline, s.deadline
    redis.call('HSET', meta, 'deadline', fmt(m.deadline), 'deadline_dur', fmt(s.deadline))
  end
end

-- Ends the current generation as aborted and leaves the barrier broken until a reset.
local function break_barrier(m, reason)
  decide(m, 'aborted:' .. reason)
  redis.call('HSET', meta, 'state', 'broken', 'reason', reason)
  m.state, m.reason = 'broken', reason
end

-- A working party (run) whose lease ended vanished while working: the gang cannot succeed any
-- more, so the first operation that sees it aborts the generation, naming it.
-- (The runner of a once barrier is taken over instead: once.lua.)
local function expire_working(m, now)
  if m.state == 'broken' or m.kind == 'once' then
    return
  end
  local gone = redis.call('ZRANGEBYSCORE', working, '-inf', fmt(now), 'LIMIT', '0', '1')
  if #gone > 0 then
    break_barrier(m, gone[1] .. (gone[1] == m.actor and
      ': vanished while running the barrier action (its lease expired)' or
      ': vanished while working (its lease expired)'))
  end
end

-- Whether the generation's membership may still change: MIN < MAX and its size not yet fixed.
local function elastic(m)
  return m.parties and m.min < m.parties and not m.size
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

-- How many parties released generation `gen` were (its roster's size; the barrier's parties when
-- that is no longer kept), as a reply's string.
local function released_size(m, gen)
  local size = redis.call('ZCARD', (roster_keys(gen)))
  return fmt(size > 0 and size or (m.parties or 0))
end

-- Whether `gen` (a working party's: the generation it entered; '' when it does not know it) is the
-- current generation: a working entry under its id in another one is another party's.
local function current(m, gen)
  return gen == '' or tonumber(gen) == m.gen
end

-- The stored outcome of generation `gen` ('' : none asked for), or nil: for a working party that
-- no longer works, what ended its work.
local function outcome_of(gen)
  return gen ~= '' and redis.call('HGET', outcomes, gen) or nil
end

-- Whether `id` would be one party too many: it is neither working nor a live member, and as many
-- parties as the generation holds entered already, one of them still working (a generation
-- holds at most `parties`, or its size once fixed, working and arrived together; it waits for the
-- next one).
local function full(m, id, now)
  if redis.call('ZSCORE', working, id) or live_member(id, now) then
    return false
  end
  return redis.call('ZCARD', working) > 0 and entered(now) >= (m.size or m.parties)
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

-- Opens the last call when MIN parties entered an elastic generation (server clock: it closes
-- last_call ms later), and closes it again when fewer are left; says so on the outcome stream,
-- so that the waiting parties check the stored state when it ends.
local function update_window(m, now)
  if not elastic(m) then
    return
  end
  local count = entered(now)
  if count >= m.min and not m.closes then
    m.closes = now + m.last_call
    redis.call('HSET', meta, 'closes', fmt(m.closes))
    redis.call('XADD', events, 'MAXLEN', '~', keep_events, '*', 'event', 'last-call', 'gen',
      fmt(m.gen), 'token', m.token, 'count', fmt(count), 'parties', fmt(m.parties), 'in',
      fmt(m.last_call))
  elseif count < m.min and m.closes then
    m.closes = nil
    redis.call('HDEL', meta, 'closes')
  end
end

-- Whether the last call of the generation is over (MIN or more are present since then).
local function called(m, now)
  return m.closes and now >= m.closes
end

-- A complete generation of a barrier with an action: `id`, a live member holding a lease, runs
-- the action before the release, as a working party with that lease (its lapse breaks the
-- barrier); the generation's size is fixed at `count`, and its members count until it ends, so
-- that no one withdraws or joins while the action runs. Returns whether `id` runs it.
local function start_action(m, id, lease, count, now)
  if not id or lease <= 0 or not live_member(id, now) then
    return false -- the next member to poll runs it
  end
  m.actor, m.size = id, count
  redis.call('HSET', meta, 'actor', id, 'size', fmt(count))
  local ids = redis.call('ZRANGE', members, 0, -1)
  for _, member in ipairs(ids) do
    redis.call('ZADD', members, '+inf', member)
  end
  redis.call('ZADD', working, fmt(now + lease), id)
  return true
end

-- Releases the generation when its members are complete and no party works (a member under the
-- id of a working party waits for that work): `parties` of them (or its size, once fixed), or at
-- least MIN once the last call is over. With a barrier action not yet run, the member `id`
-- (joining or renewing with `lease`) starts it instead, when it can. Returns the member count,
-- whether it released it, and whether `id` runs the action.
local function release_if_complete(m, now, id, lease)
  local count = redis.call('ZCARD', members)
  if redis.call('ZCARD', working) > 0 then
    return count, false, false
  end
  if count < (m.size or m.parties) and not (not m.size and called(m, now) and count >= m.min) then
    return count, false, false
  end
  if m.action == '1' and not m.actor then
    return count, false, start_action(m, id, lease or 0, count, now)
  end
  m.size = count -- what the generation was released with
  decide(m, 'released')
  if m.once == '1' then
    redis.call('HSET', meta, 'state', 'passed')
  end
  return count, true, false
end

-- Add or renew `id` (lease 0: see below); release the generation when it is complete. Returns
-- the member count, whether this call released it, and whether `id` runs the barrier action.
local function join(m, id, lease, now)
  -- Lease 0: a party that holds none (arrive) counts until the generation ends; a waiting party
  -- with the same id does not give it one.
  local score = '+inf'
  if lease > 0 and redis.call('ZSCORE', members, id) ~= 'inf' then
    score = fmt(now + lease)
  end
  local added = redis.call('ZADD', members, score, id) -- first: see arrive's HSET
  if added > 0 and m.rank_by == 'arrival' then
    redis.call('HSET', order, id, fmt(redis.call('HINCRBY', meta, 'arrivals', 1)))
  end
  local expired = expire_members(now)
  local count, released, acting = release_if_complete(m, now, id, lease)
  if released then
    return count, true, false
  end
  update_window(m, now)
  if #expired > 0 then
    count_event('left', m, count, expired)
  end
  if added > 0 then
    count_event('arrived', m, count)
  end
  if added > 0 and not acting and redis.call('ZCARD', working) > 0 and entered(now) == m.parties then
    announce_entered(m, m.parties)
  end
  return count, false, acting
end

-- The generation's deadline passed before its release: it ends as expired, naming how many
-- entered of how many would have sufficed, and the --members that never did, and the next
-- generation starts as after a reset (the outcome is stored as
-- "expired:<entered>/<needed>[\n<id>...]").
local function expire_deadline(m, now)
  if not m.deadline or now < m.deadline or m.state ~= 'open' then
    return
  end
  expire_members(now)
  local never = {}
  for id in string.gmatch(redis.call('HGET', meta, 'expected') or '', '[^\n]+') do
    if not live_member(id, now) and not redis.call('ZSCORE', working, id) then
      never[#never + 1] = id
    end
  end
  local who = fmt(entered(now)) .. '/' .. fmt(m.min)
  if #never > 0 then
    who = who .. '\n' .. table.concat(never, '\n')
  end
  decide(m, 'expired:' .. who)
  clear_shape(m)
end

-- What time decides, run first by every script that changes a barrier and by observe: a working
-- party's lapsed lease breaks it, a passed deadline ends its generation, and the end of a last
-- call releases the members present (or, while some work, fixes the generation's size: those
-- who entered, announced to those that wait for it).
local function settle(m, now)
  expire_working(m, now)
  expire_deadline(m, now)
  if not called(m, now) or m.state ~= 'open' then
    return
  end
  local gone = expire_members(now)
  if #gone > 0 then
    count_event('left', m, redis.call('ZCARD', members), gone)
  end
  update_window(m, now) -- fewer than MIN left: the last call is closed again
  if not called(m, now) then
    return
  end
  if redis.call('ZCARD', working) == 0 then
    release_if_complete(m, now)
  elseif not m.size then
    m.size = entered(now)
    redis.call('HSET', meta, 'size', fmt(m.size))
    announce_entered(m, m.size)
  end
end

-- The times a party acts on, as ms from now ('' for none): when the last call ends, when the
-- deadline passes, and the --deadline that fixed it; with MIN, the rank order and whether a
-- barrier action runs ('1'), what a reply says of the generation's shape. Appended to the replies of arrive, enter, poll and observe.
local function timing(m, now)
  local function left(t)
    return t and fmt(math.max(0, t - now)) or ''
  end
  return {fmt(m.min or 0), left(elastic(m) and m.closes), left(m.deadline),
          m.deadline_dur and fmt(m.deadline_dur) or '', m.rank_by or 'id', m.action or '0'}
end

local function with_timing(r, m, now)
  for _, v in ipairs(m and timing(m, now) or {'0', '', '', '', 'id', '0'}) do
    r[#r + 1] = v
  end
  return r
end
