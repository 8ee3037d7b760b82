# SPDX-License-Identifier: Apache-2.0
# Shared by the integration tests: each test script sources this, starts the redis-server
# processes it needs with start_redis, and everything it started is stopped on exit, pass or fail.
set -uo pipefail

: "${RBARRIER:?set RBARRIER to the rbarrier binary}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rbarrier-test.XXXXXX")
declare -A PID=()
REDIS_PIDS=()
REDIS_SOCKS=() # the unix sockets of the servers start_redis started (for untimed_keys)
AT_EXIT=() # commands cleanup runs first
FAILURES=0
CHECKS=0
CASE=""             # the case under way (begin_case)
declare -A CASE_TAGS=() # the parties spawned during it

cleanup() {
  local pid command
  end_case
  for command in "${AT_EXIT[@]}"; do eval "$command"; done
  for pid in "${PID[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for pid in "${REDIS_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
  echo "FAIL: ${CASE:+[$CASE] }$*" >&2
  FAILURES=$((FAILURES + 1))
}

pass() {
  CHECKS=$((CHECKS + 1))
}

# check DESCRIPTION COMMAND...: an assertion: COMMAND succeeds, else it fails with DESCRIPTION.
check() {
  local description=$1
  shift
  if "$@"; then pass; else fail "$description"; fi
}

# check_not DESCRIPTION COMMAND...: COMMAND fails, else it fails with DESCRIPTION.
check_not() {
  local description=$1
  shift
  if "$@"; then fail "$description"; else pass; fi
}

# field FILE EXPR: the Python expression EXPR of the JSON object j in FILE (one line).
field() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# expect_file FILE PATTERN: a line of FILE matches the grep -E pattern.
expect_file() {
  if grep -qE -- "$2" "$1" 2>/dev/null; then pass; else fail "$1 lacks /$2/: $(cat "$1" 2>&1)"; fi
}

# expect_lines FILE N: FILE has N lines.
expect_lines() {
  local got
  got=$(wc -l <"$1")
  if [ "$got" -eq "$2" ]; then pass; else fail "$1 has $got lines, not $2: $(cat "$1")"; fi
}

# begin_case NAME: the checks that follow, until the next case or finish, are the case NAME:
# their failures name it, and the parties it spawned and left running are stopped when it ends.
begin_case() {
  end_case
  CASE=$1
}

end_case() {
  local tag
  for tag in "${!CASE_TAGS[@]}"; do
    if [ -n "${PID[$tag]:-}" ]; then
      kill -9 "${PID[$tag]}" 2>/dev/null
      wait "${PID[$tag]}" 2>/dev/null
      unset "PID[$tag]"
    fi
  done
  CASE_TAGS=()
  CASE=""
}

# untimed_keys SOCKET: the keys of a barrier (a name with a hash tag) in any database of the
# server at SOCKET that have no TTL, one per line as "db key". Every script leaves every key it
# touched with one, on every path: a key without is one that lives for ever. Keys matching
# $KEEP_KEYS (a grep -E pattern) are a test's own.
untimed_keys() {
  local sock=$1 db key
  for db in $(redis-cli -s "$sock" INFO keyspace 2>/dev/null | sed -n 's/^db\([0-9]*\):.*/\1/p'); do
    redis-cli -s "$sock" -n "$db" --scan --pattern '*{*}*' 2>/dev/null | while IFS= read -r key; do
      if [ -n "${KEEP_KEYS:-}" ] && grep -qE -- "$KEEP_KEYS" <<<"$key"; then continue; fi
      [ "$(redis-cli -s "$sock" -n "$db" PTTL "$key")" = -1 ] && echo "$db $key"
    done
  done
}

# Ends the test: a summary line, and a non-zero status after any failure.
finish() {
  end_case
  local sock untimed
  for sock in "${REDIS_SOCKS[@]}"; do
    [ -S "$sock" ] || continue
    untimed=$(untimed_keys "$sock")
    if [ -z "$untimed" ]; then pass; else fail "keys without a TTL on $sock: $untimed"; fi
  done
  # A suite that checked nothing is broken, whatever it printed.
  [ "$CHECKS" -gt 0 ] || fail "no check ran"
  echo "$((CHECKS)) passed, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
  exit
}

# The subcommands, as rbarrier --help lists them (from its table of subcommands).
subcommands() {
  "$RBARRIER" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && /^  [a-z]/ {print $1}'
}

# The version that CMakeLists.txt defines: the one every artefact must carry.
project_version() {
  sed -n 's/^project(rbarrier VERSION \([0-9.]*\) .*/\1/p' "$RBARRIER_SOURCE/CMakeLists.txt"
}

# The server binary: Debian's redis-server, or another compatible one (the server matrix).
REDIS_SERVER=${RBARRIER_REDIS_SERVER:-redis-server}

# The server's major version (5, 6, 7, 8) from its --version line.
server_major() {
  "$REDIS_SERVER" --version | sed -n 's/.* v=\([0-9]*\)\..*/\1/p'
}

# has_acl: the server knows ACL users (Redis 6 and later, Valkey).
has_acl() {
  [ "$(server_major)" -ge 6 ]
}

# start_redis NAME [redis-server options...]: a server on the unix socket $TMP/NAME.sock (or
# $REDIS_SOCK), on a private port too if the options name one; waits for PING. Sets URL (unix)
# for the first one.
start_redis() {
  local name=$1
  shift
  local sock="${REDIS_SOCK:-$TMP/$name.sock}"
  "$REDIS_SERVER" --port 0 --unixsocket "$sock" --unixsocketperm 700 --save '' --appendonly no \
    --dir "$TMP" --dbfilename "$name.rdb" --appendfilename "$name.aof" \
    --logfile "$TMP/$name.log" "$@" &
  REDIS_PIDS+=($!)
  REDIS_SOCKS+=("$sock")
  eval "REDIS_PID_${name}=$!"
  local i
  for i in $(seq 1 100); do
    if [ "$(redis-cli -s "$sock" ${REDISCLI_AUTH:+--no-auth-warning} PING 2>/dev/null)" = PONG ]; then
      : "${URL:=unix://$sock}"
      return 0
    fi
    # a password-protected server answers NOAUTH, which still means it is up
    if redis-cli -s "$sock" PING 2>&1 | grep -q NOAUTH; then
      : "${URL:=unix://$sock}"
      return 0
    fi
    sleep 0.05
  done
  echo "redis-server $name did not start:" >&2
  cat "$TMP/$name.log" >&2
  exit 1
}

# A free TCP port on loopback (the kernel's choice), never one this test was given before
# (remembered in a file: callers run this in a subshell).
free_port() {
  local port
  while :; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    grep -qx "$port" "$TMP/ports" 2>/dev/null && continue
    echo "$port" >>"$TMP/ports"
    echo "$port"
    return
  done
}

# A free TCP port P on loopback with P + 10000 free too (a cluster node's bus port).
free_cluster_port() {
  python3 -c '
import random, socket
while True:
    port = random.randint(20000, 45000)
    try:
        for p in (port, port + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", p)); s.close()
    except OSError:
        continue
    print(port)
    break'
}

rcli() {
  redis-cli -s "$TMP/${REDIS:-redis}.sock" "$@"
}

# rb ARGS...: rbarrier against the test server.
rb() {
  "$RBARRIER" -u "$URL" "$@"
}

# spawn TAG ARGS...: rbarrier ARGS in the background; its output goes to $TMP/TAG.out/.err.
spawn() {
  local tag=$1
  shift
  "$RBARRIER" -u "$URL" "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err" &
  PID[$tag]=$!
  [ -z "$CASE" ] || CASE_TAGS[$tag]=1
}

# expect_exit TAG CODE: waits for the spawned party TAG and checks its exit status.
expect_exit() {
  local tag=$1 want=$2 got
  wait "${PID[$tag]}"
  got=$?
  unset "PID[$tag]"
  if [ "$got" -eq "$want" ]; then
    pass
  else
    fail "$tag exited $got, expected $want; stderr: $(cat "$TMP/$tag.err")"
  fi
}

# expect CODE ARGS...: runs rbarrier ARGS in the foreground and checks its exit status.
expect() {
  local want=$1
  shift
  expect_command "$want" "$RBARRIER" -u "$URL" "$@"
}

# expect_command CODE COMMAND...: runs COMMAND and checks its exit status; its output goes to
# $TMP/last.out and $TMP/last.err.
expect_command() {
  local want=$1 got
  shift
  "$@" >"$TMP/last.out" 2>"$TMP/last.err"
  got=$?
  if [ "$got" -eq "$want" ]; then
    pass
  else
    fail "$* exited $got, expected $want; stderr: $(cat "$TMP/last.err")"
  fi
}

# blocked_readers N: at least N clients of the test server are blocked reading a barrier's
# events (waiting or awaiting parties).
blocked_readers() {
  [ "$(rcli CLIENT LIST | grep -cE ' cmd=xread( |$)')" -ge "$1" ]
}

# expect_stderr PATTERN: the last expect's stderr matches the grep -E pattern.
expect_stderr() {
  if grep -qE -- "$1" "$TMP/last.err"; then pass; else fail "stderr lacks /$1/: $(cat "$TMP/last.err")"; fi
}

# arrived NAME: how many members are present (0 when the barrier does not exist).
arrived() {
  local json
  json=$("$RBARRIER" -u "$URL" status --json "$1" 2>/dev/null) || { echo 0; return; }
  echo "$json" | sed -n 's/^  "arrived": \([0-9]*\),$/\1/p'
}

# eventually COMMAND...: runs COMMAND every 50 ms until it succeeds, at most 10 s; its status.
eventually() {
  eventually_for 10 "$@"
}

# eventually_for SECONDS COMMAND...: the same, at most SECONDS.
eventually_for() {
  local i seconds=$1
  shift
  for i in $(seq 1 $((seconds * 20 - 1))); do
    "$@" && return 0
    sleep 0.05
  done
  "$@"
}

has_arrived() { [ "$(arrived "$1")" = "$2" ]; }

# wait_arrived NAME N: waits (at most 10 s) until N members are present.
wait_arrived() {
  eventually has_arrived "$1" "$2" && { pass; return 0; }
  fail "barrier $1 never had $2 members: $("$RBARRIER" -u "$URL" -v status "$1" 2>&1)"
  return 1
}

# arrival_keys NAME: how many arrival records barrier NAME keeps (with the default prefix).
arrival_keys() {
  rcli --scan --pattern "rbarrier:{$1}:arrival:*" | wc -l
}

# release NAME N TAG...: once the spawned parties TAG... are the N - 1 present at barrier NAME,
# the last party arrives; it and they exit 0.
release() {
  local name=$1 parties=$2 tag
  shift 2
  wait_arrived "$name" $((parties - 1))
  expect 0 wait "$name" -n "$parties" -t 30s
  for tag in "$@"; do expect_exit "$tag" 0; done
}

# running TAG: the spawned party is still running.
expect_running() {
  if kill -0 "${PID[$1]}" 2>/dev/null; then pass; else fail "$1 is not running"; fi
}

# wait_file FILE PATTERN: waits (at most 10 s) until a line of FILE matches the grep -E pattern.
wait_file() {
  eventually grep -qE -- "$2" "$1" 2>/dev/null && { pass; return 0; }
  fail "$1 never had /$2/: $(cat "$1")"
  return 1
}

# wait_log TAG PATTERN: waits (at most 10 s) until the spawned party's stderr matches.
wait_log() {
  wait_file "$TMP/$1.err" "$2"
}

# start_proxy NAME UPSTREAM: a fault proxy (faultproxy.py) in front of the server UPSTREAM, on
# $TMP/NAME.sock, controlled with `proxy NAME COMMAND`.
start_proxy() {
  local name=$1 upstream=$2
  python3 "$(dirname "${BASH_SOURCE[0]}")/faultproxy.py" "$TMP/$name.sock" "$TMP/$upstream.sock" \
    "$TMP/$name.control" &
  REDIS_PIDS+=($!)
  wait_for_socket "$TMP/$name.control"
}

proxy() {
  local name=$1
  shift
  python3 - "$TMP/$name.control" "$*" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile().readline().strip())
PY
}

# start_fake NAME MODE: a fake server (fakeredis.py) on $TMP/NAME.sock.
start_fake() {
  python3 "$(dirname "${BASH_SOURCE[0]}")/fakeredis.py" "$TMP/$1.sock" "$2" &
  REDIS_PIDS+=($!)
  wait_for_socket "$TMP/$1.sock"
}

wait_for_socket() {
  eventually [ -S "$1" ] && return 0
  echo "no socket $1" >&2
  exit 1
}

# elapsed_ms START_NS: milliseconds since START_NS (from date +%s%N).
elapsed_ms() {
  echo $((($(date +%s%N) - $1) / 1000000))
}
