# SPDX-License-Identifier: Apache-2.0
# status: text and JSON, exit 6 for no such barrier.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

expect 6 status none
expect_stderr 'no barrier "none"'
expect 6 status --json none
check "--json for a missing barrier: $(cat "$TMP/last.out")" \
  [ "$(cat "$TMP/last.out")" = '{"message":"no barrier \"none\"","name":"none","outcome":"error","status":6}' ]

spawn w wait s -n 3 --id worker-1 --lease 20s -t 30s
wait_arrived s 1
expect 0 status s
for want in 'barrier "s"' 'state: *open' 'generation: *1' 'arrived: *1 of 3' '"worker-1" *lease 1[0-9](\.[0-9])?s' 'last: *none' 'expires in: *2[34]h'; do
  check "status lacks /$want/: $(cat "$TMP/last.out")" grep -qE "$want" "$TMP/last.out"
done
expect 0 status --json s
check "status --json: $(cat "$TMP/last.out")" python3 - "$TMP/last.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "s" and d["parties"] == 3 and d["generation"] == 1, d
assert d["state"] == "open" and d["reason"] == "" and d["once"] is False, d
assert d["arrived"] == 1 and d["members"][0]["id"] == "worker-1", d
assert 10000 < d["members"][0]["lease_ms"] <= 20000, d
assert d["last_outcome"] is None and 23 * 3600e3 < d["ttl_ms"] <= 24 * 3600e3, d
assert set(d) == {"name", "parties", "generation", "state", "reason", "once", "arrived",
                  "members", "working", "missing", "last_outcome", "ttl_ms", "min", "last_call_ms",
                  "last_call_ends_ms", "deadline_ms", "deadline_in_ms", "rank_by", "kind",
                  "once_state", "done_by", "last_failure", "action"}, d
assert d["action"] is False, d
assert d["kind"] == "barrier" and d["once_state"] is None and d["done_by"] is None, d
assert d["min"] is None and d["deadline_ms"] is None and d["rank_by"] == "id", d
assert d["working"] == [], d
assert d["missing"] is None and d["members"][0]["data"] is None, d
PY
expect 0 abort s --reason 'no more'
expect_exit w 4
expect 0 status --json s
check "status --json after abort: $(cat "$TMP/last.out")" python3 - "$TMP/last.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "broken" and d["reason"] == "no more", d
assert d["last_outcome"] == "aborted: no more" and d["arrived"] == 0 and d["generation"] == 2, d
PY
expect 0 reset s
expect 0 status --json s
check "parties after reset: $(cat "$TMP/last.out")" grep -q '"parties": null' "$TMP/last.out"

begin_case "status --watch: a snapshot at once and on every change, through a lost connection"
start_proxy proxy redis
VIA_PROXY="unix://$TMP/proxy.sock"
URL=$VIA_PROXY spawn watch status --watch w
URL=$VIA_PROXY spawn watch_json status --watch --json w
wait_file "$TMP/watch.out" '^no barrier "w" \(yet\)$'
wait_file "$TMP/watch_json.out" '^null$'
spawn a wait w -n 2 --id a -t 30s
wait_file "$TMP/watch.out" '^    "a"  lease '
wait_file "$TMP/watch_json.out" '"arrived":1,'
proxy proxy refuse on >/dev/null
proxy proxy cut all >/dev/null
wait_log watch 'retrying'
wait_log watch_json 'retrying'
expect 0 wait w -n 2 --id b -t 30s
expect_exit a 0
proxy proxy refuse off >/dev/null
wait_file "$TMP/watch.out" '^  last: +released$'
wait_file "$TMP/watch_json.out" '"last_outcome":"released"'
expect_running watch
kill -INT "${PID[watch]}"
expect_exit watch 130
kill -TERM "${PID[watch_json]}"
expect_exit watch_json 143
check_not "watch printed more" \
  grep -v 'retrying$\|^rbarrier: reconnected to \|^rbarrier: interrupted while watching barrier "w"$' \
  "$TMP/watch.err"
expect_file "$TMP/watch.err" '^rbarrier: interrupted while watching barrier "w"$'
expect_file "$TMP/watch_json.err" '^rbarrier: terminated while watching barrier "w"$'
check "status --watch --json: $(cat "$TMP/watch_json.out")" python3 - "$TMP/watch_json.out" <<'PY'
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
assert lines[0] is None and lines[1]["members"][0]["id"] == "a", lines
assert lines[-1]["generation"] == 2 and lines[-1]["last_outcome"] == "released", lines
PY
begin_case "status --watch shows a run party as soon as it works"
spawn sw_watch status --watch --json sw
wait_file "$TMP/sw_watch.out" '^null$'
spawn sw_run run sw -n 2 --id worker -t 30s -- sh -c 'while [ ! -e "$0" ]; do sleep 0.02; done' "$TMP/sw.go"
shows_worker() { tail -1 "$TMP/sw_watch.out" | grep -q '"working":\[{"id":"worker"'; }
check "the watch never showed the worker: $(tail -2 "$TMP/sw_watch.out")" eventually shows_worker
touch "$TMP/sw.go"
expect 0 wait sw -n 2 -t 30s
expect_exit sw_run 0
kill -TERM "${PID[sw_watch]}"
expect_exit sw_watch 143

begin_case "Text snapshots are separated by a blank line"
# Text snapshots are separated by a blank line.
check "snapshots not separated: $(cat "$TMP/watch.out")" \
  [ "$(grep -c '^$' "$TMP/watch.out")" -eq "$(($(grep -c '^barrier \|^no barrier' "$TMP/watch.out") - 1))" ]

begin_case "status --watch: unreachable at the start is 69; a closed stdout ends it"
URL="unix://$TMP/nothing.sock" expect 69 --connect-timeout 200ms status --watch w
"$RBARRIER" -u "$URL" status --watch w >&- 2>"$TMP/last.err"
got=$?
check "status --watch with stdout closed: $(cat "$TMP/last.err")" [ $got -eq 1 ]
expect_stderr 'cannot write to standard output'
finish
