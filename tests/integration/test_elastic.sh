# SPDX-License-Identifier: Apache-2.0
# Elastic barriers (-n MIN:MAX --last-call), a deadline for the whole generation (--deadline)
# and the rank orders (--rank-by): each rule of the manual, on wait, arrive, await and run.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

# last_call_open NAME: the status of barrier NAME shows a last call under way.
last_call_open() { rb status "$1" 2>/dev/null | grep -q 'last call: *ends in'; }

begin_case "usage: MIN:MAX, --last-call, --deadline and --rank-by are checked"
expect 64 wait u -n 3:2 --last-call 1s
expect_stderr 'MIN is more than MAX'
expect 64 wait u -n 2:3
expect_stderr 'needs --last-call'
expect 64 wait u -n 3 --last-call 1s
expect_stderr '--last-call needs -n MIN:MAX'
expect 64 wait u -n 0:3 --last-call 1s
expect 64 wait u -n 2:3 --last-call 0s
expect 64 arrive u -n 2 --deadline 0s
expect 64 run u -n 2 --rank-by age -- true
expect_stderr 'expected id, natural or arrival'
expect 64 wait u --members a,b,c --id a -n 2:4 --last-call 1s
expect_stderr 'disagrees with the 3 ids of --members'
check "nothing was made" [ "$(rcli --scan --pattern '*{u}*' | wc -l)" = 0 ]

begin_case "MAX arrive: released at once, without waiting for the last call"
for id in a b; do spawn "$id" wait max -n 2:3 --last-call 60s --id "$id" --json -t 30s; done
wait_arrived max 2
check "the last call is open" last_call_open max
expect 0 wait max -n 2:3 --last-call 60s --id c --json -t 30s
for id in a b; do expect_exit "$id" 0; done
check "K = MAX: $(cat "$TMP/a.out")" [ "$(field "$TMP/a.out" 'j["parties"], j["min"], j["max"], len(j["members"])')" = "(3, 2, 3, 3)" ]

begin_case "MIN arrive: released when the last call ends, with K = MIN"
spawn a wait min -n 2:4 --last-call 1500ms --id a --json -t 30s -- sh -c 'echo "$RBARRIER_PARTIES $RBARRIER_RANK"'
wait_arrived min 1
check_not "no last call with fewer than MIN" last_call_open min
spawn b wait min -n 2:4 --last-call 1500ms --id b --json -t 30s
wait_arrived min 2
check "the MIN-th arrival opened the last call" last_call_open min
expect_running a
expect_running b
expect_exit a 0
expect_exit b 0
check "K = 2 in the command's environment: $(cat "$TMP/a.out")" grep -q '^2 0$' "$TMP/a.out"
check "K = 2 in --json: $(cat "$TMP/b.out")" [ "$(field "$TMP/b.out" 'j["parties"], j["rank"], [m["id"] for m in j["members"]]')" = "(2, 1, ['a', 'b'])" ]

begin_case "a timeout that breaks, after a last call that ended unseen: released with K"
# b is frozen across the end of the last call and its own deadline, and nobody else looks: its
# abort finds that the generation was released when the last call ended, with K = 2.
start=$(date +%s%N)
expect 0 arrive unseen -n 1:4 --last-call 1s --members a,b,c,d --id a
spawn b wait unseen -n 1:4 --last-call 1s --members a,b,c,d --id b -t 1s --on-timeout break --json
wait_arrived unseen 2
arrived=$(date +%s%N)
kill -STOP "${PID[b]}"
check "b frozen after $(elapsed_ms "$start") ms, before the last call ended" \
  [ "$(elapsed_ms "$start")" -lt 1000 ]
until [ "$(elapsed_ms "$arrived")" -ge 1500 ]; do sleep 0.05; done # past b's deadline too
kill -CONT "${PID[b]}"
expect_exit b 0
check "released with K = 2, nobody missing: $(cat "$TMP/b.out")" \
  [ "$(field "$TMP/b.out" '(j["outcome"], j["parties"], "missing" in j)')" = "('released', 2, False)" ]

begin_case "abort and reset after a last call that ended unseen: the release comes first"
# Nobody looks between the end of the last call and the command: it ends the next generation.
for command in abort reset; do
  start=$(date +%s%N)
  expect 0 arrive "unseen-$command" -n 1:4 --last-call 300ms
  until [ "$(elapsed_ms "$start")" -ge 500 ]; do sleep 0.05; done
  expect 0 "$command" "unseen-$command"
  expect 0 await "unseen-$command" --generation 1 -t 5s
  expect "$([ "$command" = abort ] && echo 4 || echo 3)" await "unseen-$command" --generation 2 -t 5s
done

begin_case "below MIN: no release, however long"
spawn a wait below -n 3:4 --last-call 100ms --id a -t 1500ms
spawn b wait below -n 3:4 --last-call 100ms --id b -t 1500ms
expect_exit a 124
expect_exit b 124
expect_file "$TMP/a.err" 'timed out after 1.5s waiting at barrier "below" \([12]/3:4 arrived\)'

begin_case "a late arrival counts in the next generation, and says so"
spawn a wait late -n 2:3 --last-call 1s --id a -t 30s
spawn b wait late -n 2:3 --last-call 1s --id b -t 30s
expect_exit a 0
expect_exit b 0
expect 0 arrive late -n 2:3 --last-call 1s --id c --json
check "c is in generation 2: $(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"], j["generation"]')" = "('arrived', 2)" ]
expect_stderr 'generation 1 was released at the end of its last call, before this party arrived; this party counts in generation 2'

begin_case "a withdrawal below MIN closes the last call; the next MIN-th arrival opens another"
spawn a wait window -n 2:3 --last-call 1s --id a --json -t 30s
spawn b wait window -n 2:3 --last-call 1s --id b -t 30s
wait_arrived window 2
check "the last call is open" last_call_open window
kill -TERM "${PID[b]}"
expect_exit b 143
check_not "b's withdrawal closed it" last_call_open window
sleep 1.5 # longer than the last call: a is not released by the call that was closed
expect_running a
spawn c wait window -n 2:3 --last-call 1s --id c -t 30s
check "c opened another" eventually last_call_open window
expect_exit a 0
expect_exit c 0
check "released with a and c: $(cat "$TMP/a.out")" [ "$(field "$TMP/a.out" '[m["id"] for m in j["members"]]')" = "['a', 'c']" ]

begin_case "parties that disagree on MIN:MAX or the rank order are a mismatch; the last call is the first's"
spawn a wait shape -n 2:3 --last-call 30s --id a -t 30s
wait_arrived shape 1
expect 78 wait shape -n 2:4 --last-call 30s --id b -t 5s
expect_stderr 'barrier "shape" has --parties 2:3, this party asked for 2:4'
expect 78 wait shape -n 3 --id b -t 5s
expect 78 wait shape -n 2:3 --last-call 30s --rank-by natural --id b -t 5s
expect_stderr 'barrier "shape" ranks by id, this party asked for natural'
spawn b wait shape -n 2:3 --last-call 1s --id b -t 30s # not a mismatch: the first's 30s holds
wait_arrived shape 2
check "the first arrival's last call holds: $(rb status shape)" eventually last_call_open shape
rb status --json shape >"$TMP/shape.json"
check "last call of 30s: $(cat "$TMP/shape.json")" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["last_call_ms"] == 30000 and 1000 < d["last_call_ends_ms"] <= 30000, d' "$TMP/shape.json"
expect 0 wait shape -n 2:3 --last-call 30s --id c -t 30s
expect_exit a 0
expect_exit b 0

begin_case "--members with MIN:MAX: MIN of the members suffice"
spawn a wait crew --members a,b,c -n 2:3 --last-call 500ms --id a --json -t 30s
spawn c wait crew --members a,b,c -n 2:3 --last-call 500ms --id c --json -t 30s
expect_exit a 0
expect_exit c 0
check "a and c, ranked among themselves: $(cat "$TMP/c.out")" [ "$(field "$TMP/c.out" 'j["parties"], j["rank"], [m["id"] for m in j["members"]]')" = "(2, 1, ['a', 'c'])" ]

begin_case "await sees K"
spawn w await seen --json -t 30s
check "the awaiting party reads" eventually blocked_readers 1
expect 0 arrive seen -n 1:3 --last-call 300ms --id a
expect_exit w 0
check "K = 1: $(cat "$TMP/w.out")" [ "$(field "$TMP/w.out" 'j["outcome"], j["parties"], [m["id"] for m in j["members"]]')" = "('released', 1, ['a'])" ]

begin_case "run with MIN:MAX --enter: the gang is who entered by the end of the last call"
for id in w1 w2; do
  spawn "$id" run gang -n 2:3 --last-call 700ms --enter --id "$id" --json -t 30s -- sh -c 'echo "$RBARRIER_PARTIES"'
done
expect_exit w1 0
expect_exit w2 0
check "the commands saw K = 2: $(cat "$TMP/w1.out")" grep -q '^2$' "$TMP/w1.out"
spawn w3 run gang -n 2:3 --last-call 700ms --enter --id w3 -t 1s -- sh -c 'echo started'
expect_exit w3 124
check_not "a third, after the gang was made, never started" grep -q started "$TMP/w3.out"
expect_file "$TMP/w3.err" 'timed out after 1s entering barrier "gang"'

begin_case "the deadline ends every party of the generation together, with one message"
spawn a wait dl --members a,b,c --id a --deadline 1s --json -t 30s
wait_arrived dl 1
spawn b run dl --members a,b,c --id b --deadline 60s --json -t 30s -- sleep 30
spawn w await dl --json -t 30s
check "b works" eventually eval '[ "$(rb status --json dl | field /dev/stdin "len(j[\"working\"])")" = 1 ]'
for tag in a b w; do expect_exit "$tag" 124; done
for tag in a b w; do
  expect_file "$TMP/$tag.err" 'barrier "dl" expired while (waiting|working|awaiting) \(generation 1\): its deadline (\(1s, fixed by its first arrival\) )?passed with 2 of 3 parties; never arrived: "c"'
  check "$tag's --json: $(cat "$TMP/$tag.out")" [ "$(field "$TMP/$tag.out" 'j["outcome"], j["missing"]')" = "('expired', ['c'])" ]
done
check "the first arrival's deadline holds: $(cat "$TMP/b.out")" [ "$(field "$TMP/b.out" 'j["deadline_ms"]')" = 1000 ]
expect_file "$TMP/b.err" '"sleep" killed by SIGTERM'
expect 0 status dl
expect_file "$TMP/last.out" 'last: *expired: the deadline passed with 2 of 3 parties; never arrived: "c"'
expect_file "$TMP/last.out" 'generation: *2'
expect_file "$TMP/last.out" 'arrived: *0 of \? \(set by the next arrival\)'
expect 0 arrive dl -n 1 --id d # the next generation is open, as after a reset

begin_case "a deadline that passes with nobody left is found by the next party"
expect 0 arrive gone -n 3 --id a --deadline 200ms
sleep 0.3 # past the deadline: no party is there to decide it
expect 0 arrive gone -n 2 --id b --json
check "b counts in generation 2: $(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["generation"]')" = 2 ]
expect 0 status gone
expect_file "$TMP/last.out" 'last: *expired: the deadline passed with 1 of 3 parties'

begin_case "--timeout beside --deadline: the earlier ends the party"
spawn a wait early -n 2 --id a --deadline 30s -t 300ms
expect_exit a 124
expect_file "$TMP/a.err" 'timed out after 300ms waiting at barrier "early"'
expect 0 status early
expect_file "$TMP/last.out" 'deadline: *in [0-9.]+s \(--deadline 30s\)'

begin_case "ranks by natural order and by arrival"
arrived=0
for id in node10 node2 node1; do
  spawn "$id" wait nat -n 3 --rank-by natural --id "$id" --json -t 30s
  arrived=$((arrived + 1))
  [ $arrived = 3 ] || wait_arrived nat $arrived
done
for id in node10 node2 node1; do expect_exit "$id" 0; done
check "natural: $(cat "$TMP/node10.out")" [ "$(field "$TMP/node10.out" 'j["rank"], [m["id"] for m in j["members"]]')" = "(2, ['node1', 'node2', 'node10'])" ]
arrived=0
for id in c a b; do
  spawn "$id" wait arr -n 3 --rank-by arrival --id "$id" -t 30s -- sh -c 'echo "$RBARRIER_RANK"'
  arrived=$((arrived + 1))
  [ $arrived = 3 ] || wait_arrived arr $arrived
done
for id in c a b; do expect_exit "$id" 0; done
check "by arrival: c first: $(cat "$TMP/c.out")" [ "$(cat "$TMP/c.out")" = 0 ]
check "by arrival: b last" [ "$(cat "$TMP/b.out")" = 2 ]
# the same ids, the same natural ranks in the next generation
for id in node1 node2; do spawn "$id" run nat -n 3 --rank-by natural --id "$id" -t 30s -- true; done
expect 0 wait nat -n 3 --rank-by natural --id node10 -t 30s -- sh -c 'echo "$RBARRIER_RANK"'
check "node10 is rank 2 again: $(cat "$TMP/last.out")" [ "$(cat "$TMP/last.out")" = 2 ]
for id in node1 node2; do expect_exit "$id" 0; done

finish
