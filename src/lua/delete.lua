-- SPDX-License-Identifier: Apache-2.0
-- delete: ARGV: ttl, force ('1': also while parties wait or work). Removes the barrier's keys
-- that it can name: the seven main keys, the order of arrival and every roster kept (the
-- client then removes what only SCAN finds: arrival records, older rosters).
-- Returns {'none'} (no barrier), {'busy', waiting, working} (parties are there and force was
-- not given; nothing changed) or {'deleted', waiting, working}. With force, parties that were
-- there are told by a `deleted` event on the outcome stream, which is then left to expire in
-- a few seconds instead of being deleted, so that their blocked reads wake on it.
local force = ARGV[2] == '1'

local m = load_meta()
if not m then
  local n = redis.call('DEL', members, outcomes, progress, data, working, order, events)
  return {'none', fmt(n)}
end
local now = now_ms()
local waiting = redis.call('ZCOUNT', members, '(' .. fmt(now), '+inf')
local busy = redis.call('ZCARD', working)
if (waiting > 0 or busy > 0) and not force then
  return {'busy', fmt(waiting), fmt(busy)}
end
for g = m.gen - keep_rosters, m.gen do
  redis.call('DEL', roster_keys(g))
end
redis.call('DEL', meta, members, outcomes, progress, data, working, order)
if waiting > 0 or busy > 0 then
  redis.call('XADD', events, 'MAXLEN', '~', keep_events, '*', 'event', 'deleted', 'gen',
    fmt(m.gen), 'token', m.token)
  redis.call('PEXPIRE', events, 5000)
else
  redis.call('DEL', events)
end
return {'deleted', fmt(waiting), fmt(busy)}
