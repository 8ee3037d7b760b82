-- SPDX-License-Identifier: Apache-2.0
-- status: ARGV: ttl (unused: status reads and changes nothing).
-- Returns {events_from, progress_from} (the last ids of the streams, from which a watcher reads
-- on) when there is no barrier, else {events_from, progress_from, gen, parties, state, reason,
-- once, created, now, pttl, last_outcome, expected, last_call, min, closes_in, deadline_in,
-- deadline_dur, rank_by, kind, done_by, done_at, runner_since, failed, working, wid1, wlease_left1, ..., id1,
-- lease_left1, value1, id2, ...}: `working` parties (run) with their leases (0 or less: it ended
-- and the next party's operation will abort the generation), then only live members (lease_left
-- empty for one that arrived without a lease, value empty without --data); expected is the
-- expected member ids joined by newlines ('' without --members).
local m = load_meta()
local from = {last_id(events), last_id(progress)}
if not m then
  return from
end
local now = now_ms()
local last = redis.call('HGET', outcomes, fmt(m.gen - 1)) or ''
local created = redis.call('HGET', meta, 'created') or '0'
local expected = redis.call('HGET', meta, 'expected') or ''
local r = {from[1], from[2], fmt(m.gen), m.parties and fmt(m.parties) or '', m.state, m.reason,
           m.once, created, fmt(now), fmt(redis.call('PTTL', meta)), last, expected,
           fmt(m.last_call)}
with_timing(r, m, now)
-- A barrier of rbarrier once (once.lua): who did it and when, since when its runner runs it, and
-- the last failure.
for _, v in ipairs(redis.call('HMGET', meta, 'kind', 'done_by', 'done_at', 'runner_since',
                              'failed')) do
  r[#r + 1] = v or ''
end
local busy = redis.call('ZRANGE', working, '0', '-1', 'WITHSCORES')
r[#r + 1] = fmt(#busy / 2)
for i = 1, #busy, 2 do
  r[#r + 1] = busy[i]
  r[#r + 1] = fmt(tonumber(busy[i + 1]) - now)
end
local live = redis.call('ZRANGEBYSCORE', members, '(' .. fmt(now), '+inf', 'WITHSCORES')
for i = 1, #live, 2 do
  r[#r + 1] = live[i]
  if live[i + 1] == 'inf' then
    r[#r + 1] = '' -- arrived without a lease
  else
    r[#r + 1] = fmt(tonumber(live[i + 1]) - now)
  end
  r[#r + 1] = redis.call('HGET', data, live[i]) or ''
end
return r
