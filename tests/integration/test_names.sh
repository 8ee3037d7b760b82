# Barrier names are arbitrary: spaces, %, braces, quotes, unicode, control characters, 1000 bytes.
source "$(dirname "$0")/lib.sh"
start_redis redis

long=$(printf 'x%.0s' $(seq 1 1000))
names=("with spaces" "100% done" "quote\"d 'both'" "ünïcödé 🚀 名前" "$long" "a{b}c" "{"
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
# The names are distinct barriers.
[ "$(rcli --scan --pattern 'rbarrier:*' | grep -vc ':outcomes$\|:members$\|:arrival:')" -ge 9 ] && pass ||
  fail "names collided"
finish
