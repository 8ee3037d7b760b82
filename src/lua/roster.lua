-- SPDX-License-Identifier: Apache-2.0
-- roster: ARGV: ttl (unused: roster reads and changes nothing), gen: a released generation.
-- Returns {'roster', id1, value1, id2, value2, ...}: the members it was released with and their
-- --data (value empty without), in no particular order; or {'unknown'} when that generation was
-- not released or its roster is no longer kept (the last 10 are).
local roster, roster_data = roster_keys(tonumber(ARGV[2]))
local ids = redis.call('ZRANGE', roster, 0, -1)
if #ids == 0 then
  return {'unknown'}
end
local values = {}
local all = redis.call('HGETALL', roster_data) -- not HMGET: no unpack of thousands of ids
for i = 1, #all, 2 do
  values[all[i]] = all[i + 1]
end
local r = {'roster'}
for _, id in ipairs(ids) do
  r[#r + 1] = id
  r[#r + 1] = values[id] or ''
end
return r
