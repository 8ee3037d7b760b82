# SPDX-License-Identifier: Apache-2.0
# --timeout with --on-timeout leave (124, the member withdrawn) and break (everyone else exits 4).
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

# A party that stays at barrier l through every case, stopped at the end.
spawn stay wait l -n 3 -t 30s
wait_arrived l 1

begin_case "leave"
# leave: 124, and the member is gone, so the barrier still needs all of its parties.
expect 124 wait l -n 3 -t 300ms
expect_stderr 'timed out after 300ms waiting at barrier "l"'
wait_arrived l 1
expect_running stay

begin_case "break"
# break: the party that timed out exits 124 and the others exit 4, and the barrier is broken.
spawn other wait b -n 3 -t 30s
wait_arrived b 1
expect 124 wait b -n 3 -t 300ms --on-timeout break
expect_exit other 4
check "other stderr: $(cat "$TMP/other.err")" grep -q 'timed out' "$TMP/other.err"
expect 4 wait b -n 3 -t 1s
expect 0 reset b

begin_case "A decided outcome wins over a late timeout"
# A decided outcome wins over a late timeout: a released party exits 0.
spawn r1 wait won -n 2 -t 30s
wait_arrived won 1
expect 0 wait won -n 2 -t 1ms
expect_exit r1 0

begin_case "Any positive --timeout, however short, is a deadline"
# Any positive --timeout, however short, is a deadline; "0ms" is one already passed. Only the
# literal 0 waits for ever. A deadline met is reported as a timeout, not as a lost server.
for t in 0.0001s 0.4ms 1ms 0ms; do
  timeout -s KILL 10 "$RBARRIER" -u "$URL" wait short -n 6 -t "$t" 2>"$TMP/short.err"
  got=$?
  check "-t $t exited $got: $(cat "$TMP/short.err")" [ "$got" -eq 124 ]
  check "-t $t printed: $(cat "$TMP/short.err")" [ "$(wc -l <"$TMP/short.err")" = 1 ]
  check_not "-t $t: $(cat "$TMP/short.err")" grep -qE 'retrying|reconnected|0/0' "$TMP/short.err"
  expect_file "$TMP/short.err" "^rbarrier: timed out after [0-9]+ms (arriving|waiting) at barrier \"short\""
done
wait_arrived short 0
spawn forever wait short -n 6 -t 0
wait_arrived short 1
expect_running forever
kill -TERM "${PID[forever]}"
expect_exit forever 143

kill -TERM "${PID[stay]}"
expect_exit stay 143

begin_case "a timeout before the arrival's reply reports the barrier's generation and parties"
expect 0 arrive zero -n 3 --id a
for i in 1 2 3; do
  expect 124 wait zero -n 3 -t 0ms --json --id "z$i"
  check "-t 0ms --json: $(cat "$TMP/last.out")" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcome"] == "timeout" and d["generation"] == 1 and d["parties"] == 3, d' "$TMP/last.out"
done
expect 0 reset zero

begin_case "a timeout says how many had arrived when it gave up, not when it came"
spawn early wait count -n 3 -t 2s
wait_arrived count 1
spawn later wait count -n 3 -t 30s
wait_arrived count 2
expect_exit early 124
expect_file "$TMP/early.err" '^rbarrier: timed out after 2s waiting at barrier "count" \(2/3 arrived\)$'
kill -TERM "${PID[later]}"
expect_exit later 143
finish
