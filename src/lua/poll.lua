-- SPDX-License-Identifier: Apache-2.0
-- poll: ARGV: ttl, id, gen, token, lease ms, value (--data; '': none).
-- Returns {'decided', outcome, gen[, parties]} (parties: how many a release released) |
-- {'lost', why} | {'waiting', count, parties, min, closes_in, deadline_in, deadline_dur, rank_by,
-- action} (the last six: see timing) | {'act', ...} as waiting's: the generation is complete, and
-- this party runs its barrier action now, as a working party.
local id, gen, token, lease, value = ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]),
  ARGV[6] or ''

local m = load_meta()
if not m then
  return {'lost', 'the barrier no longer exists'}
end
if m.token ~= token then
  return {'lost', 'the barrier was deleted and created again'}
end
local now = now_ms()
settle(m, now)
local outcome = redis.call('HGET', outcomes, fmt(gen))
if outcome then
  return {'decided', outcome, fmt(gen), outcome == 'released' and released_size(m, gen) or nil}
end
if m.gen ~= gen then
  return {'lost', 'the outcome of generation ' .. fmt(gen) .. ' is unknown'}
end
if full(m, id, now) then
  -- Withdrawn meanwhile (its lease lapsed), and others took its place: it is not added again.
  return with_timing({'waiting', fmt(entered(now)), fmt(m.parties)}, m, now)
end
-- Its value again, before the member is (re-)added: a withdrawal under its id (another party
-- that timed out, a lapse) took it away with the member.
if value ~= '' then
  redis.call('HSET', data, id, value)
end
local count, released, acting = join(m, id, lease, now)
touch()
if released then
  return {'decided', 'released', fmt(gen), released_size(m, gen)}
end
if acting then -- complete: this party runs the barrier action now
  return with_timing({'act', fmt(count), fmt(m.parties)}, m, now)
end
return with_timing({'waiting', fmt(count), fmt(m.parties)}, m, now)
