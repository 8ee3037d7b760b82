-- SPDX-License-Identifier: Apache-2.0
-- observe: ARGV: ttl (unused: observe reads and changes nothing), gen, token: the generation an
-- awaiting party waits for ('': the current one) and the instance it has seen ('': none yet).
-- Returns {status, gen, count, parties, token, detail, events_from, progress_from}: status is
-- none (no barrier yet: gen is the one to wait for), waiting, decided (detail: the outcome),
-- broken (detail: the reason), passed (a --once barrier that was released), or lost (detail:
-- why); the last ids of the two streams, from which the party reads on.
local gen, token = ARGV[2], ARGV[3]

local from = {last_id(events), last_id(progress)}
local m = load_meta()
local function reply(status, g, count, detail)
  return {status, fmt(g), fmt(count), fmt(m and m.parties or 0), m and m.token or '', detail,
          from[1], from[2]}
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
  return reply('decided', g, 0, outcome)
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
return reply('waiting', g, redis.call('ZCOUNT', members, '(' .. fmt(now_ms()), '+inf'), '')
