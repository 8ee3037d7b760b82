# SPDX-License-Identifier: Apache-2.0
# arrive counts a party without waiting (and without a lease: it counts until its generation
# ends); await waits for a generation's outcome without being counted. Each exit code of both.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

members() { rb status --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["arrived"])'; }

begin_case "arrive counts and exits at once; the last arrival releases the waiters"
expect 0 -v arrive latch -n 3
expect_stderr 'arrived at barrier "latch": 1/3 in generation 1'
expect 0 status latch
expect_file "$TMP/last.out" 'arrived \(no lease\)'
expect 0 status --json latch
expect_file "$TMP/last.out" '"lease_ms": null'
spawn w wait latch -n 3 -t 30s
wait_arrived latch 2
expect 0 -v arrive latch -n 3
expect_stderr 'released it \(generation 1\)'
expect_exit w 0

begin_case "an arrival without a lease outlives the leases of others"
expect 0 arrive lasting -n 3
spawn gone wait lasting -n 3 --lease 200ms -t 30s
wait_arrived lasting 2
kill -9 "${PID[gone]}"
gone_expired() { [ "$(members lasting)" = 1 ]; }
check "the killed waiter's lease never ended" eventually gone_expired
expect 0 arrive lasting -n 3
expect 0 arrive lasting -n 3
expect 0 status --json lasting
expect_file "$TMP/last.out" '"generation": 2'

begin_case "one id counts once: arrive twice, or arrive and wait"
expect 0 arrive once-id -n 3 --id job-1
expect 0 arrive once-id -n 3 --id job-1
check "two arrivals of one id counted $(members once-id)" [ "$(members once-id)" = 1 ]
# a waiter with the same id is the same member; its withdrawal leaves the arrival counted
expect 124 wait once-id -n 3 --id job-1 -t 500ms
check "the waiter's withdrawal removed the arrival" [ "$(members once-id)" = 1 ]
expect 0 status once-id
expect_file "$TMP/last.out" '"job-1"  arrived \(no lease\)'

begin_case "reset ends an arrival's generation"
expect 0 arrive reset-me -n 2
spawn r await reset-me
check "await never blocked" eventually blocked_readers 1
expect 0 reset reset-me
expect_exit r 3
check "the arrival outlived its generation" [ "$(members reset-me)" = 0 ]

begin_case "arrive's refusals: broken 4, mismatch 78, a --once barrier passed 0"
expect 0 abort broken --reason 'disk full'
expect 4 arrive broken -n 2
expect_stderr 'barrier "broken" is broken: disk full'
expect 0 arrive sized -n 2
expect 78 arrive sized -n 3
expect_stderr 'has --parties 2, this party asked for 3'
expect 78 arrive sized -n 2 --once
expect 0 arrive latched -n 1 --once
expect 0 -v arrive latched -n 1 --once
expect_stderr 'passed already'
expect 64 arrive sized
expect 64 arrive sized -n 2 --id ''
expect 64 arrive sized -n 2 -t 1s

begin_case "await: released 0, with the command run and its status"
expect 0 arrive go -n 2
spawn a -v await go -- sh -c 'echo "$RBARRIER_NAME $RBARRIER_GENERATION $RBARRIER_PARTIES ${RBARRIER_ID-none}"; exit 7'
wait_log a 'awaiting generation 1 of barrier "go" \(1/2 arrived\)'
check "await was counted: $(members go)" [ "$(members go)" = 1 ]
expect 0 arrive go -n 2
expect_exit a 7
expect_file "$TMP/a.out" '^go 1 2 none$'

begin_case "await: reset 3, aborted 4, broken when called 4, timeout 124, signals 130 and 143"
expect 0 arrive outcomes -n 2
spawn r await outcomes
check "await never blocked" eventually blocked_readers 1
expect 0 reset outcomes
expect_exit r 3
expect_file "$TMP/r.err" 'barrier "outcomes" was reset while awaiting \(generation 1\)'
spawn b await outcomes
check "await never blocked" eventually blocked_readers 1
expect 0 abort outcomes --reason 'build failed'
expect_exit b 4
expect_file "$TMP/b.err" 'aborted while awaiting: build failed'
expect 4 await outcomes
expect_stderr 'barrier "outcomes" is broken: build failed'
expect 0 reset outcomes
expect 0 arrive outcomes -n 2
expect 124 await outcomes -t 300ms
expect_stderr 'timed out after 300ms awaiting generation 4 of barrier "outcomes" \(1/2 arrived\)'
expect 124 await never-made -t 300ms
expect_stderr 'timed out after 300ms awaiting barrier "never-made" \(it does not exist yet\)'
for signal in INT TERM; do
  spawn s await outcomes
  check "await never blocked" eventually blocked_readers 1
  kill -$signal "${PID[s]}"
  expect_exit s "$([ $signal = INT ] && echo 130 || echo 143)"
  check "the signal counted the party: $(members outcomes)" [ "$(members outcomes)" = 1 ]
done

begin_case "await a barrier that does not exist yet: its first generation's outcome"
# (not -v: it reads no arrivals, only the outcome)
spawn n await later --json -- sh -c 'echo "$RBARRIER_PARTIES" >"$0"' "$TMP/later.parties"
check "await never blocked" eventually blocked_readers 1
spawn later1 wait later -n 2
wait_arrived later 1
expect 0 wait later -n 2
expect_exit later1 0
expect_exit n 0
# the generation's real parties, not the 0 of a barrier that did not exist
check "--json: $(cat "$TMP/n.out")" grep -q '"parties":2' "$TMP/n.out"
check "RBARRIER_PARTIES: $(cat "$TMP/later.parties")" [ "$(cat "$TMP/later.parties")" = 2 ]
# created and released while the awaiting party could not read: the stored outcome tells
start_proxy proxy redis
URL=unix://$TMP/proxy.sock spawn m await unseen -t 30s
check "await never blocked" eventually blocked_readers 1
proxy proxy refuse on >/dev/null
proxy proxy cut readers >/dev/null
wait_log m 'retrying'
expect 0 wait unseen -n 1
expect 0 wait unseen -n 1
rcli DEL 'rbarrier:{unseen}:events' >/dev/null # no event to read: only the stored outcome
proxy proxy refuse off >/dev/null
expect_exit m 0

begin_case "await learns of a vanished worker as a waiting party does: aborted, naming it"
spawn lapsing run lapsing -n 2 --id worker --lease 600ms -- sh -c 'sleep 30'
wait_for_working() { rb status lapsing 2>/dev/null | grep -q 'working: *1'; }
check "the worker never worked" eventually wait_for_working
spawn aw -v await lapsing -t 20s
wait_log aw 'awaiting generation 1 of barrier "lapsing"'
kill -9 "${PID[lapsing]}"
expect_exit lapsing 137
# 4 well before its own 20 s timeout (124): nobody else's script ran meanwhile
expect_exit aw 4
expect_file "$TMP/aw.err" 'worker: vanished while working \(its lease expired\)'

begin_case "await --generation: a past one at once, a later one when it comes, a forgotten one 5"
for i in $(seq 1 3); do expect 0 wait gens -n 1; done
expect 0 reset gens
expect 0 await gens --generation 2
expect 3 await gens --generation 4
spawn later await gens --generation 6
check "await never blocked" eventually blocked_readers 1
expect 0 wait gens -n 1
expect_running later
expect 0 wait gens -n 1
expect_exit later 0
for i in $(seq 1 100); do rb wait gens -n 1 || break; done
expect 5 await gens --generation 1
expect_stderr 'cannot await generation 1 of barrier "gens": the outcome of generation 1 is no longer known'
expect 64 await gens --generation 0
expect 64 await gens --generation x

begin_case "await a --once barrier that passed: 0 at once"
expect 0 wait passed -n 1 --once
expect 0 -v await passed -- true
expect_stderr 'passed already'

begin_case "await: the barrier deleted while awaited is lost state, 5"
expect 0 arrive deleted -n 2
spawn d await deleted
check "await never blocked" eventually blocked_readers 1
rcli DEL 'rbarrier:{deleted}' >/dev/null
expect_exit d 5
expect_file "$TMP/d.err" 'state of barrier "deleted" lost while awaiting it: the barrier no longer exists'

begin_case "await reconnects: killed while blocked, still released"
expect 0 arrive killed -n 2
spawn k -v await killed -t 30s
check "await never blocked" eventually blocked_readers 1
check "no awaiting party to kill" [ "$(rcli CLIENT KILL TYPE normal)" -ge 1 ]
wait_log k 'retrying'
expect 0 arrive killed -n 2
expect_exit k 0
finish
