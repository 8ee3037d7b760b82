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
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["name"]!=sys.argv[2])' \
    "$TMP/last.out" "$name" && pass || fail "status --json name for $name: $(cat "$TMP/last.out")"
  expect 0 abort "$name" --reason "why: 100% \"bad\""
  expect 4 wait "$name" -n 2
  expect_stderr 'why: 100% "bad"'
  expect 0 reset "$name"
done
# Text from other processes reaches terminals escaped: one line, no escape sequence, no bell.
raw_controls() { LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$1"; }
reason=$'one\ntwo\e[31mred\a\xc2\x9b2J'
spawn victim wait evil -n 2 -t 30s
wait_arrived evil 1
expect 0 abort evil --reason "$reason"
expect_exit victim 4
[ "$(wc -l <"$TMP/victim.err")" = 1 ] && pass || fail "victim printed: $(cat -A "$TMP/victim.err")"
raw_controls "$TMP/victim.err" && fail "raw control characters: $(cat -A "$TMP/victim.err")" || pass
grep -qF 'aborted: one\x0atwo\x1b[31mred\x07\u009b2J' "$TMP/victim.err" && pass ||
  fail "victim: $(cat -A "$TMP/victim.err")"
expect 4 wait evil -n 2
[ "$(wc -l <"$TMP/last.err")" = 1 ] && pass || fail "late party printed: $(cat -A "$TMP/last.err")"
expect 0 status evil
raw_controls "$TMP/last.out" && fail "status: $(cat -A "$TMP/last.out")" || pass
LC_ALL=C grep -q $'\xc2\x9b' "$TMP/last.out" && fail "status kept a C1 control" || pass
expect 0 status --json evil
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["reason"] != sys.argv[2])' \
  "$TMP/last.out" "$reason" && pass || fail "status --json reason: $(cat "$TMP/last.out")"
expect 0 reset evil
# Arguments with control characters, in a usage error.
expect 64 status x $'y\n\n\e]0;title\a'
[ "$(wc -l <"$TMP/last.err")" = 1 ] && ! raw_controls "$TMP/last.err" && pass ||
  fail "usage error: $(cat -A "$TMP/last.err")"
# The names are distinct barriers.
[ "$(rcli --scan --pattern 'rbarrier:*' | grep -vc ':outcomes$\|:members$\|:arrival:')" -ge 12 ] && pass ||
  fail "names collided"
finish
