-- SPDX-License-Identifier: Apache-2.0
-- quit: ARGV: ttl, id, token ('': whichever instance there is), reason, gen (the generation
-- the party entered; '': its entry was never answered). A working party (run) stops working:
-- with a reason (its command failed), it aborts the current generation with it and leaves the
-- barrier broken; without, it only withdraws. The party running a barrier action says so when the
-- action ended: with a reason, it failed; without, it succeeded, and the generation is released
-- ({'decided', 'released', gen, parties}).
-- Returns {'aborted', gen} | {'left', count} | {'decided', outcome} when the party was no longer
-- working: the barrier broke (aborted:<reason>) or its generation was decided before (reset)
-- | {'lost', why}.
local id, token, reason, gen = ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local m = load_meta()
if not m or (token ~= '' and m.token ~= token) then
  return {'lost', 'the barrier no longer exists'}
end
local now = now_ms()
settle(m, now)
if m.state == 'broken' then
  return {'decided', 'aborted:' .. m.reason}
end
local acting = m.actor == id
if not current(m, gen) or redis.call('ZREM', working, id) == 0 then
  -- Not working: its generation's outcome ended its work, or its entry never counted.
  local outcome = outcome_of(gen)
  if outcome then
    return {'decided', outcome}
  end
  return {'left', fmt(entered(now))}
end
local gen = m.gen
if reason ~= '' then
  break_barrier(m, reason)
else
  count_event('working', m, entered(now))
  -- The last work gone: members that waited for it may be complete.
  expire_members(now)
  if select(2, release_if_complete(m, now)) then
    if acting then -- its barrier action succeeded
      touch()
      return {'decided', 'released', fmt(gen), released_size(m, gen)}
    end
  else
    update_window(m, now)
  end
end
touch()
if reason ~= '' then
  return {'aborted', fmt(gen)}
end
return {'left', fmt(entered(now))}
