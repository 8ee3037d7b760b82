# SPDX-License-Identifier: Apache-2.0
# Rendezvous: --members (who is expected, and who is missing), a rank for each member on a
# release, --data exchanged, and --json for every outcome of wait, arrive and await.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

begin_case "ranks follow the ids, not the arrivals; data and the members in rank order"
arrived=0
for id in c a b; do # c arrives first, and is rank 2
  spawn "$id" wait ranks --members a,b,c --id "$id" --data "host-$id:29500" --json -t 30s
  arrived=$((arrived + 1))
  [ $arrived = 3 ] || wait_arrived ranks $arrived
done
for id in a b c; do expect_exit "$id" 0; done
for id in a b c; do
  check "$id: $(cat "$TMP/$id.out")" [ "$(field "$TMP/$id.out" 'j["outcome"], j["id"], j["rank"]')" = "('released', '$id', $(($(printf %d "'$id") - 97)))" ]
  check "$id's members: $(cat "$TMP/$id.out")" [ "$(field "$TMP/$id.out" '[(m["id"], m["rank"], m["data"]) for m in j["members"]]')" = "[('a', 0, 'host-a:29500'), ('b', 1, 'host-b:29500'), ('c', 2, 'host-c:29500')]" ]
done
check "one line of JSON, nothing else: $(cat "$TMP/a.out")" [ "$(wc -l <"$TMP/a.out")" = 1 ]

begin_case "the command gets RBARRIER_RANK and RBARRIER_MEMBERS; without --members, ranks too"
spawn x wait env -n 2 --id zed -- sh -c 'echo "$RBARRIER_RANK"; printf %s "$RBARRIER_MEMBERS"'
wait_arrived env 1
expect 0 wait env -n 2 --id alpha -- sh -c 'echo "$RBARRIER_RANK"'
check "alpha's rank: $(cat "$TMP/last.out")" [ "$(cat "$TMP/last.out")" = 0 ]
expect_exit x 0
check "zed's rank and the members: $(cat "$TMP/x.out")" [ "$(cat "$TMP/x.out")" = "$(printf '1\nalpha\nzed')" ]

begin_case "--members from a file; the refusals of bad lists (64)"
printf 'w1\nw2\n\nw3\n' >"$TMP/members"
spawn f1 wait file --members "@$TMP/members" --id w1 -t 30s
spawn f2 wait file --members "@$TMP/members" --id w2 -n 3 -t 30s
wait_arrived file 2
expect 0 arrive file --members w3,w1,w2 --id w3
expect_exit f1 0
expect_exit f2 0
expect 64 wait bad --members a,b --id a -n 3
expect_stderr '--parties 3 disagrees with the 2 ids of --members'
expect 64 wait bad --members a,b
expect_stderr '--members needs --id'
expect 78 wait bad --members a,b --id c
expect_stderr '--id "c" is not among the 2 ids of --members'
expect 64 wait bad --members a,b,a --id a
expect_stderr 'names "a" twice'
expect 64 wait bad --members a,,b --id a
expect 64 wait bad --members "@$TMP/nonexistent" --id a
expect 64 wait bad
expect_stderr '--parties is required \(or --members\)'
expect 64 wait bad -n 1 --data ''
expect 64 wait bad -n 1 --data "$(head -c 4097 /dev/zero | tr '\0' x)"
expect_stderr 'more than the 4096 allowed'
expect 0 wait big-data -n 1 --data "$(head -c 4096 /dev/zero | tr '\0' x)"

begin_case "another set of members, or none, is refused (78) naming the id"
spawn m wait sets --members a,b --id a -t 30s
wait_arrived sets 1
expect 78 wait sets --members a,c --id c
expect_stderr 'barrier "sets" expects other --members \(2 ids\); this party \("c"\) gave 2 ids'
expect 78 wait sets -n 2 --id b
expect_stderr 'this party \("b"\) gave none'
expect 78 wait sets -n 2 --id b --json
check "mismatch JSON: $(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"], j["reason"]')" = "('mismatch', 'barrier \"sets\" expects other --members (2 ids); this party (\"b\") gave none (the first party of a generation fixes it): reset \"sets\" to change it, or use another name')" ]
expect 0 arrive sets --members b,a --id b
expect_exit m 0

begin_case "who is missing: in the timeout, status and status --json; data while waiting"
expect 0 arrive missing --members m1,m2,m3,m4,m5,m6,m7,m8 --id m2 --data 10.0.0.2
expect 0 status missing
expect_file "$TMP/last.out" 'missing: +"m1", "m3", "m4", "m5", "m6", "m7", "m8"'
expect_file "$TMP/last.out" '"m2"  arrived \(no lease\)  data "10.0.0.2"'
expect 0 status --json missing
check "$(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["missing"], j["members"][0]["data"]')" = "(['m1', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'], '10.0.0.2')" ]
expect 124 wait missing --members m1,m2,m3,m4,m5,m6,m7,m8 --id m5 -t 300ms --json
expect_stderr '\(2/8 arrived; missing "m1", "m3", "m4", "m6", "m7" and 1 more\)'
check "timeout JSON: $(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"], j["missing"]')" = "('timeout', ['m1', 'm3', 'm4', 'm6', 'm7', 'm8'])" ]
# who came and left (a timeout, a lapse) is told apart from who never came
spawn gone1 wait missing2 --members a,b,c,d --id a -t 30s
wait_arrived missing2 1
expect 124 wait missing2 --members a,b,c,d --id b -t 300ms
expect 124 wait missing2 --members a,b,c,d --id c -t 500ms --json
expect_stderr '\(2/4 arrived; never arrived: "d"; left: "b"\)'
check "timeout JSON: $(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["missing"], j["left"]')" = "(['b', 'd'], ['b'])" ]
expect 0 arrive plain -n 2
expect 0 status --json plain
check "no --members: missing is null" [ "$(field "$TMP/last.out" 'j["missing"]')" = None ]

begin_case "--json for each outcome: reset, aborted, broken, arrived, passed, interrupted, lost"
spawn r wait outcomes -n 2 --json -t 30s
wait_arrived outcomes 1
expect 0 reset outcomes
expect_exit r 3
check "$(cat "$TMP/r.out")" [ "$(field "$TMP/r.out" 'j["outcome"], j["generation"], j["parties"]')" = "('reset', 1, 2)" ]
spawn b wait outcomes -n 2 --json -t 30s
wait_arrived outcomes 1
expect 0 abort outcomes --reason 'disk full'
expect_exit b 4
check "$(cat "$TMP/b.out")" [ "$(field "$TMP/b.out" 'j["outcome"], j["reason"]')" = "('aborted', 'disk full')" ]
expect 4 wait outcomes -n 2 --json
check "$(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"], j["reason"]')" = "('broken', 'disk full')" ]
expect 4 arrive outcomes -n 2 --json
check "$(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"]')" = broken ]
expect 0 reset outcomes
expect 0 arrive outcomes -n 2 --id first --json
check "$(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"], j["id"], "members" in j')" = "('arrived', 'first', False)" ]
expect 0 arrive outcomes -n 2 --id second --data d2 --json
check "$(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"], j["rank"], [m["id"] for m in j["members"]]')" = "('released', 1, ['first', 'second'])" ]
expect 0 wait latch -n 1 --once
expect 0 wait latch -n 1 --once --json
check "$(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"]')" = passed ]
spawn i wait interrupted -n 2 --json -t 30s
wait_arrived interrupted 1
kill -INT "${PID[i]}"
expect_exit i 130
check "$(cat "$TMP/i.out")" [ "$(field "$TMP/i.out" 'j["outcome"]')" = interrupted ]
spawn l wait lost -n 2 --lease 300ms --json -t 30s
wait_arrived lost 1
rcli DEL 'rbarrier:{lost}' >/dev/null
expect_exit l 5
check "$(cat "$TMP/l.out")" [ "$(field "$TMP/l.out" 'j["outcome"]')" = lost ]

begin_case "a member's data outlives the withdrawal of another party under its id"
# d2 times out and withdraws id a (and its data); d1, still waiting under a, adds it again
spawn d1 wait dd --members a,b --id a --data A1 -t 30s --lease 300ms
wait_arrived dd 1
expect 124 wait dd --members a,b --id a --data A2 -t 300ms
wait_arrived dd 1
expect 0 wait dd --members a,b --id b --json
expect_exit d1 0
check "a's data: $(cat "$TMP/last.out")" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["members"][0]["id"] == "a" and d["members"][0]["data"] in ("A1", "A2"), d' "$TMP/last.out"

begin_case "await --json: the members and their data on a release, no rank of its own"
spawn w await watched --json -t 30s
check "await never blocked" eventually blocked_readers 1
expect 0 arrive watched --members p,q --id q --data dq
expect 0 arrive watched --members p,q --id p --data dp
expect_exit w 0
check "$(cat "$TMP/w.out")" [ "$(field "$TMP/w.out" 'j["outcome"], "rank" in j, [(m["id"], m["data"]) for m in j["members"]]')" = "('released', False, [('p', 'dp'), ('q', 'dq')])" ]
expect 124 await watched -t 200ms --json
check "$(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"]')" = timeout ]

begin_case "a roster no longer kept: released, with members null and a warning"
for i in $(seq 1 11); do rb wait old -n 1 || break; done
expect 0 await old --generation 1 --json
expect_stderr 'the members of generation 1 of barrier "old" are no longer known'
check "$(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" 'j["outcome"], j["members"]')" = "('released', None)" ]
finish
