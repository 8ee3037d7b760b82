# SPDX-License-Identifier: Apache-2.0
# rbarrier once: a command run once among many callers, who wait for its outcome; failures,
# a runner that vanishes, reset, abort and the refusals.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

# runs FILE: how many times a command wrote its line to FILE.
runs() { cat "$1" 2>/dev/null | wc -l; }
# running NAME: status says the once NAME is running.
running() { rb status "$1" 2>/dev/null | grep -q 'state: *running by'; }

begin_case "usage: a command is required, --lease and --timeout are checked"
expect 64 once u
expect_stderr 'CMD'
expect 64 once u --lease 0s -- true
expect 64 once u -t soon -- true
check "nothing was made" [ "$(rcli --scan --pattern '*{u}*' | wc -l)" = 0 ]

begin_case "20 concurrent callers: the command runs once, all exit 0"
for i in $(seq 1 20); do
  spawn "c$i" once twenty --json -t 30s -- sh -c "echo \$RBARRIER_ID >> '$TMP/twenty.runs'; sleep 1"
done
for i in $(seq 1 20); do expect_exit "c$i" 0; done
check "it ran once: $(cat "$TMP/twenty.runs")" [ "$(runs "$TMP/twenty.runs")" = 1 ]
ran=$(cat "$TMP"/c*.out | grep -c '"ran":true')
check "one caller says it ran it ($ran)" [ "$ran" = 1 ]
runner=$(cat "$TMP/twenty.runs")
check "every caller names the runner" [ "$(cat "$TMP"/c*.out | grep -c "\"by\":\"$runner\"")" = 20 ]
check "done_at is a UTC time" grep -qE '"done_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"' "$TMP/c1.out"

begin_case "a later caller passes at once without running it"
expect 0 once twenty --json -- sh -c "echo again >> '$TMP/twenty.runs'"
check "not run again" [ "$(runs "$TMP/twenty.runs")" = 1 ]
check "--json: ran false, by the runner" [ "$(field "$TMP/last.out" 'j["outcome"], j["ran"], j["by"]')" = "('done', False, '$runner')" ]
expect 0 status twenty
check "status: done by the runner" grep -q "state: *done by \"$runner\"" "$TMP/last.out"
expect 0 status --json twenty
check "status --json: kind once, done by the runner" [ "$(field "$TMP/last.out" 'j["kind"], j["done_by"], j["once_state"].startswith("done by")')" = "('once', '$runner', True)" ]

begin_case "a failure: the runner exits with its status, the waiting callers 4; a later caller runs it again"
# the runner fails once both others wait for it (its command waits for the file go)
spawn runner once failing -t 30s -- sh -c "echo run >> '$TMP/failing.runs'; until [ -e '$TMP/failing.go' ]; do sleep 0.05; done; exit 3"
eventually running failing
expect 0 status --json failing
check "status --json: running" [ "$(field "$TMP/last.out" 'j["once_state"].startswith("running by"), len(j["working"])')" = "(True, 1)" ]
spawn w1 once failing -t 30s -- sh -c "echo run >> '$TMP/failing.runs'"
spawn w2 once failing --json -t 30s -- sh -c "echo run >> '$TMP/failing.runs'"
check "the others never waited" eventually blocked_readers 3 # the runner reads too
touch "$TMP/failing.go"
expect_exit runner 3
expect_exit w1 4
expect_exit w2 4
check "it ran once" [ "$(runs "$TMP/failing.runs")" = 1 ]
expect_file "$TMP/runner.err" 'once "failing": "?[^ ]+: exited 3; not done: a later caller runs it again'
expect_file "$TMP/w1.err" 'once "failing" failed: [^ ]+: exited 3 \(it was not done; a later caller runs it again\)'
check "--json of a waiting caller: aborted, with the reason" [ "$(field "$TMP/w2.out" 'j["outcome"], j["ran"], j["reason"].endswith(": exited 3")')" = "('aborted', False, True)" ]
expect 0 status failing
check "status: not done, the failure" grep -qE 'failed: +[^ ]+: exited 3' "$TMP/last.out"
expect 0 once failing --json -- sh -c "echo run >> '$TMP/failing.runs'"
check "the retry ran it" [ "$(runs "$TMP/failing.runs")" = 2 ]
check "--json: ran true" [ "$(field "$TMP/last.out" 'j["ran"]')" = True ]

begin_case "the runner SIGKILLed: a waiting caller takes over and runs it"
spawn runner once vanish --lease 1s -t 30s -- sh -c "echo first >> '$TMP/vanish.runs'; sleep 60"
eventually running vanish
spawn w1 once vanish --lease 1s --json -t 30s -- sh -c "echo second >> '$TMP/vanish.runs'"
spawn w2 once vanish --lease 1s --json -t 30s -- sh -c "echo second >> '$TMP/vanish.runs'"
wait_file "$TMP/vanish.runs" first
check "the others never waited" eventually blocked_readers 3 # the runner reads too
kill -KILL "${PID[runner]}"
expect_exit runner 137
expect_exit w1 0
expect_exit w2 0
check "run again once, by a waiting caller: $(cat "$TMP/vanish.runs")" [ "$(grep -c second "$TMP/vanish.runs")" = 1 ]
check "one of them ran it" [ "$(cat "$TMP/w1.out" "$TMP/w2.out" | grep -c '"ran":true')" = 1 ]
check "it says the runner vanished" grep -q 'vanished while running it (its lease lapsed): running it again' "$TMP/w1.err" "$TMP/w2.err"

begin_case "signals to the runner reach the command"
spawn runner once signal -t 30s -- sh -c "trap 'echo term > $TMP/signal.got; exit 143' TERM; sleep 60 & wait"
eventually running signal
spawn w1 once signal -t 30s -- true
check "w1 never waited" eventually blocked_readers 2 # the runner reads too
kill -TERM "${PID[runner]}"
expect_exit runner 143
expect_exit w1 4
check "the command got SIGTERM" grep -q term "$TMP/signal.got"
expect_file "$TMP/w1.err" 'failed: [^ ]+: (exited 143|terminated)'

begin_case "a timeout ends a waiting caller, not the run"
spawn runner once slow -t 1s -- sleep 2
eventually running slow
expect 124 once slow -t 300ms -- true
expect_stderr 'timed out after 300ms waiting for "[^"]+" to run once "slow"'
expect_exit runner 0

begin_case "reset: a done command runs again; a running one is stopped"
expect 0 once again -- true
expect 0 reset again
expect 0 once again --json -- true
check "run again after the reset" [ "$(field "$TMP/last.out" 'j["ran"]')" = True ]
spawn runner once again2 -t 30s -- sleep 60
eventually running again2
spawn w1 once again2 -t 30s -- true
check "w1 never waited" eventually blocked_readers 2 # the runner reads too
expect 0 reset again2
expect_exit runner 3
expect_exit w1 3
expect_file "$TMP/runner.err" 'was reset'

begin_case "abort breaks it for every caller until a reset"
expect 0 abort broken --reason 'not today'
expect 4 once broken -- true
expect_stderr 'broken: not today'

begin_case "a barrier of parties is not a once, nor the reverse (78)"
expect 0 arrive parties -n 2
expect 78 once parties -- true
expect_stderr 'a barrier of parties'
expect 0 once command -- true
expect 78 wait command -n 2 -t 5s
expect_stderr 'barrier "command" is a command run once \(rbarrier once\)'
expect 78 arrive command -n 2
expect 78 run command -n 2 -- true

finish
