# SPDX-License-Identifier: Apache-2.0
# Barrier names are arbitrary: spaces, %, braces, quotes, unicode, control characters, 1000 bytes.
source "$(dirname "$0")/lib.sh"
start_redis redis

long=$(printf 'x%.0s' $(seq 1 1000))
names=("with spaces" "100% done" "quote\"d 'both'" "ünïcödé 🚀 名前" "$long" "a{b}c" "{" "}" "%7D" "{}"
       "tab	and
newline" '$(whoami)')
for name in "${names[@]}"; do
  spawn first wait "$name" -n 2 -t 30s
  wait_arrived "$name" 1
  expect 0 wait "$name" -n 2 -t 30s
  expect_exit first 0
  expect 0 status --json "$name"
  check "status --json name for $name: $(cat "$TMP/last.out")" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["name"]!=sys.argv[2])' \
    "$TMP/last.out" "$name"
  expect 0 abort "$name" --reason "why: 100% \"bad\""
  expect 4 wait "$name" -n 2
  expect_stderr 'why: 100% "bad"'
  expect 0 reset "$name"
done
begin_case "Text from other processes reaches terminals escaped"
# Text from other processes reaches terminals escaped: one line, no escape sequence, no bell.
raw_controls() { LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$1"; }
reason=$'one\ntwo\e[31mred\a\xc2\x9b2J'
spawn victim wait evil -n 2 -t 30s
wait_arrived evil 1
expect 0 abort evil --reason "$reason"
expect_exit victim 4
check "victim printed: $(cat -A "$TMP/victim.err")" [ "$(wc -l <"$TMP/victim.err")" = 1 ]
check_not "raw control characters: $(cat -A "$TMP/victim.err")" raw_controls "$TMP/victim.err"
check "victim: $(cat -A "$TMP/victim.err")" grep -qF 'aborted while waiting: one\x0atwo\x1b[31mred\x07\u009b2J' "$TMP/victim.err"
expect 4 wait evil -n 2
check "late party printed: $(cat -A "$TMP/last.err")" [ "$(wc -l <"$TMP/last.err")" = 1 ]
expect 0 status evil
check_not "status: $(cat -A "$TMP/last.out")" raw_controls "$TMP/last.out"
check_not "status kept a C1 control" env LC_ALL=C grep -q $'\xc2\x9b' "$TMP/last.out"
expect 0 status --json evil
check "status --json reason: $(cat "$TMP/last.out")" \
  python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["reason"] != sys.argv[2])' \
  "$TMP/last.out" "$reason"
expect 0 reset evil
begin_case "Arguments with control characters, in a usage error"
# Arguments with control characters, in a usage error.
expect 64 status x $'y\n\n\e]0;title\a'
expect_lines "$TMP/last.err" 1
check_not "usage error: $(cat -A "$TMP/last.err")" raw_controls "$TMP/last.err"
begin_case "The names are distinct barriers"
# The names are distinct barriers.
check "names collided" [ "$(rcli --scan --pattern 'rbarrier:*' | grep -vc ':outcomes$\|:members$\|:arrival:')" -ge 12 ]
finish
