# SPDX-License-Identifier: Apache-2.0
# rbarrier list: every barrier under the prefix, a glob on the names, --json, odd names, a once,
# and ten thousand barriers read with SCAN in bounded memory.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

begin_case "no barrier: the header alone; --json: an empty array"
expect 0 list
check "the header: $(cat "$TMP/last.out")" [ "$(cat "$TMP/last.out")" = "$(printf '%-8s %10s %9s %7s %-9s %8s  %s' STATE GENERATION ARRIVED WORKING LAST EXPIRES NAME)" ]
expect 0 list --json
check "[]" [ "$(cat "$TMP/last.out")" = "[]" ]

begin_case "no server: 69, a message about list, not about a barrier"
URL=redis://127.0.0.1:1 expect 69 --connect-timeout 1s list --json
expect_stderr '^rbarrier: list: cannot connect to redis://127.0.0.1:1'
check "--json: $(cat "$TMP/last.out")" [ "$(field "$TMP/last.out" '(j["outcome"], j["name"])')" = "('error', None)" ]

begin_case "a line for each barrier, with the columns of status; a glob on the names"
spawn w wait jobs:stage2 -n 3 --id w -t 30s
wait_arrived jobs:stage2 1
expect 0 arrive jobs:done -n 1
expect 0 abort jobs:broken --reason no
expect 0 once setup -- true
expect 0 arrive other -n 2:4 --last-call 1m
# an odd name: a newline, braces, a percent, glob characters
odd=$'odd\n{x}%2*'
expect 0 arrive "$odd" -n 2
expect 0 list
check "the waiting barrier: $(grep stage2 "$TMP/last.out")" grep -qE '^open +1 +1/3 +0 +- +2[34]h[0-9]+m  "jobs:stage2"$' "$TMP/last.out"
check "the released one" grep -qE '^open +2 +0/1 +0 +released .* "jobs:done"$' "$TMP/last.out"
check "the broken one" grep -qE '^broken +2 +0/\? +0 +aborted .* "jobs:broken"$' "$TMP/last.out"
check "the once" grep -qE '^done +2 +once +0 +released .* "setup"$' "$TMP/last.out"
check "MIN:MAX" grep -qE '^open +1 +1/2:4 .* "other"$' "$TMP/last.out"
check "the odd name escaped, on one line" grep -qF '"odd\x0a{x}%2*"' "$TMP/last.out"
check "six barriers, a header" [ "$(wc -l <"$TMP/last.out")" = 7 ]
expect 0 list 'jobs:*'
check "the glob: three jobs" [ "$(grep -c '"jobs:' "$TMP/last.out")" = 3 ]
check "nothing else" [ "$(wc -l <"$TMP/last.out")" = 4 ]
expect 0 list 'odd?{x}%2\*'
check "a glob matches the name, not its escaped key" grep -qF '"odd\x0a{x}%2*"' "$TMP/last.out"

begin_case "--json: one array, an object per barrier, names exact"
expect 0 list --json
check "$(cat "$TMP/last.out")" python3 - "$TMP/last.out" "$odd" <<'PY'
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))}
assert set(rows) == {"jobs:stage2", "jobs:done", "jobs:broken", "setup", "other", sys.argv[2]}, rows
r = rows["jobs:stage2"]
assert (r["kind"], r["state"], r["generation"], r["parties"], r["arrived"], r["working"],
        r["last_outcome"]) == ("barrier", "open", 1, 3, 1, 0, None), r
assert rows["other"]["min"] == 2 and rows["other"]["parties"] == 4, rows["other"]
assert rows["setup"]["kind"] == "once" and rows["setup"]["state"] == "passed", rows["setup"]
assert rows["jobs:broken"]["last_outcome"] == "aborted" and 0 < r["ttl_ms"] <= 86400000, rows
PY
expect 0 --prefix other: list
check "another prefix has none" [ "$(wc -l <"$TMP/last.out")" = 1 ]

begin_case "ten thousand barriers: every one listed, in bounded memory"
# made with the protocol's metadata hash (what a first arrival leaves, less its streams)
python3 - "$TMP/many.resp" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(10000):
        key = b"rbarrier:{many-%d}" % i
        args = [b"HSET", key, b"gen", b"1", b"state", b"open", b"token", b"t%d" % i, b"parties", b"2"]
        f.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
        args = [b"PEXPIRE", key, b"600000"]
        f.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
PY
rcli --pipe <"$TMP/many.resp" >/dev/null
memory() { # list's peak RSS in kB, for the barriers named by the glob $1
  /usr/bin/time -f '%M' -o "$TMP/rss" "$RBARRIER" -u "$URL" list "$1" >"$TMP/list.out" 2>/dev/null && cat "$TMP/rss"
}
small=$(memory 'many-1?')
large=$(memory 'many-*')
check "every one listed: $(($(wc -l <"$TMP/list.out") - 1))" [ "$(grep -c '"many-' "$TMP/list.out")" = 10000 ]
# (not under the sanitizers, whose allocator keeps what was freed in quarantine)
if [ -z "${ASAN_OPTIONS:-}" ]; then
  check "10000 barriers took ${large} kB, 10 took ${small} kB" [ "$large" -lt $((small + 4096)) ]
fi

begin_case "the connection lost while listing: each barrier listed once"
# The first status is cut after the server ran it: the list goes on from where it was.
start_proxy proxy redis
proxy proxy cut-after-request EVALSHA >/dev/null
URL=unix://$TMP/proxy.sock expect 0 list 'many-*'
expect_stderr 'retrying'
check "every one listed: $(grep -c '"many-' "$TMP/last.out")" \
  [ "$(grep '"many-' "$TMP/last.out" | sort -u | wc -l)" = 10000 ]
check "each once: $(($(wc -l <"$TMP/last.out") - 1)) lines" [ "$(wc -l <"$TMP/last.out")" = 10001 ]

finish
