-- SPDX-License-Identifier: Apache-2.0
-- roster: ARGV: ttl, gen: a released generation.
-- Returns {'roster', text}: the members it was released with and their --data (empty without),
-- in no particular order, as netstrings "<length>:<id><length>:<value>..." (binary-safe); or
-- {'unknown'} when that generation was not released or its roster is no longer kept (the last
-- 10 are). The text is made by the first reader and kept beside the roster, so that N readers
-- of an N-member roster cost the server O(N) bytes each, not O(N) script work each.
local roster, roster_data, roster_text = roster_keys(tonumber(ARGV[2]))
local text = redis.call('GET', roster_text)
if text then
  return {'roster', text}
end
local ids = redis.call('ZRANGE', roster, 0, -1)
if #ids == 0 then
  return {'unknown'}
end
local values = {}
local all = redis.call('HGETALL', roster_data) -- not HMGET: no unpack of thousands of ids
for i = 1, #all, 2 do
  values[all[i]] = all[i + 1]
end
local parts = {}
for _, id in ipairs(ids) do
  local value = values[id] or ''
  parts[#parts + 1] = #id .. ':' .. id .. #value .. ':' .. value
end
text = table.concat(parts)
redis.call('SET', roster_text, text, 'PX', redis.call('PTTL', roster))
return {'roster', text}
