-- SPDX-License-Identifier: Apache-2.0
-- once: a command run once among many callers (rbarrier once). The barrier's kind is 'once'; its
-- runner is the one working party (KEYS[7]: id -> its lease deadline, server ms); each attempt
-- is a generation, released when the command succeeded (the state then 'passed': done) and
-- aborted with the runner's failure, which leaves it open for a later caller to run it again.
-- ARGV: ttl, op, id, token ('': a first claim), new_token, gen ('': a first claim), lease ms,
-- failure (finish: '' when the command succeeded, else the reason "<id>: exited 3").
-- op claim: a caller asks to run it, or, while another runs it, to be told; with gen, a caller
-- that waited for that attempt's outcome. A runner whose lease lapsed is taken over.
-- op renew: the runner renews its lease. op finish: the runner's command ended.
-- Returns {status, gen, token, who, ago, lease_left, detail, events_from}: status is
-- run (this caller runs it now: who the runner whose lease lapsed, '' for none; detail the last
-- failure, if any), running (another runs it: who, since `ago` ms, `lease_left` ms on its
-- lease), done (it was done: by who, `ago` ms ago), decided
-- (the attempt gen was decided: detail its outcome; who and ago as done's when it was done),
-- broken (detail: the reason), mismatch (a barrier of parties has this name), lost (detail: why),
-- renewed (renew) or stopped (renew, finish: this party no longer runs it; detail the outcome
-- of its attempt, '' when another took over after its lease lapsed), finished (finish).
local op, id, token, new_token, gen, lease, failure = ARGV[2], ARGV[3], ARGV[4], ARGV[5],
  ARGV[6], tonumber(ARGV[7]) or 0, ARGV[8] or ''

local now = now_ms()
local m = load_meta()
local function reply(status, who, ago, lease_left, detail, g)
  return {status, fmt(g or (m and m.gen) or 0), m and m.token or '', who or '', ago and fmt(ago) or '',
          lease_left and fmt(lease_left) or '', detail or '', last_id(events)}
end
-- Who did it and how long ago, with attempt `g`.
local function done_reply(status, detail, g)
  local by, at = unpack(redis.call('HMGET', meta, 'done_by', 'done_at'))
  at = tonumber(at)
  return reply(status, by, at and now - at, nil, detail, g)
end

if token ~= '' then
  if not m then
    return reply('lost', nil, nil, nil, 'the barrier no longer exists')
  end
  if m.token ~= token then
    return reply('lost', nil, nil, nil, 'the barrier was deleted and created again')
  end
end
local outcome = gen ~= '' and redis.call('HGET', outcomes, gen)
if op ~= 'claim' and (outcome or tonumber(gen) ~= m.gen) then
  -- Its attempt was decided (a reset, an abort), or another took it over.
  return reply('stopped', nil, nil, nil, outcome or '')
end
if outcome then
  return done_reply('decided', outcome, tonumber(gen))
end

if op == 'renew' then
  if not redis.call('ZSCORE', working, id) then
    return reply('stopped', nil, nil, nil, '') -- its lease lapsed and another runs it
  end
  redis.call('ZADD', working, fmt(now + lease), id)
  touch()
  return reply('renewed')
end
if op == 'finish' then
  if redis.call('ZREM', working, id) == 0 then
    return reply('stopped', nil, nil, nil, '')
  end
  if failure == '' then
    redis.call('HSET', meta, 'done_by', id, 'done_at', fmt(now))
    redis.call('HDEL', meta, 'failed')
    decide(m, 'released')
    redis.call('HSET', meta, 'state', 'passed')
  else
    redis.call('HSET', meta, 'failed', failure)
    decide(m, 'aborted:' .. failure) -- the barrier stays open: a later caller runs it again
  end
  touch()
  return reply('finished')
end

-- claim
m = m or open_barrier(new_token, now)
if m.state == 'broken' then
  return reply('broken', nil, nil, nil, m.reason)
end
if m.kind ~= 'once' then
  if m.parties or m.state ~= 'open' or redis.call('EXISTS', members, working) > 0 then
    return reply('mismatch')
  end
  redis.call('HSET', meta, 'kind', 'once')
end
if m.state == 'passed' then
  return done_reply('done', '', m.gen - 1) -- the attempt that did it
end
local runner = redis.call('ZRANGE', working, 0, 0, 'WITHSCORES')
local lapsed = ''
if #runner > 0 and tonumber(runner[2]) > now then
  local since = tonumber(redis.call('HGET', meta, 'runner_since')) or now
  return reply('running', runner[1], now - since, tonumber(runner[2]) - now)
elseif #runner > 0 then
  lapsed = runner[1]
  redis.call('DEL', working)
end
redis.call('ZADD', working, fmt(now + lease), id)
redis.call('HSET', meta, 'runner_since', fmt(now))
touch()
return reply('run', lapsed, nil, nil, redis.call('HGET', meta, 'failed') or '')
