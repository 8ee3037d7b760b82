# SPDX-License-Identifier: Apache-2.0
# Sentinel: one master, one replica, three sentinels. Parties waiting while SENTINEL FAILOVER
# runs are released after it when the last party arrives, all through a redis+sentinel:// URL.
# The sentinels are slow to fail over by themselves, so that on a loaded machine only the
# test's SENTINEL FAILOVER moves the master.
source "$(dirname "$0")/lib.sh"

master_port=$(free_port)
replica_port=$(free_port)
start_redis master --port "$master_port" --bind 127.0.0.1 --repl-diskless-sync-delay 0
start_redis replica --port "$replica_port" --bind 127.0.0.1 --replicaof 127.0.0.1 "$master_port"
sentinel_ports=()
for i in 1 2 3; do
  port=$(free_port)
  sentinel_ports+=("$port")
  cat >"$TMP/sentinel$i.conf" <<CONF
port $port
bind 127.0.0.1
dir $TMP
logfile $TMP/sentinel$i.log
sentinel monitor mymaster 127.0.0.1 $master_port 2
sentinel down-after-milliseconds mymaster 10000
sentinel failover-timeout mymaster 10000
CONF
  redis-server "$TMP/sentinel$i.conf" --sentinel &
  REDIS_PIDS+=($!)
done
master_at() { redis-cli -p "${sentinel_ports[0]}" SENTINEL get-master-addr-by-name mymaster 2>/dev/null | tail -1; }
known() { # the sentinels know the master and its replica
  [ "$(master_at)" = "$master_port" ] &&
    redis-cli -p "${sentinel_ports[0]}" SENTINEL replicas mymaster 2>/dev/null | grep -q "$replica_port"
}
eventually known
check "the sentinels never saw the replica" known
begin_case "Settled"
# Settled: every sentinel knows the other two and names the same master, before any party.
settled() {
  local port
  for port in "${sentinel_ports[@]}"; do
    [ "$(redis-cli -p "$port" SENTINEL sentinels mymaster 2>/dev/null | grep -c '^name$')" = 2 ] || return 1
    [ "$(redis-cli -p "$port" SENTINEL get-master-addr-by-name mymaster 2>/dev/null | tail -1)" = "$master_port" ] || return 1
  done
}
check "the sentinels did not settle: $(grep -hE 'switch-master|odown|sdown' "$TMP"/sentinel*.log)" \
  eventually_for 15 settled

synced() { redis-cli -p "$replica_port" INFO replication | grep -q 'master_link_status:up'; }
check "the replica never finished its first sync" eventually_for 20 synced
URL="redis+sentinel://127.0.0.1:${sentinel_ports[0]},127.0.0.1:${sentinel_ports[1]},127.0.0.1:${sentinel_ports[2]}/mymaster"

expect 6 -v status none-yet
expect_stderr "master \"mymaster\" is at redis://127.0.0.1:$master_port"

begin_case "two of three parties wait; the master fails over; the third arrives at the new master"
spawn a -v wait failover -n 3 --lease 1s -t 60s
spawn b -v wait failover -n 3 --lease 1s -t 60s
wait_arrived failover 2
for party in a b; do # one question to a sentinel for both connections of a party
  check "$party asked: $(cat "$TMP/$party.err")" [ "$(grep -c 'is at' "$TMP/$party.err")" -eq 1 ]
done
# The replica must have the barrier before it is promoted, or the waiters rightly exit 5.
caught_up() { [ "$(redis-cli -p "$master_port" WAIT 1 200)" = 1 ]; }
check "the replica never caught up" eventually_for 20 caught_up
check "a failover before ours: $(grep -hE 'switch-master|odown' "$TMP"/sentinel*.log)" [ "$(master_at)" = "$master_port" ]
redis-cli -p "${sentinel_ports[0]}" SENTINEL FAILOVER mymaster >/dev/null
failed_over() { [ "$(master_at)" = "$replica_port" ]; }
check "no failover to the replica" eventually_for 20 failed_over
promoted() { redis-cli -p "$replica_port" ROLE | head -1 | grep -q master; }
check "the replica was not promoted" eventually_for 20 promoted
wait_log a 'reconnected'
wait_log a "master \"mymaster\" is at redis://127.0.0.1:$replica_port"
wait_arrived failover 2 || grep -hE 'switch-master|odown|failover' "$TMP"/sentinel*.log | cut -c1-140 | tail -20
expect 0 wait failover -n 3 -t 30s
expect_exit a 0
expect_exit b 0

begin_case "--sentinel and --master instead of the URL"
URL=redis://unused expect 0 --sentinel "127.0.0.1:${sentinel_ports[1]}" --master mymaster wait flags -n 1
URL=redis://unused expect 64 --sentinel "127.0.0.1:${sentinel_ports[1]}" wait flags -n 1
URL=redis://unused expect 69 --sentinel "127.0.0.1:${sentinel_ports[1]}" --master nosuch --connect-timeout 500ms wait flags -n 1
expect_stderr 'knows no master "nosuch"'
finish
