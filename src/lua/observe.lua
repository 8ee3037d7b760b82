-- SPDX-License-Identifier: Apache-2.0
-- observe: ARGV: ttl, gen, token: the generation an awaiting party waits for ('': the current
-- one) and the instance it has seen ('': none yet). It changes nothing but what time decides in
-- every script (settle): a lapsed working lease breaks the barrier, a passed deadline ends the
-- generation, the end of a last call releases it, so that a party that only awaits learns of
-- them too.
-- Returns {status, gen, count, parties, token, detail, events_from, progress_from, lapse, min,
-- closes_in, deadline_in, deadline_dur, rank_by, action} (the last six: see timing; parties, for a
-- released generation, how many it was released with):
-- status is none (no barrier yet: gen is the one to wait for), waiting, decided (detail: the
-- outcome), broken (detail: the reason), passed (a --once barrier that was released), or lost
-- (detail: why); the last ids of the two streams, from which the party reads on; the
-- milliseconds until the first working party's lease lapses ('' when none works), when the
-- party should observe again.
local gen, token = ARGV[2], ARGV[3]

local now = now_ms()
local m = load_meta()
if m and (token == '' or m.token == token) then
  settle(m, now)
end
local from = {last_id(events), last_id(progress)}
local function reply(status, g, count, detail, parties)
  local first = redis.call('ZRANGE', working, 0, 0, 'WITHSCORES')
  local lapse = #first > 0 and fmt(math.max(0, tonumber(first[2]) - now)) or ''
  return with_timing({status, fmt(g), fmt(count), parties or fmt(m and m.parties or 0),
                      m and m.token or '', detail, from[1], from[2], lapse}, m, now)
end

if not m then
  if token ~= '' then
    return reply('lost', tonumber(gen) or 0, 0, 'the barrier no longer exists')
  end
  return reply('none', tonumber(gen) or 1, 0, '')
end
if token ~= '' and m.token ~= token then
  return reply('lost', tonumber(gen) or 0, 0, 'the barrier was deleted and created again')
end
local g = tonumber(gen) or m.gen
local outcome = redis.call('HGET', outcomes, fmt(g))
if outcome then
  return reply('decided', g, 0, outcome, outcome == 'released' and released_size(m, g) or nil)
end
if g < m.gen then
  return reply('lost', g, 0, 'the outcome of generation ' .. fmt(g) .. ' is no longer known')
end
if m.state == 'broken' then
  return reply('broken', g, 0, m.reason)
end
if m.state == 'passed' then
  return reply('passed', g, 0, '')
end
return reply('waiting', g, redis.call('ZCOUNT', members, '(' .. fmt(now), '+inf'), '')
