# SPDX-License-Identifier: Apache-2.0
# Faults of the network and the server: cut connections, restarts with and without persistence,
# a flushed script cache, killed clients, a stopped server, replicas, a full server.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis
start_proxy proxy redis
DIRECT=$URL
VIA_PROXY=unix://$TMP/proxy.sock

begin_case "1. the blocking read is cut as the release comes: still released"
URL=$VIA_PROXY spawn a wait pub -n 2 -t 30s
wait_arrived pub 1
proxy proxy cut-reply "released" >/dev/null
expect 0 wait pub -n 2 -t 30s
expect_exit a 0
check "a never lost its connection: $(cat "$TMP/a.err")" grep -q 'retrying' "$TMP/a.err"

begin_case "1b. the reader reconnects and reads on: an outcome decided while it was away"
# The proxy refuses the waiter's reconnections while the barrier is released: the event is read
# from where the waiter was when it comes back.
URL=$VIA_PROXY spawn a2 -v wait away -n 2 -t 30s
wait_arrived away 1
proxy proxy refuse on >/dev/null
proxy proxy cut readers >/dev/null
wait_log a2 'retrying'
rcli CONFIG RESETSTAT >/dev/null
expect 0 wait away -n 2 -t 30s
proxy proxy refuse off >/dev/null
expect_exit a2 0
# one script since the cut, the releasing arrival: the waiter read the outcome, it did not poll
check "scripts run since the cut: $(rcli INFO commandstats | grep -E 'eval')" \
  rcli INFO commandstats | grep -q '^cmdstat_evalsha:calls=1,'

begin_case "1c. a retry never passes the deadline, and the last attempt is made at it"
# Refused for the whole --connect-timeout: it gives up at the deadline, not a backoff before.
proxy proxy refuse on >/dev/null
start=$(date +%s%N)
URL=$VIA_PROXY expect 69 --connect-timeout 2s status late
check "gave up after $(elapsed_ms "$start") ms of a 2 s --connect-timeout" \
  [ "$(elapsed_ms "$start")" -ge 1700 ]
# The server back 400 ms before the connect deadline: found. The proxy itself lets
# connections through again on time: a control command started then could come late.
start=$(date +%s%N)
proxy proxy refuse until $((start / 1000000 + 2600)) >/dev/null
URL=$VIA_PROXY spawn back --connect-timeout 3s wait back -n 1
expect_exit back 0
check "back found after $(elapsed_ms "$start") ms, before it was let through" \
  [ "$(elapsed_ms "$start")" -ge 2600 ]
# Lost while waiting, back 400 ms before --timeout: the party is there again, and it times out
# (124) at its deadline instead of giving up as unreachable (69) before it.
start=$(date +%s%N)
URL=$VIA_PROXY spawn held wait held -n 2 -t 4s
wait_arrived held 1
proxy proxy refuse until $((start / 1000000 + 3600)) >/dev/null
proxy proxy cut all >/dev/null
expect_exit held 124
check "held gave up after $(elapsed_ms "$start") ms of 4 s" [ "$(elapsed_ms "$start")" -ge 3900 ]

begin_case "2a. the connection is cut between a run party's entry and its reply: it works, not a duplicate"
expect 0 run loaded -n 1 -- true # enter is loaded: the cut request runs it
proxy proxy cut-after-request EVALSHA >/dev/null
URL=$VIA_PROXY spawn entry -v run entry -n 2 --id e -t 30s -- true
wait_log entry 'retrying'
expect 0 wait entry -n 2 -t 30s
expect_exit entry 0

begin_case "2. the connection is cut between arrive and its reply: counted once"
spawn b wait once-only -n 2 -t 30s
wait_arrived once-only 1
proxy proxy cut-after-request EVALSHA >/dev/null
URL=$VIA_PROXY expect 0 -v wait once-only -n 2 -t 30s
expect_stderr 'retrying'
expect_exit b 0
# the retried arrival got the first one's reply: it did not join the next generation
expect 0 status --json once-only
expect_file "$TMP/last.out" '"arrived": 0'
expect_file "$TMP/last.out" '"generation": 2'

begin_case "5. SCRIPT FLUSH between operations: NOSCRIPT is handled"
spawn c wait flush -n 2 --lease 600ms -t 30s
wait_arrived flush 1
rcli CONFIG RESETSTAT >/dev/null
rcli SCRIPT FLUSH >/dev/null
# the waiter's next lease renewal meets NOSCRIPT and sends the script again
sent_eval() { rcli INFO commandstats | grep -q '^cmdstat_eval:'; }
check "the waiter never sent EVAL" eventually_for 5 sent_eval
expect 0 wait flush -n 2 -t 30s
expect_exit c 0

begin_case "6. CLIENT KILL of a blocked waiter: recovered"
spawn d -v wait killed -n 2 -t 30s
wait_arrived killed 1
check "the waiter never blocked in XREAD" eventually blocked_readers 1
check "no waiter to kill" [ "$(rcli CLIENT KILL TYPE normal)" -ge 1 ]
wait_log d 'reconnected'
expect 0 wait killed -n 2 -t 30s
expect_exit d 0

begin_case "7. the server stopped past a waiter's --timeout: 124 on time"
spawn e wait stopped -n 2 -t 1s
wait_arrived stopped 1
start=$(date +%s%N)
kill -STOP "$REDIS_PID_redis"
expect_exit e 124
took=$(elapsed_ms "$start")
kill -CONT "$REDIS_PID_redis"
check "took ${took}ms after a 1s timeout" [ "$took" -lt 5000 ]
check "e stderr: $(cat "$TMP/e.err")" grep -q 'timed out after 1s' "$TMP/e.err"

begin_case "8. a replica answers READONLY: 75 after the deadline, with the reason"
start_redis replica --replicaof 127.0.0.1 1
URL=unix://$TMP/replica.sock expect 75 wait ro -n 2 -t 1s
expect_stderr 'READONLY'
URL=unix://$TMP/replica.sock expect 75 --connect-timeout 500ms abort ro
expect_stderr 'READONLY'
begin_case "The replica answers READONLY, then stops answering"
# The replica answers READONLY, then stops answering: the attempt the deadline cut short is not
# what is reported, but the answer before it.
start_proxy stalling replica
proxy stalling stall-after-reply READONLY >/dev/null
URL=unix://$TMP/stalling.sock expect 75 --connect-timeout 1s abort ro
expect_stderr 'READONLY'
proxy stalling stall off >/dev/null

begin_case "9. maxmemory reached with noeviction: a clear error, nothing left behind"
rcli FLUSHALL >/dev/null
rcli SET filler "$(head -c 100000 /dev/zero | tr '\0' x)" >/dev/null
rcli CONFIG SET maxmemory-policy noeviction >/dev/null
rcli CONFIG SET maxmemory 1 >/dev/null
expect 75 wait full -n 2 -t 1s
expect_stderr 'OOM'
expect 75 --connect-timeout 500ms abort full
check "keys were left behind: $(rcli KEYS '*')" [ "$(rcli DBSIZE)" = 1 ]
rcli CONFIG SET maxmemory 0 >/dev/null
expect 0 wait full -n 1

begin_case "the proxy refuses every connection: 69 within the connect timeout"
proxy proxy refuse on >/dev/null
URL=$VIA_PROXY expect 69 --connect-timeout 500ms status x
proxy proxy refuse off >/dev/null

begin_case "a waiter without --timeout keeps retrying while the server is away, then carries on"
URL=$VIA_PROXY spawn f wait away -n 2 --lease 1s
wait_arrived away 1
proxy proxy refuse on >/dev/null
proxy proxy cut all >/dev/null
wait_log f 'retrying'
before=$(proxy proxy count)
retried_twice() { [ "$(proxy proxy count)" -ge $((before + 2)) ]; }
check "f stopped retrying" eventually_for 5 retried_twice
expect_running f
proxy proxy refuse off >/dev/null
wait_log f 'reconnected'
expect 0 wait away -n 2 -t 30s
expect_exit f 0
finish
