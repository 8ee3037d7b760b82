# SPDX-License-Identifier: Apache-2.0
# reset and abort break the current generation for its waiters; abort leaves the barrier broken.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

begin_case "Reset while 2 of 3 wait"
# Reset while 2 of 3 wait: both exit 3, and the barrier is open and empty again.
spawn r1 wait r -n 3 -t 30s
spawn r2 wait r -n 3 -t 30s
wait_arrived r 2
expect 0 reset r
expect_exit r1 3
expect_exit r2 3
check "r1 stderr: $(cat "$TMP/r1.err")" grep -q 'was reset' "$TMP/r1.err"
wait_arrived r 0
# parties was unset by the reset: the next arrival may fix another number
expect 0 wait r -n 1

begin_case "Abort while 2 of 3 wait"
# Abort while 2 of 3 wait: both exit 4 and see the reason.
spawn a1 wait a -n 3 -t 30s
spawn a2 wait a -n 3 -t 30s
wait_arrived a 2
expect 0 abort a --reason "deploy failed"
expect_exit a1 4
expect_exit a2 4
check "a1 stderr: $(cat "$TMP/a1.err")" grep -q 'aborted while waiting: deploy failed' "$TMP/a1.err"
begin_case "The barrier stays broken"
# The barrier stays broken: later waits exit 4 at once, until reset.
expect 4 wait a -n 3 -t 30s
expect_stderr 'broken: deploy failed'
expect 4 wait a -n 1
expect 0 status a
check "status: $(cat "$TMP/last.out")" grep -q 'broken' "$TMP/last.out"
expect 0 reset a
expect 0 wait a -n 1

begin_case "Abort of a barrier that does not exist creates it broken"
# Abort of a barrier that does not exist creates it broken.
expect 0 abort fresh
expect 4 wait fresh -n 2
expect 0 reset fresh
expect 0 wait fresh -n 1

begin_case "Reset of a barrier that does not exist succeeds and creates nothing"
# Reset of a barrier that does not exist succeeds and creates nothing.
expect 0 reset nothing
check "reset created a barrier" [ "$(rcli EXISTS 'rbarrier:{nothing}')" = 0 ]
finish
