# SPDX-License-Identifier: Apache-2.0
# rbarrier delete: every key of a barrier removed, refused while parties wait or work, forced,
# absent; odd names.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

# keys NAME: how many keys of barrier NAME the server has (its hash tag as the name is).
keys() { rcli --scan --pattern "rbarrier:{$1}*" | wc -l; }
# shows NAME PATTERN: status NAME has a line that matches.
shows() { rb status "$1" 2>/dev/null | grep -qE "$2"; }

begin_case "a barrier that does not exist: nothing to delete, exit 0"
expect 0 delete nothing
expect_stderr 'no barrier "nothing": nothing to delete'

begin_case "an idle barrier: every key goes, rosters and arrival records too"
for i in 1 2 3; do spawn "p$i" wait idle -n 3 --id "p$i" --data "d$i" --json -t 30s; done
for i in 1 2 3; do expect_exit "p$i" 0; done
check "it has keys to delete: $(keys idle)" [ "$(keys idle)" -ge 8 ]
check "among them arrival records" [ "$(arrival_keys idle)" -ge 1 ]
expect 0 delete idle
check "keys left: $(rcli --scan --pattern 'rbarrier:{idle}*' | tr '\n' ' ')" [ "$(keys idle)" = 0 ]
expect 6 status idle

begin_case "refused while parties wait or work; then --force ends them at once (exit 5)"
spawn w wait busy -n 3 --id w -t 30s
spawn r run busy -n 3 --id r -t 30s -- sleep 30
wait_arrived busy 1
check "r never worked" eventually shows busy 'working: *1'
expect 7 delete busy
expect_stderr 'barrier "busy" has 1 party waiting and 1 working: not deleted \(--force deletes it, and they exit 5\)'
expect_running w
expect_running r
check "the barrier is still there" [ "$(arrived busy)" = 1 ]
expect 0 delete busy --force
expect_stderr 'deleted barrier "busy"; its 1 party waiting and 1 working exit 5'
# at once: before their next check (5s)
check "the waiting party still runs" eventually_for 3 sh -c "! kill -0 ${PID[w]} 2>/dev/null"
check "the working party still runs" eventually_for 3 sh -c "! kill -0 ${PID[r]} 2>/dev/null"
expect_exit w 5
expect_exit r 5
expect_file "$TMP/w.err" 'state of barrier "busy" lost while waiting: deleted'
check "only the outcome stream is left, for a few seconds: $(rcli --scan --pattern 'rbarrier:{busy}*' | tr '\n' ' ')" \
  [ "$(rcli --scan --pattern 'rbarrier:{busy}*')" = "rbarrier:{busy}:events" ]
check "it expires" [ "$(rcli PTTL 'rbarrier:{busy}:events')" -le 5000 ]
busy_gone() { [ "$(keys busy)" = 0 ]; }
check "and then it is gone" eventually_for 8 busy_gone

begin_case "a name with glob characters and braces deletes only its own keys"
expect 0 arrive 'a*' -n 2
expect 0 arrive 'ab' -n 2
expect 0 arrive 'x}{y' -n 2
expect 0 delete 'a*' --force
check "a* is gone" [ "$(rcli EXISTS 'rbarrier:{a*}')" = 0 ]
check "ab is still there" [ "$(rcli EXISTS 'rbarrier:{ab}')" = 1 ]
expect 0 delete 'x}{y' --force
check "x}{y is gone (its outcome stream but for a few seconds)" [ "$(rcli --scan --pattern '*x%7D*')" = 'rbarrier:{x%7D{y}:events' ]

begin_case "a once: deleted like a barrier, refused while its command runs"
spawn runner once o -t 30s -- sleep 30
check "it never ran" eventually shows o 'running by'
expect 7 delete o
expect_stderr '1 party working'
expect 0 delete o --force
expect_exit runner 5

finish
