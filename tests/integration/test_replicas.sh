# SPDX-License-Identifier: Apache-2.0
# --wait-replicas N: after deciding an outcome, WAIT for N replicas, and warn when fewer have it.
source "$(dirname "$0")/lib.sh"
port=$(free_port)
start_redis master --port "$port" --bind 127.0.0.1 --repl-diskless-sync-delay 0
REDIS_SOCK= start_redis replica --replicaof 127.0.0.1 "$port"
URL="unix://$TMP/master.sock"
synced() { redis-cli -s "$TMP/replica.sock" INFO replication | grep -q 'master_link_status:up'; }
check "the replica never finished its first sync" eventually_for 20 synced

expect 0 --wait-replicas 1 -v wait one -n 1
expect_stderr '1 replicas have the outcome of barrier "one"'
check_not "warned: $(cat "$TMP/last.err")" grep -q 'only' "$TMP/last.err"
expect 0 --wait-replicas 2 --connect-timeout 300ms wait two -n 1
expect_stderr 'only 1 of 2 replicas have the outcome of barrier "two"'
expect 0 --wait-replicas 2 --connect-timeout 300ms abort two
expect_stderr 'only 1 of 2 replicas'
expect 0 --wait-replicas 2 --connect-timeout 300ms reset two
expect_stderr 'only 1 of 2 replicas'
check "the replica lacks the reset" [ "$(redis-cli -s "$TMP/replica.sock" HGET 'rbarrier:{two}' state)" = open ]
begin_case "a waiting party that did not decide the outcome does not WAIT"
# a waiting party that did not decide the outcome does not WAIT
spawn waiter --wait-replicas 2 --connect-timeout 300ms wait three -n 2 -t 30s
wait_arrived three 1
expect 0 wait three -n 2 -t 30s
expect_exit waiter 0
check_not "the waiter warned: $(cat "$TMP/waiter.err")" [ -s "$TMP/waiter.err" ]
expect 64 --wait-replicas 0 status x
finish
