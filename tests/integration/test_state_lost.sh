# SPDX-License-Identifier: Apache-2.0
# A waiter whose barrier state disappears exits 5, never 0.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

spawn w wait gone -n 2 --lease 600ms -t 30s
wait_arrived gone 1
rcli DEL 'rbarrier:{gone}' 'rbarrier:{gone}:members' 'rbarrier:{gone}:outcomes' >/dev/null
expect_exit w 5
check "w stderr: $(cat "$TMP/w.err")" grep -q 'lost' "$TMP/w.err"

begin_case "Deleted and created again by another party"
# Deleted and created again by another party: a new instance, still exit 5 for the old waiter.
spawn w2 wait again -n 3 --lease 600ms -t 30s
wait_arrived again 1
rcli FLUSHALL >/dev/null
spawn new wait again -n 3 -t 30s
expect_exit w2 5
kill -TERM "${PID[new]}"
expect_exit new 143
finish
