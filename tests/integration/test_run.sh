# SPDX-License-Identifier: Apache-2.0
# run: a party that works (runs a command) under the barrier's watch, then meets the others when
# all succeeded, or fails fast with them: every rule of the manual's run section.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

# A command that says it started (its pid in $TMP/NAME.pid), then waits until $TMP/NAME.go
# exists and exits with the status written in it. Parties' commands never sleep a fixed time.
cat >"$TMP/job" <<'EOF'
#!/bin/sh
echo $$ >"$DIR/$1.pid"
echo "$RBARRIER_NAME $RBARRIER_ID $RBARRIER_PARTIES ${RBARRIER_RANK-none}" >"$DIR/$1.env"
while [ ! -e "$DIR/$1.go" ]; do sleep 0.02; done
exit "$(cat "$DIR/$1.go")"
EOF
chmod +x "$TMP/job"
export DIR=$TMP
finish_job() { echo "$2" >"$TMP/$1.go.tmp" && mv "$TMP/$1.go.tmp" "$TMP/$1.go"; }
started() { [ -s "$TMP/$1.pid" ]; }
# gone TAG: the job's process no longer exists.
gone() { ! kill -0 "$(cat "$TMP/$1.pid")" 2>/dev/null; }
working() { rb status --json "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["working"]))'; }
has_working() { [ "$(working "$1")" = "$2" ]; }

begin_case "all succeed: no release until every command exited 0, then all exit 0"
for i in 1 2 3; do
  spawn "all$i" run all -n 3 --id "job-$i" --data "10.0.0.$i" --json -t 30s -- "$TMP/job" "all$i"
done
check "the three commands started" eventually started all3
check "three parties working" eventually has_working all 3
finish_job all1 0
finish_job all2 0
wait_arrived all 2
expect 0 status all
expect_file "$TMP/last.out" '"job-3"  lease'
expect_file "$TMP/last.out" 'arrived:    2 of 3'
expect_running all1
finish_job all3 0
for i in 1 2 3; do expect_exit "all$i" 0; done
check "job-2's --json: released, rank 1, job-1's data: $(cat "$TMP/all2.out")" \
  [ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["outcome"], d["rank"], d["members"][0]["data"])' <"$TMP/all2.out")" = "released 1 10.0.0.1" ]
check "the command's environment" [ "$(cat "$TMP/all2.env")" = "all job-2 3 none" ]
check "no party is left working" [ "$(working all)" = 0 ]

begin_case "one fails: it aborts the barrier and exits with its status; the others exit 4 and their commands end"
spawn f1 run fail -n 3 --id job-1 --lease 60s -- "$TMP/job" f1
spawn f2 run fail -n 3 --id job-2 --lease 60s -- "$TMP/job" f2
spawn f3 run fail -n 3 --id job-3 --lease 60s --json -- "$TMP/job" f3
check "the three commands started" eventually started f3
check "and f1" eventually started f1
finish_job f1 0 # job-1 succeeded: it waits
wait_arrived fail 1
finish_job f3 7
expect_exit f3 7
check "job-3's --json: $(cat "$TMP/f3.out")" [ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["outcome"], d["reason"], d["id"])' <"$TMP/f3.out")" = "failed job-3: exited 7 job-3" ]
grep -q 'job-3: exited 7; aborted barrier "fail"' "$TMP/f3.err" && pass || fail "f3 said: $(cat "$TMP/f3.err")"
expect_exit f1 4
expect_exit f2 4
grep -q 'was aborted while waiting: job-3: exited 7$' "$TMP/f1.err" && pass || fail "f1 said: $(cat "$TMP/f1.err")"
grep -qE 'aborted while working: job-3: exited 7; ".*/job" killed by SIGTERM$' "$TMP/f2.err" && pass ||
  fail "f2 said: $(cat "$TMP/f2.err")"
check "job-2's command was stopped" gone f2
expect 0 status fail
expect_file "$TMP/last.out" 'broken \(job-3: exited 7\)'

begin_case "a failure is stopped with SIGKILL after --grace when the command ignores SIGTERM"
cat >"$TMP/stubborn" <<'EOF'
#!/bin/sh
trap '' TERM
echo $$ >"$DIR/$1.pid"
while :; do sleep 0.05; done
EOF
chmod +x "$TMP/stubborn"
spawn s1 run stubborn -n 2 --id a --grace 300ms -- "$TMP/stubborn" s1
check "the stubborn command started" eventually started s1
expect 1 run stubborn -n 2 --id b -- false
expect_stderr 'b: exited 1; aborted barrier "stubborn"'
expect_exit s1 4
grep -qE 'b: exited 1; ".*/stubborn" killed by SIGKILL$' "$TMP/s1.err" && pass || fail "s1 said: $(cat "$TMP/s1.err")"
check "the stubborn command was killed" gone s1

begin_case "--let-finish: the command goes on after the barrier broke, then exit 4"
spawn l1 -v run finish -n 2 --id a --let-finish -- "$TMP/job" l1
check "started" eventually started l1
expect 0 abort finish --reason 'operator'
wait_log l1 'letting ".*/job" finish'
check_not "l1's command was stopped" gone l1
expect_running l1
finish_job l1 0
expect_exit l1 4
grep -qE 'aborted while working: operator; ".*/job" exited 0$' "$TMP/l1.err" && pass || fail "l1 said: $(cat "$TMP/l1.err")"

begin_case "a worker SIGKILLed: its lease lapses, the barrier is aborted naming it, its command ends"
spawn k1 run vanish -n 3 --id job-1 --lease 300ms -- "$TMP/job" k1
spawn k2 run vanish -n 3 --id job-2 --lease 300ms -- "$TMP/job" k2
check "both commands started" eventually started k1
check "both commands started" eventually started k2
kill -9 "${PID[k1]}"
expect_exit k1 137
expect_exit k2 4
grep -qF 'job-1: vanished while working (its lease expired)' "$TMP/k2.err" && pass ||
  fail "k2 said: $(cat "$TMP/k2.err")"
check "the vanished worker's command got SIGTERM" eventually gone k1
check "the peer's command was stopped" gone k2

begin_case "a command that cannot be run: 127 not found, 126 not executable; the barrier is aborted"
expect 127 run notfound -n 2 --id a -- /nonexistent/command
expect_stderr 'a: cannot run "/nonexistent/command": No such file or directory; aborted barrier'
expect 4 wait notfound -n 2 -t 5s
expect_stderr 'broken: a: cannot run'
touch "$TMP/not-executable"
expect 126 run noexec -n 2 --id a -- "$TMP/not-executable"
expect_stderr 'Permission denied'

begin_case "signals: passed to the command, whose end then counts"
cat >"$TMP/trapper" <<'EOF'
#!/bin/sh
trap 'echo TERM >"$DIR/$1.sig"; exit "$2"' TERM
echo $$ >"$DIR/$1.pid"
while :; do sleep 0.02; done
EOF
chmod +x "$TMP/trapper"
spawn t1 run sig1 -n 2 --id a -- "$TMP/trapper" t1 3
check "started" eventually started t1
kill -TERM "${PID[t1]}"
expect_exit t1 3
check "the command got SIGTERM" [ "$(cat "$TMP/t1.sig")" = TERM ]
expect 0 status sig1
expect_file "$TMP/last.out" 'broken \(a: exited 3\)'
# a command that ends well after the signal: the party still does not arrive
spawn t2 run sig2 -n 2 --id b -- "$TMP/trapper" t2 0
check "started" eventually started t2
kill -TERM "${PID[t2]}"
expect_exit t2 143
expect 0 status sig2
expect_file "$TMP/last.out" 'broken \(b: terminated\)'
# a command killed by the signal passed on
spawn t3 run sig3 -n 2 --id c -- sleep 300
check "working" eventually has_working sig3 1
kill -TERM "${PID[t3]}"
expect_exit t3 143
expect 0 status sig3
expect_file "$TMP/last.out" 'broken \(c: killed by SIGTERM\)'

begin_case "--enter: the commands start only once all parties entered, with their ranks"
spawn e1 run enter -n 2 --members a,b --id b --enter -t 30s -- "$TMP/job" e1
check "one party working" eventually has_working enter 1
check_not "e1's command started before the others entered" started e1
spawn e2 run enter -n 2 --members a,b --id a --enter -t 30s -- "$TMP/job" e2
check "e1's command started" eventually started e1
check "e2's command started" eventually started e2
check "rank of b" [ "$(cat "$TMP/e1.env")" = "enter b 2 1" ]
finish_job e1 0
finish_job e2 0
expect_exit e1 0
expect_exit e2 0
# no one else comes: timeout, withdrawn
expect 124 run lonely -n 2 --enter -t 300ms -- true
expect_stderr 'timed out after 300ms entering barrier "lonely"'
check "the timed-out party withdrew" [ "$(working lonely)" = 0 ]
# a signal while entering: withdrawn, 143
spawn e3 run lonely -n 2 --enter -- true
check "working" eventually has_working lonely 1
kill -TERM "${PID[e3]}"
expect_exit e3 143
check "the terminated party withdrew" [ "$(working lonely)" = 0 ]

begin_case "--timeout bounds the waiting, not the command"
# the command takes longer than --timeout: the party still waits for the other afterwards
spawn w1 run slow -n 2 -t 1s -- sleep 1.5
wait_arrived slow 1
expect 0 wait slow -n 2 -t 30s
expect_exit w1 0
# after the command, a waiting party that is never joined times out and withdraws
expect 124 run alone -n 2 -t 300ms -- true
expect_stderr 'timed out after 300ms waiting at barrier "alone" \(1/2 arrived\)'
check "the timed-out party withdrew" [ "$(arrived alone)" = 0 ]

begin_case "reset: ends the work (exit 3); after a failure, the barrier works again once reset"
spawn r1 run again -n 2 --id a -- "$TMP/job" r1
check "started" eventually started r1
expect 0 reset again
expect_exit r1 3
grep -q 'reset while working' "$TMP/r1.err" && pass || fail "r1 said: $(cat "$TMP/r1.err")"
check "its command was stopped" gone r1
expect 9 run again -n 2 --id a -- sh -c 'exit 9'
expect 4 run again -n 2 --id b -- true
expect_stderr 'barrier "again" is broken: a: exited 9'
expect 0 reset again
spawn r2 run again -n 2 -- true
expect 0 run again -n 2 -- true
expect_exit r2 0

begin_case "run meets wait and arrive parties at one barrier"
spawn m1 wait mixed -n 3 -t 30s
spawn m2 run mixed -n 3 -t 30s -- "$TMP/job" m2
check "started" eventually started m2
expect 0 arrive mixed -n 3
expect_running m1
finish_job m2 0
expect_exit m2 0
expect_exit m1 0

begin_case "a generation holds at most N parties: the (N+1)th waits for the next one, none is released while one works"
# a works; b and c succeed at once. b and a make generation 1; c waits for generation 2.
spawn full_a -v run full -n 2 --id a --json -t 30s -- "$TMP/job" full_a
check "a started" eventually started full_a
spawn full_b -v run full -n 2 --id b --json -t 30s -- true
wait_arrived full 1
spawn full_c -v run full -n 2 --id c --json -t 30s -- true
wait_log full_c 'barrier "full" is full \(2/2 entered, one still working\): waiting for generation 1 to end'
expect_running full_b
finish_job full_a 0
expect_exit full_a 0
expect_exit full_b 0
check "a and b in generation 1: $(cat "$TMP/full_a.out")" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["generation"] == 1 and [m["id"] for m in d["members"]] == ["a", "b"], d' "$TMP/full_a.out"
# c is in generation 2, alone until another comes; a wait, an (N+1)th too, would wait so as well
wait_log full_c 'working at barrier "full": 1/2 entered in generation 2'
expect 0 wait full -n 2 --id d -t 30s
expect_exit full_c 0
check "c released in generation 2: $(cat "$TMP/full_c.out")" grep -q '"generation":2' "$TMP/full_c.out"
# a wait and an arrive that find it full wait for the next generation too, and count there
spawn full_w run full -n 2 --id w -t 30s -- "$TMP/job" full_w
check "w started" eventually started full_w
expect 0 arrive full -n 2 --id x
spawn full_y -v wait full -n 2 --id y -t 30s
spawn full_z arrive full -n 2 --id z
wait_log full_y 'is full'
expect_running full_z
finish_job full_w 0
expect_exit full_w 0
expect_exit full_z 0
expect_exit full_y 0

begin_case "a member under a working party's id waits for that work: no release while it works"
spawn same_x run sameid -n 2 --id x --json -t 30s -- "$TMP/job" same_x
check "x started" eventually started same_x
expect 0 arrive sameid -n 2 --id x
spawn same_y wait sameid -n 2 --id y -t 30s
wait_arrived sameid 2
expect_running same_y
finish_job same_x 0
expect_exit same_x 0
expect_exit same_y 0
check "x and y released: $(cat "$TMP/same_x.out")" grep -q '"members":\[{"data":null,"id":"x","rank":0},{"data":null,"id":"y","rank":1}\]' "$TMP/same_x.out"

begin_case "a party whose generation ended meanwhile does not take a later party's place under its id"
# Found by the nemesis (seed 20261211, round 261). A works as x in generation 1 and is stopped
# while the barrier is reset and B enters generation 2 as x; A then renews (its command still
# runs), or arrives (its command succeeded): either is of generation 1, which was reset.
for how in renews arrives; do
  spawn a_$how run reused_$how -n 2 --id x -t 30s -- "$TMP/job" a_$how
  check "a started" eventually started a_$how
  kill -STOP "${PID[a_$how]}"
  expect 0 reset reused_$how
  spawn b_$how run reused_$how -n 2 --id x -t 30s -- "$TMP/job" b_$how
  check "b started" eventually started b_$how
  [ $how = renews ] || finish_job a_$how 0
  kill -CONT "${PID[a_$how]}"
  ended() { ! kill -0 "${PID[a_$how]}" 2>/dev/null; }
  check "a ended ($how)" eventually ended
  ended && expect_exit a_$how 3
  expect_file "$TMP/a_$how.err" 'barrier "reused_'$how'" was reset while (working|waiting) \(generation 1\)'
  check "b still works ($how): $(rb status reused_$how)" has_working reused_$how 1
  expect 0 status --json reused_$how
  expect_file "$TMP/last.out" '"arrived": 0'
  finish_job b_$how 0
  expect 0 wait reused_$how -n 2 -t 30s
  expect_exit b_$how 0
done

begin_case "a party reports its own generation's outcome, not a later one's"
# gen 1 aborted, then gen 2 reset, while the working party could not look: it reports the abort
for step in enter work; do
  rm -f "$TMP/own_$step.go"
  if [ $step = enter ]; then
    spawn own_$step run own_$step -n 3 --enter --id w -t 30s -- true
    wait_for() { [ "$(working own_enter)" = 1 ]; }
    check "w never entered" eventually wait_for
  else
    spawn own_$step run own_$step -n 3 --id w -t 30s -- "$TMP/job" own_$step
    check "w never started" eventually started own_$step
  fi
  kill -STOP "${PID[own_$step]}"
  expect 0 abort own_$step --reason first
  expect 0 reset own_$step
  [ $step = work ] && finish_job own_$step 0
  kill -CONT "${PID[own_$step]}"
  expect_exit own_$step 4
  expect_file "$TMP/own_$step.err" 'was aborted while (entering|working): first'
done

begin_case "the state lost while the command runs: exit 5, and nothing made again"
spawn lostw run lostw -n 2 --id w --json -t 30s -- "$TMP/job" lostw
check "started" eventually started lostw
rcli FLUSHALL >/dev/null
finish_job lostw 0
expect_exit lostw 5
expect_file "$TMP/lostw.err" 'state of barrier "lostw" lost'
check "the barrier was made again: $(rcli KEYS '*lostw*')" [ "$(rcli EXISTS 'rbarrier:{lostw}')" = 0 ]

begin_case "a second party under a working party's --id is refused (78), the first works on"
spawn dup1 run dup -n 2 --id same -t 30s -- "$TMP/job" dup1
check "started" eventually started dup1
expect 78 run dup -n 2 --id same -t 5s -- true
expect_stderr 'another party works at barrier "dup" under --id "same" \(for [0-9]+ ms more unless it renews\): give each party its own --id'
expect 0 status dup
expect_file "$TMP/last.out" '"same" +lease'
finish_job dup1 0
expect 0 wait dup -n 2 --id other -t 30s
expect_exit dup1 0

begin_case "a party whose entry was never answered withdraws without a false reset"
# The scripts are not loaded (the first call after SCRIPT FLUSH), so that the entry takes longer
# than a deadline already passed: the party times out (124), whether or not it was counted.
expect 0 arrive h2 -n 3 --id a
for i in 1 2 3 4 5 6; do
  rcli SCRIPT FLUSH >/dev/null
  expect 124 run h2 -n 3 --id "w$i" --enter --timeout 0ms --json -- true
  check "w$i's report: $(cat "$TMP/last.out")" grep -q '"outcome":"timeout"' "$TMP/last.out"
done
check "a timed-out entry left a party working: $(rb status h2)" has_working h2 0
expect 0 reset h2

begin_case "usage: a command is needed; --grace and --let-finish exclude each other"
expect 64 run x -n 2
expect_stderr 'run needs a command'
expect 64 run x -n 2 --let-finish --grace 1s -- true
expect 64 run x -n 2 --grace soon -- true
expect_stderr 'invalid value "soon" for --grace'

finish
