-- SPDX-License-Identifier: Apache-2.0
-- enter: KEYS[8] (a first entry): its record, named by its new_token, so that a retried entry
-- whose reply was lost finds itself working, not a duplicate.
-- ARGV: ttl, id, parties, lease ms, expected (as arrive's), token, new_token, gen (a renewal:
-- the generation it entered), then min, last call ms, rank order and deadline ms, as arrive's.
-- A party starts working (run) in the current generation (token ''), or renews its lease while
-- it works (token: the instance it entered).
-- Returns {status, gen, count, parties, token, detail, events_from, progress_from, min,
-- closes_in, deadline_in, deadline_dur, rank_by, action}, as arrive's: count is how many parties entered
-- (working or arrived); status is working, entered (count reached parties, or the size fixed at
-- the end of a last call: count), broken (detail: the reason), mismatch or members (as arrive's; an entry's
-- once is 0: never passed), duplicate (another party works under this id; detail: the ms left
-- on its lease), full (as arrive's), stopped (a renewal, but the outcome of its generation, the
-- detail, ended its work) or lost (detail: why).
local id, parties, lease, expected, token, new_token, gen = ARGV[2], tonumber(ARGV[3]),
  tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7], ARGV[8] or ''
local shape = shape_of(parties, '0', expected, 9)

local now = now_ms()
local m = load_meta()
-- The streams' positions only for an entry: a renewing party reads on from where it is.
local function reply(status, count, detail)
  local from = token == '' and {last_id(events), last_id(progress)} or {'0-0', '0-0'}
  return with_timing({status, fmt(m and m.gen or 0), fmt(count), fmt(m and m.parties or 0),
                      m and m.token or '', detail, from[1], from[2]}, m, now)
end

if token ~= '' then
  if not m then
    return reply('lost', 0, 'the barrier no longer exists')
  end
  if m.token ~= token then
    return reply('lost', 0, 'the barrier was deleted and created again')
  end
end
m = m or open_barrier(new_token, now)
settle(m, now)
if token == '' then
  local refused, detail = admit(m, shape)
  if refused then
    return reply(refused, 0, detail)
  end
  -- Two parties working under one id would be one party counted once, and the first to arrive
  -- would end the other's work: the second is refused while the first's lease is live.
  local lease_end = redis.call('ZSCORE', working, id)
  if lease_end and redis.call('GET', KEYS[8]) ~= id then
    return reply('duplicate', 0, fmt(tonumber(lease_end) - now))
  end
  -- While a barrier action runs, the generation's parties are fixed: a new entry, even under a
  -- member's id, is for the next one.
  if not lease_end and (full(m, id, now) or m.actor) then
    return reply('full', entered(now), '')
  end
  redis.call('SET', KEYS[8], id, 'PX', fmt(lease))
  fix_deadline(m, shape, now)
elseif not redis.call('ZSCORE', working, id) or not current(m, gen) then
  -- Its work was ended by its generation's outcome, which is its own whatever came after it
  -- (and a later party may work under its id).
  local outcome = outcome_of(gen)
  if outcome then
    return reply('stopped', 0, outcome)
  end
  if m.state == 'broken' then
    return reply('broken', 0, m.reason)
  end
  return reply('stopped', 0, '')
end
local added = redis.call('ZADD', working, fmt(now + lease), id)
local count = entered(now)
if added > 0 then
  count_event('working', m, count)
  if count == m.parties then
    announce_entered(m, count)
  end
  update_window(m, now)
end
touch()
return reply(count >= (m.size or m.parties) and 'entered' or 'working', count, '')
