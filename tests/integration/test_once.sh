# SPDX-License-Identifier: Apache-2.0
# --once: the first release opens the barrier for good; later arrivals pass at once until reset.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

spawn i1 wait latch -n 2 --once -t 30s
wait_arrived latch 1
expect 0 wait latch -n 2 --once -t 30s
expect_exit i1 0
begin_case "a re-run init container passes straight through"
# a re-run init container passes straight through
expect 0 wait latch -n 2 --once -t 1s
expect 0 wait latch -n 2 --once --id pod-9 -t 1s
check "status: $(rb status latch)" grep -q 'passed' <(rb status latch)
begin_case "a party without --once is a mismatch"
# a party without --once is a mismatch
expect 78 wait latch -n 2 -t 1s
begin_case "after a reset the barrier waits again"
# after a reset the barrier waits again
expect 0 reset latch
expect 124 wait latch -n 2 --once -t 300ms
finish
