-- SPDX-License-Identifier: Apache-2.0
-- reset: ARGV: ttl. Ends the current generation as reset and leaves the barrier open, with
-- parties and once unset. Returns {'reset', gen} or {'none'} when there is no barrier.
local m = load_meta()
if not m then
  return {'none'}
end
settle(m, now_ms()) -- time decides first: a last call that ended before it released its generation
local gen = m.gen
decide(m, 'reset')
clear_shape(m)
touch()
return {'reset', fmt(gen)}
