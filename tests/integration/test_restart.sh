# SPDX-License-Identifier: Apache-2.0
# redis-server restarted under waiting parties: with persistence they carry on, without it they
# exit 5 (state lost) and never 0.
source "$(dirname "$0")/lib.sh"

restart() { # restart NAME OPTIONS...: kill -9 the server and start it again on the same socket
  local name=$1 pid_var="REDIS_PID_$1"
  shift
  kill -9 "${!pid_var}"
  wait "${!pid_var}" 2>/dev/null
  rm -f "$TMP/$name.sock"
  start_redis "$name" "$@"
}

begin_case "3. appendonly yes: the waiters reconnect and are released by a party after the restart"
start_redis aof --appendonly yes --appendfsync always
spawn a -v wait persisted -n 3 -t 60s
spawn b -v wait persisted -n 3 -t 60s
wait_arrived persisted 2
restart aof --appendonly yes --appendfsync always
wait_log a 'reconnected'
wait_log b 'reconnected'
release persisted 3 a b

begin_case "4. no persistence: the waiters exit 5, not 0, and do not hang"
URL=; start_redis volatile
URL=unix://$TMP/volatile.sock
spawn c wait volatile -n 3 -t 60s
spawn d wait volatile -n 3 -t 60s --id other
wait_arrived volatile 2
restart volatile
expect_exit c 5
expect_exit d 5
check "c stderr: $(cat "$TMP/c.err")" grep -q 'lost' "$TMP/c.err"
finish
