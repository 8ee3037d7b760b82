# SPDX-License-Identifier: Apache-2.0
# Redis Cluster failover: the master that holds a barrier is SIGKILLed and its replica promoted;
# the waiters find the new owner through the other nodes and are released together with a late
# party. With every node gone, the waiters exit 69 at their deadline; none is released.
source "$(dirname "$0")/lib.sh"

ports=()
declare -A node_pid=()
for node in 1 2 3 4 5 6; do
  port=$(free_cluster_port)
  ports+=("$port")
  start_redis "node$node" --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
    --cluster-config-file "$TMP/nodes$node.conf" --cluster-node-timeout 2000
  node_pid[$port]=${REDIS_PIDS[-1]}
done
addresses=()
for port in "${ports[@]}"; do addresses+=("127.0.0.1:$port"); done
redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes \
  >"$TMP/create.log" 2>&1 || { cat "$TMP/create.log"; fail "cluster create"; finish; }
cluster_ok() { redis-cli -p "$1" CLUSTER INFO | grep -q 'cluster_state:ok'; }
for port in "${ports[@]}"; do
  check "node $port not ok" eventually cluster_ok "$port"
done

name=failover
owner=
for port in "${ports[@]}"; do # only the slot's master accepts its keys
  redis-cli -p "$port" SET "probe{$name}" x 2>/dev/null | grep -q '^OK$' && owner=$port
done
redis-cli -p "$owner" DEL "probe{$name}" >/dev/null
replica_of() { redis-cli -p "$1" CLUSTER SLAVES "$(redis-cli -p "$1" CLUSTER MYID)"; }
has_replica() { replica_of "$owner" | grep -q ' slave '; }
check "owner $owner has no replica" eventually has_replica
replica=$(replica_of "$owner" | head -1 | awk '{print $2}' | sed 's/^[^:]*://; s/@.*//')
other=
for port in "${ports[@]}"; do
  [ "$port" != "$owner" ] && [ "$port" != "$replica" ] && other=$port && break
done

begin_case "One waiter was given the owner's address (it never saw a MOVED), the other another node's"
# One waiter was given the owner's address (it never saw a MOVED), the other another node's.
URL="redis://127.0.0.1:$owner" spawn a -v wait "$name" -n 3 -t 40s
URL="redis://127.0.0.1:$other" spawn b -v wait "$name" -n 3 -t 40s
URL="redis://127.0.0.1:$other" wait_arrived "$name" 2
replicated() {
  [ "$(printf 'READONLY\nZCARD rbarrier:{%s}:members\n' "$name" | redis-cli -p "$replica" | tail -1)" = 2 ]
}
check "the replica never had both arrivals" eventually replicated
# A party asks for the cluster's nodes with its first lease renewal (after 5 s by default).
wait_log a 'nodes of the cluster known'
wait_log b 'nodes of the cluster known'

kill -9 "${node_pid[$owner]}"
promoted() { redis-cli -p "$replica" ROLE 2>/dev/null | head -1 | grep -qx master; }
check "replica $replica was not promoted" eventually_for 30 promoted
check "cluster not ok" eventually_for 30 cluster_ok "$other"
expect_running a
expect_running b
# The late party arrives through a live node; the three are released together.
URL="redis://127.0.0.1:$other" expect 0 wait "$name" -n 3 -t 30s
expect_exit a 0
expect_exit b 0
for tag in a b; do
  check "$tag did not reach the promoted replica: $(cat "$TMP/$tag.err")" grep -q "reconnected to redis://127.0.0.1:$replica" "$TMP/$tag.err"
done

begin_case "The whole cluster down"
# The whole cluster down: every waiter exits 69 at its deadline, none is released.
name=down
URL="redis://127.0.0.1:$other" spawn c wait "$name" -n 3 -t 6s
URL="redis://127.0.0.1:$replica" spawn d wait "$name" -n 3 -t 6s
URL="redis://127.0.0.1:$other" wait_arrived "$name" 2
start=$(date +%s%N)
for pid in "${REDIS_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
expect_exit c 69
expect_exit d 69
check "the waiters outlived their deadline" [ "$(elapsed_ms "$start")" -lt 20000 ]
finish
