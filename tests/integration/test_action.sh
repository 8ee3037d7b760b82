# SPDX-License-Identifier: Apache-2.0
# A barrier action (--action): one party of each generation runs it once all arrived, before any
# is released; its failure or its party's disappearance aborts the generation for all.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

lines() { cat "$1" 2>/dev/null | wc -l; }

begin_case "usage: --action needs a command line; arrive and await take none"
expect 64 wait u -n 2 --action ''
expect_stderr '--action needs a command line'
expect 64 arrive u -n 2 --action true
expect 64 await u --action true
check "nothing was made" [ "$(rcli --scan --pattern '*{u}*' | wc -l)" = 0 ]

begin_case "the action runs once per generation, before any party is released"
# Each action leaves a mark; each released party's command finds its generation's mark.
action="echo \$RBARRIER_GENERATION >> '$TMP/once.actions'; sleep 0.5; touch '$TMP/once.mark.'\$RBARRIER_GENERATION"
for gen in 1 2; do
  for i in 1 2 3; do
    spawn "p$i" wait once -n 3 --id "p$i" --action "$action" -t 30s \
      -- sh -c "test -e '$TMP/once.mark.'\$RBARRIER_GENERATION && echo after"
  done
  for i in 1 2 3; do expect_exit "p$i" 0; done
  for i in 1 2 3; do check "p$i ran after the action of generation $gen" grep -qx after "$TMP/p$i.out"; done
done
check "one action per generation: $(cat "$TMP/once.actions")" [ "$(cat "$TMP/once.actions" | tr '\n' ' ')" = "1 2 " ]

begin_case "the action sees the generation: its number, parties, members and the actor's rank"
for id in node-b node-a node-c; do
  spawn "$id" wait env -n 3 --id "$id" -t 30s --json \
    --action "echo \$RBARRIER_GENERATION \$RBARRIER_PARTIES \$RBARRIER_ID \$RBARRIER_RANK \$(echo \$RBARRIER_MEMBERS) > '$TMP/env.out'"
done
for id in node-a node-b node-c; do expect_exit "$id" 0; done
check "the environment: $(cat "$TMP/env.out")" grep -qE '^1 3 node-(a 0|b 1|c 2) node-a node-b node-c$' "$TMP/env.out"
check "--json after the action: the release" [ "$(field "$TMP/node-a.out" 'j["outcome"], j["parties"], j["rank"]')" = "('released', 3, 0)" ]

begin_case "a failing action aborts the generation for all, naming the action and its status"
for i in 1 2 3; do spawn "p$i" wait failing -n 3 --id "p$i" --action 'exit 7' -t 30s --json; done
for i in 1 2 3; do expect_exit "p$i" 4; done
check "every party names the action and its status" grep -q 'action "exit 7" exited 7' "$TMP/p1.err" "$TMP/p2.err" "$TMP/p3.err"
for i in 1 2 3; do # the action's party too
  check "--json reason: $(cat "$TMP/p$i.out")" [ "$(field "$TMP/p$i.out" 'j["outcome"], j.get("reason", "").endswith("action \"exit 7\" exited 7")')" = "('aborted', True)" ]
done
expect 4 wait failing -n 3 --action 'exit 7' -t 5s
expect_stderr 'is broken: p[123]: action "exit 7" exited 7'

begin_case "the action's party SIGKILLed mid-action: its lease lapses, and the generation is aborted"
for i in 1 2 3; do
  spawn "p$i" wait vanish -n 3 --id "p$i" --lease 1s -t 30s \
    --action "echo \$\$ > '$TMP/vanish.pid'; echo \$RBARRIER_ID > '$TMP/vanish.actor'; sleep 60"
done
wait_file "$TMP/vanish.actor" p
actor=$(cat "$TMP/vanish.actor")
kill -KILL "${PID[$actor]}"
expect_exit "$actor" 137
for i in 1 2 3; do
  [ "p$i" = "$actor" ] && continue
  expect_exit "p$i" 4
  expect_file "$TMP/p$i.err" "$actor: vanished while running the barrier action \\(its lease expired\\)"
done
eventually_for 5 sh -c "! kill -0 $(cat "$TMP/vanish.pid") 2>/dev/null" && pass || fail "the action outlived its party"

begin_case "an abort stops the action at once, and ends every party"
for i in 1 2; do
  spawn "p$i" wait stopped -n 2 --id "p$i" -t 30s \
    --action "echo \$RBARRIER_ID > '$TMP/stopped.actor'; sleep 60"
done
wait_file "$TMP/stopped.actor" p
actor=$(cat "$TMP/stopped.actor")
expect 0 abort stopped --reason 'not now'
# the action's party stops it with SIGTERM and learns at once that it ended (not after its 10s)
check "the action's party took 10s to see its action end" eventually_for 5 sh -c "! kill -0 ${PID[$actor]} 2>/dev/null"
expect_exit p1 4
expect_exit p2 4
check "one of them says the action was stopped" grep -q 'while running the barrier action: not now; "/bin/sh" killed by SIGTERM' "$TMP/p1.err" "$TMP/p2.err"

begin_case "a party SIGKILLed while the action runs still counts: the generation is released with it"
for i in 1 2 3; do
  spawn "p$i" wait steady -n 3 --id "p$i" --lease 300ms -t 30s --json \
    --action "echo \$RBARRIER_ID > '$TMP/steady.actor'; sleep 2"
done
wait_file "$TMP/steady.actor" p
actor=$(cat "$TMP/steady.actor")
victim=$( [ "$actor" = p1 ] && echo p2 || echo p1 )
kill -KILL "${PID[$victim]}"
expect_exit "$victim" 137
for i in 1 2 3; do
  [ "p$i" = "$victim" ] && continue
  expect_exit "p$i" 0
  check "released with all three: $(cat "$TMP/p$i.out")" [ "$(field "$TMP/p$i.out" 'j["parties"], len(j["members"])')" = "(3, 3)" ]
done
check "the action ran once" [ "$(lines "$TMP/steady.actor")" = 1 ]

begin_case "a party timing out while the action runs still counts, and says so"
# The action holds until the test lets it go, after the first party gave up.
spawn early wait counted -n 2 --id early -t 3s --json --action true
wait_arrived counted 1
spawn last wait counted -n 2 --id last -t 30s --json \
  --action "touch '$TMP/counted.started'; until [ -e '$TMP/counted.go' ]; do sleep 0.05; done"
check "the action never started" eventually test -e "$TMP/counted.started"
expect_exit early 124
check "early's message: $(cat "$TMP/early.err")" \
  grep -qF '(2/2 arrived); its arrival still counts' "$TMP/early.err"
touch "$TMP/counted.go"
expect_exit last 0
check "released with both: $(cat "$TMP/last.out")" \
  [ "$(field "$TMP/last.out" 'j["parties"], sorted(m["id"] for m in j["members"])')" = "(2, ['early', 'last'])" ]

begin_case "while the action runs, a run party under a member's id enters the next generation"
for id in a b; do
  spawn "$id" wait busy -n 2 --id "$id" -t 30s --action "echo \$RBARRIER_ID > '$TMP/busy.actor'; sleep 1.5; touch '$TMP/busy.done'"
done
wait_file "$TMP/busy.actor" .
# under the id of the party that does not run the action (the other one works)
member=$([ "$(cat "$TMP/busy.actor")" = a ] && echo b || echo a)
spawn late run busy -n 2 --id "$member" -t 3s --action true -- sh -c "test -e '$TMP/busy.done' && touch '$TMP/busy.after'"
expect_exit a 0
expect_exit b 0
expect_exit late 124
check "its work started only after the action" [ -e "$TMP/busy.after" ]

begin_case "a party SIGKILLed while it waits, before the generation is complete: the action runs once"
spawn gone wait early -n 2 --id gone --lease 300ms -t 30s --action "echo \$RBARRIER_ID >> '$TMP/early.actions'"
wait_arrived early 1
kill -KILL "${PID[gone]}"
expect_exit gone 137
eventually has_arrived early 0
spawn a wait early -n 2 --id a -t 30s --action "echo \$RBARRIER_ID >> '$TMP/early.actions'"
spawn b wait early -n 2 --id b -t 30s --action "echo \$RBARRIER_ID >> '$TMP/early.actions'"
expect_exit a 0
expect_exit b 0
check "one action, by a party of the generation: $(cat "$TMP/early.actions")" grep -qxE '[ab]' "$TMP/early.actions"

begin_case "parties that disagree on having an action: 78"
spawn a wait mixed -n 2 --id a --action true -t 30s
wait_arrived mixed 1
expect 78 wait mixed -n 2 --id b -t 5s
expect_stderr 'created with a barrier action \(--action\), this party lacks one'
expect 78 arrive mixed -n 2
expect 0 reset mixed
expect_exit a 3
spawn a wait mixed -n 2 --id a -t 30s
wait_arrived mixed 1
expect 78 wait mixed -n 2 --id b --action true -t 5s
expect_stderr 'created without a barrier action \(--action\), this party gave one'
expect 0 reset mixed
expect_exit a 3

begin_case "run: the action runs after every party's work, before the release"
for i in 1 2; do
  spawn "r$i" run gang -n 2 --id "r$i" -t 30s --action "cat '$TMP/gang.work' > '$TMP/gang.seen'" \
    -- sh -c "sleep 0.$i; echo r$i >> '$TMP/gang.work'"
done
expect_exit r1 0
expect_exit r2 0
check "the action saw both works: $(cat "$TMP/gang.seen")" [ "$(lines "$TMP/gang.seen")" = 2 ]

begin_case "-n MIN:MAX: the action runs at the end of the last call, with K parties"
for i in 1 2; do
  spawn "e$i" wait elastic -n 2:3 --last-call 500ms --id "e$i" -t 30s --json \
    --action "echo \$RBARRIER_PARTIES >> '$TMP/elastic.actions'"
done
expect_exit e1 0
expect_exit e2 0
check "one action, with K = 2: $(cat "$TMP/elastic.actions")" [ "$(cat "$TMP/elastic.actions")" = 2 ]
check "released with 2" [ "$(field "$TMP/e1.out" 'j["parties"]')" = 2 ]

finish
