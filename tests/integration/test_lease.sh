# SPDX-License-Identifier: Apache-2.0
# A SIGKILLed party stops renewing its lease, is withdrawn, and the barrier can still complete.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

spawn victim wait k -n 2 --lease 1s -t 30s
wait_arrived k 1
kill -KILL "${PID[victim]}"
wait "${PID[victim]}" 2>/dev/null
unset "PID[victim]"
begin_case "status counts live members only"
# status counts live members only: the dead one disappears when its lease ends
wait_arrived k 0
spawn a wait k -n 2 --lease 1s -t 30s
wait_arrived k 1
# a live waiter renews its lease: it is still there after several lease periods
sleep 2.5
check "the live waiter lost its lease" [ "$(arrived k)" = 1 ]
expect_running a
expect 0 wait k -n 2 -t 30s
expect_exit a 0
check "members left after the release" [ "$(rcli ZCARD 'rbarrier:{k}:members')" = 0 ]
finish
