-- SPDX-License-Identifier: Apache-2.0
-- abort: ARGV: ttl, reason, new_token, gen, token (gen and token empty: whatever is current).
-- Ends the generation as aborted and leaves the barrier broken, creating it when absent.
-- Time decides first (settle): a last call that ended or a deadline that passed before the
-- abort came decided its generation then.
-- Returns {'aborted', gen} | {'decided', outcome, gen[, parties released]} (gen was decided
-- already) | {'lost', why}.
local reason, new_token, gen, token = ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local m = load_meta()
if m then
  settle(m, now_ms())
end
if gen ~= '' then
  if not m or m.token ~= token then
    return {'lost', 'the barrier no longer exists'}
  end
  local outcome = redis.call('HGET', outcomes, gen)
  if outcome then
    return {'decided', outcome, gen, outcome == 'released' and released_size(m, gen) or nil}
  end
  if m.gen ~= tonumber(gen) then
    return {'lost', 'the outcome of generation ' .. gen .. ' is unknown'}
  end
end
if not m then
  m = open_barrier(new_token, now_ms())
end
local decided = m.gen
break_barrier(m, reason)
touch()
return {'aborted', fmt(decided)}
