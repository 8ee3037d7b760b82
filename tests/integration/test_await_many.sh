# SPDX-License-Identifier: Apache-2.0
# rbarrier await on several barriers: released in any order, the first other outcome ends the
# wait at once, a timeout names what is not released; one connection for all.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

# connections: how many clients of the test server are awaiting parties (named by CLIENT LIST's
# last command: xread while blocked, evalsha while observing).
readers() { rcli CLIENT LIST | grep -cE ' cmd=(xread|evalsha)( |$)'; }

begin_case "usage: --generation with one name only, no name twice, none empty"
expect 64 await a b --generation 1
expect_stderr '\-\-generation applies to one barrier; 2 are named'
expect 64 await a b a
expect_stderr 'barrier "a" is named twice'
expect 64 await a ''
expect_stderr 'the barrier name must not be empty'
expect 0 await --help
expect_file "$TMP/last.out" 'await \[OPTIONS\] NAME\.\.\. \[-- CMD'

begin_case "three barriers released in every order: 0 once the last is, on one connection"
order=0
for permutation in "a b c" "a c b" "b a c" "b c a" "c a b" "c b a"; do
  order=$((order + 1))
  spawn all$order await "a$order" "b$order" "c$order" -t 30s
  check "await never blocked" eventually blocked_readers 1
  for name in $permutation; do
    expect_running "all$order"
    expect 0 arrive "$name$order" -n 1
  done
  expect_exit "all$order" 0
done
# one blocked read for three barriers: a single connection
spawn one await one-a one-b one-c -t 30s
check "await never blocked" eventually blocked_readers 1
check "$(readers) connections for three barriers" [ "$(readers)" = 1 ]
expect 0 arrive one-a -n 1
expect 0 arrive one-b -n 1
expect 0 arrive one-c -n 1
expect_exit one 0

begin_case "the command sees RBARRIER_BARRIERS and each barrier's variables; --json each"
expect 0 wait env-b -n 1 --once
spawn env await env-a env-b env-c --json -- sh -c \
  'env | grep -E "^RBARRIER_(BARRIERS|NAME|GENERATION|PARTIES|ID|RANK)" | sort >"$0"
   printf "%s|" "$RBARRIER_MEMBERS_1" "$RBARRIER_MEMBERS_2" "${RBARRIER_NAME-unset}" >"$0.more"' \
  "$TMP/env.vars"
check "await never blocked" eventually blocked_readers 1
expect 0 arrive env-a -n 2 --id a1
expect 0 arrive env-a -n 2 --id a2
expect 0 arrive env-c -n 1 --id c1
expect_exit env 0
# env-b was passed (--once): its next generation, without a roster, as await of it alone says
printf '%s\n' RBARRIER_BARRIERS=3 RBARRIER_GENERATION_1=1 RBARRIER_GENERATION_2=2 \
  RBARRIER_GENERATION_3=1 RBARRIER_NAME_1=env-a RBARRIER_NAME_2=env-b RBARRIER_NAME_3=env-c \
  RBARRIER_PARTIES_1=2 RBARRIER_PARTIES_2=1 RBARRIER_PARTIES_3=1 >"$TMP/env.want"
check "the variables: $(diff "$TMP/env.want" "$TMP/env.vars")" cmp -s "$TMP/env.want" "$TMP/env.vars"
# the members in rank order, one per line; no RBARRIER_NAME of one barrier
check "the members and RBARRIER_NAME: $(cat "$TMP/env.vars.more")" \
  [ "$(cat "$TMP/env.vars.more")" = "$(printf 'a1\na2\n||unset|')" ]
python3 - "$TMP/env.out" <<'EOF' && pass || fail "--json: $(cat "$TMP/env.out")"
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["outcome"] == "released", d
assert [b["name"] for b in d["barriers"]] == ["env-a", "env-b", "env-c"], d
assert [b["outcome"] for b in d["barriers"]] == ["released", "passed", "released"], d
assert [m["id"] for m in d["barriers"][0]["members"]] == ["a1", "a2"], d
assert [m["id"] for m in d["barriers"][2]["members"]] == ["c1"], d
EOF

begin_case "one aborted ends the wait at once with 4, naming it; the others undecided in --json"
spawn ab await ab-a ab-b ab-c -t 30s --json
check "await never blocked" eventually blocked_readers 1
expect 0 arrive ab-a -n 1
expect 0 abort ab-b --reason 'disk full'
expect_exit ab 4
expect_file "$TMP/ab.err" 'barrier "ab-b" was aborted while awaiting: disk full'
python3 - "$TMP/ab.out" <<'EOF' && pass || fail "--json: $(cat "$TMP/ab.out")"
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["outcome"] == "aborted", d
assert [b["outcome"] for b in d["barriers"]] == ["released", "aborted", None], d
assert d["barriers"][1]["reason"] == "disk full", d
EOF

begin_case "the first other outcome wins, whichever barrier: reset 3, broken 4, deleted 5"
spawn rs await rs-a rs-b -t 30s
check "await never blocked" eventually blocked_readers 1
expect 0 arrive rs-b -n 2
expect 0 reset rs-b
expect_exit rs 3
expect_file "$TMP/rs.err" 'barrier "rs-b" was reset while awaiting'
# broken when it comes: at once, though the other is not released
expect 0 abort br-b --reason 'gone'
expect 4 await br-a br-b -t 30s
expect_stderr 'barrier "br-b" is broken: gone'
expect 0 arrive del-a -n 2
spawn del await del-a del-b -t 30s
check "await never blocked" eventually blocked_readers 1
expect 0 delete del-a --force
expect_exit del 5
expect_file "$TMP/del.err" 'state of barrier "del-a" lost while awaiting'

begin_case "a timeout names the barriers not released: 124"
expect 0 wait to-a -n 1 --once
expect 0 arrive to-b -n 2
expect 124 await to-a to-b to-c -t 1s
expect_stderr 'timed out after 1s awaiting 2 of 3 barriers: generation 1 of barrier "to-b" \(1/2 arrived\); barrier "to-c" \(it does not exist yet\)'

begin_case "a vanished worker of one barrier ends the wait: aborted, naming it"
spawn lapsing run lapsing -n 2 --id worker --lease 600ms -- sh -c 'sleep 30'
wait_for_working() { rb status lapsing 2>/dev/null | grep -q 'working: *1'; }
check "the worker never worked" eventually wait_for_working
spawn lw await quiet lapsing -t 20s
check "await never blocked" eventually blocked_readers 2
kill -9 "${PID[lapsing]}"
expect_exit lapsing 137
expect_exit lw 4
expect_file "$TMP/lw.err" 'worker: vanished while working \(its lease expired\)'

begin_case "a signal ends it at once, naming the barriers: 130, 143"
for signal in INT TERM; do
  spawn sig await sig-a sig-b -t 30s
  check "await never blocked" eventually blocked_readers 1
  kill -$signal "${PID[sig]}"
  expect_exit sig "$([ $signal = INT ] && echo 130 || echo 143)"
  expect_file "$TMP/sig.err" '(interrupted|terminated) while awaiting barriers "sig-a", "sig-b"'
done

begin_case "a lost connection: read again from where it was, still released"
expect 0 wait lost-a -n 1 --once
spawn lost -v await lost-a lost-b lost-c -t 30s
check "await never blocked" eventually blocked_readers 1
expect 0 arrive lost-b -n 1
check "no awaiting party to kill" [ "$(rcli CLIENT KILL TYPE normal)" -ge 1 ]
wait_log lost 'retrying'
expect 0 arrive lost-c -n 1
expect_exit lost 0
finish
