-- SPDX-License-Identifier: Apache-2.0
-- roster: ARGV: ttl, gen: a released generation, or the one whose barrier action runs.
-- Returns {'roster', text}: the members it was released with and their --data (empty without),
-- in rank order, as netstrings "<length>:<id><length>:<value>..." (binary-safe); or {'unknown'}
-- when that generation was not released or its roster is no longer kept (the last 10 are). The
-- text is made by the first reader and kept beside the roster, so that N readers of an N-member
-- roster cost the server O(N) bytes each, not O(N log N) script work each, and no reader sorts.
-- Rank order (the generation's --rank-by): the ids compared byte by byte (id: the order of a
-- sorted set's members of one score, made with ZUNIONSTORE beside the roster), with runs of
-- digits compared as numbers (natural: node2 before node10; ties bytewise), or the order in
-- which they arrived (arrival). Bytes are compared with string.byte, never `<`: Lua compares
-- strings with the server's locale.
local g = tonumber(ARGV[2])
local roster, roster_data, roster_text, roster_order, roster_rank_by = roster_keys(g)
local text = redis.call('GET', roster_text)
if text then
  return {'roster', text}
end
local ids = redis.call('ZRANGE', roster, 0, -1)
local rank_by = redis.call('GET', roster_rank_by) or 'id'
if #ids == 0 then
  -- The generation whose barrier action runs: complete, its members fixed, not yet its roster
  -- (decide() renames them; the text made here stays theirs).
  local m = load_meta()
  if not m or m.gen ~= g or not m.actor then
    return {'unknown'}
  end
  roster, roster_data, roster_order, rank_by = members, data, order, m.rank_by
  ids = redis.call('ZRANGE', roster, 0, -1)
end

local function bytes_less(a, b)
  for k = 1, math.min(#a, #b) do
    local x, y = string.byte(a, k), string.byte(b, k)
    if x ~= y then
      return x < y
    end
  end
  return #a < #b
end

local function natural_less(a, b)
  local i, j = 1, 1
  while i <= #a and j <= #b do
    local _, ea = string.find(a, '^%d+', i)
    local _, eb = string.find(b, '^%d+', j)
    if ea and eb then
      local x = string.match(string.sub(a, i, ea), '^0*(%d-)$')
      local y = string.match(string.sub(b, j, eb), '^0*(%d-)$')
      if #x ~= #y then
        return #x < #y
      end
      if x ~= y then
        return bytes_less(x, y)
      end
      i, j = ea + 1, eb + 1
    else
      local x, y = string.byte(a, i), string.byte(b, j)
      if x ~= y then
        return x < y
      end
      i, j = i + 1, j + 1
    end
  end
  if i > #a and j > #b then
    return bytes_less(a, b) -- equal as numbers ("a01", "a1"): bytewise
  end
  return i > #a
end

if rank_by == 'id' then
  local sorting = roster .. ':sorting'
  redis.call('ZUNIONSTORE', sorting, 1, roster, 'WEIGHTS', 0)
  ids = redis.call('ZRANGE', sorting, 0, -1)
  redis.call('DEL', sorting)
elseif rank_by == 'arrival' then
  local seq = {}
  local all = redis.call('HGETALL', roster_order)
  for i = 1, #all, 2 do
    seq[all[i]] = tonumber(all[i + 1])
  end
  table.sort(ids, function(a, b)
    local x, y = seq[a] or math.huge, seq[b] or math.huge
    if x ~= y then
      return x < y
    end
    return bytes_less(a, b)
  end)
else
  table.sort(ids, natural_less)
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
