# SPDX-License-Identifier: Apache-2.0
# Redis Cluster: three masters; barriers whose keys live on different nodes all work from a URL
# that names one node, following MOVED; pub/sub works from any node.
source "$(dirname "$0")/lib.sh"

ports=()
for node in 1 2 3; do
  port=$(free_cluster_port)
  ports+=("$port")
  start_redis "node$node" --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
    --cluster-config-file "$TMP/nodes$node.conf" --cluster-node-timeout 2000
done
redis-cli --cluster create "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}" \
  --cluster-yes >"$TMP/create.log" 2>&1 || { cat "$TMP/create.log"; fail "cluster create"; finish; }
cluster_ok() { redis-cli -p "$1" CLUSTER INFO | grep -q 'cluster_state:ok'; }
for port in "${ports[@]}"; do
  check "node $port not ok" eventually cluster_ok "$port"
done

begin_case "A cluster has only database 0: another in the URL is a usage error that says so"
URL="redis://127.0.0.1:${ports[0]}/2" expect 64 status alpha
expect_stderr 'is a Redis Cluster node, which has only database 0'

begin_case "Every URL names the first node"
# Every URL names the first node; the names' hash tags spread them over all three.
for entry in 1 3; do
  URL="redis://127.0.0.1:${ports[$((entry - 1))]}"
  for name in alpha bravo charlie delta echo foxtrot golf hotel; do
    spawn first wait "$name" -n 2 -t 30s
    wait_arrived "$name" 1
    expect 0 wait "$name" -n 2 -t 30s
    expect_exit first 0
    expect 0 abort "$name" --reason "cluster test"
    expect 4 wait "$name" -n 2
    expect_stderr 'cluster test'
    expect 0 reset "$name"
  done
done
begin_case "list reads every master: the barriers of all three nodes"
connections() { # made to the nodes so far, this one's redis-cli included
  local port total=0
  for port in "${ports[@]}"; do
    total=$((total + $(redis-cli -p "$port" INFO stats | tr -d '\r' | sed -n 's/^total_connections_received://p')))
  done
  echo "$total"
}
before=$(connections)
URL="redis://127.0.0.1:${ports[1]}" expect 0 list
made=$(($(connections) - before - ${#ports[@]}))
# the URL's node, and one connection to each master for its barriers: not one per barrier
check "list made $made connections for 8 barriers on 3 masters" [ "$made" -le 4 ]
for name in alpha bravo charlie delta echo foxtrot golf hotel; do
  check "list lacks $name: $(cat "$TMP/last.out")" grep -qE " \"$name\"\$" "$TMP/last.out"
done
check "each once: $(cat "$TMP/last.out")" [ "$(grep -cE ' "(alpha|bravo|charlie|delta|echo|foxtrot|golf|hotel)"$' "$TMP/last.out")" = 8 ]
nodes=0
for port in "${ports[@]}"; do
  [ "$(redis-cli -p "$port" --scan --pattern 'rbarrier:{*}' | grep -cE '^rbarrier:\{[a-z]+\}$')" -gt 0 ] &&
    nodes=$((nodes + 1))
done
check "the names spread over the nodes ($nodes of 3)" [ "$nodes" -ge 2 ]
URL="redis://127.0.0.1:${ports[2]}" expect 0 list 'al*' --json
check "--json on a cluster: $(cat "$TMP/last.out")" grep -q '"name":"alpha"' "$TMP/last.out"
# delete finds its keys on its slot's node, from a URL that names another
for name in alpha bravo charlie; do
  URL="redis://127.0.0.1:${ports[0]}" expect 0 delete "$name"
  left=0
  for port in "${ports[@]}"; do
    left=$((left + $(redis-cli -p "$port" --scan --pattern "rbarrier:{$name}*" | wc -l)))
  done
  check "$name: $left keys left on the nodes" [ "$left" = 0 ]
done

begin_case "Names with braces anywhere, empty tags among them"
# Names with braces anywhere, empty tags among them: all of a barrier's keys share one slot.
URL="redis://127.0.0.1:${ports[0]}"
for name in '}' '{}' '}{' '{{}}' 'a}b' '{a}' '%7D' '100%'; do
  spawn first wait "$name" -n 2 -t 30s
  wait_arrived "$name" 1
  expect 0 wait "$name" -n 2 -t 30s
  expect_exit first 0
  expect 0 abort "$name" --reason braces
  expect 4 wait "$name" -n 2
  expect 0 reset "$name"
  expect 0 status "$name"
done
begin_case "The barriers did land on every node"
# The barriers did land on every node.
for port in "${ports[@]}"; do
  check "no barrier on node $port" [ "$(redis-cli -p "$port" DBSIZE)" -gt 0 ]
done
begin_case "A waiter subscribed at another node than the one that decides is still released on the..."
# A waiter subscribed at another node than the one that decides is still released on the event.
URL="redis://127.0.0.1:${ports[1]}"
spawn sub -v wait alpha -n 2 -t 30s
wait_arrived alpha 1
URL="redis://127.0.0.1:${ports[2]}" expect 0 wait alpha -n 2 -t 30s
expect_exit sub 0

begin_case "await on barriers of three nodes: released in any order, aborted at once"
# One XREAD cannot name keys of two slots: each barrier is read on its own connection, in turn.
slots=$(for name in india juliet kilo; do
  redis-cli -p "${ports[0]}" CLUSTER KEYSLOT "rbarrier:{$name}"
done | sort -u | wc -l)
check "the three barriers share a slot ($slots slots)" [ "$slots" = 3 ]
URL="redis://127.0.0.1:${ports[0]}"
spawn many -v await india juliet kilo -t 30s
wait_log many 'barrier "kilo" does not exist yet' # the last of the three looked
expect 0 arrive kilo -n 1
expect 0 arrive india -n 1
expect_running many
expect 0 arrive juliet -n 1
expect_exit many 0
spawn failing await lima mike november -t 30s
wait_for_readers() { [ "$(for port in "${ports[@]}"; do redis-cli -p "$port" CLIENT LIST; done | grep -c ' cmd=xread')" -ge 1 ]; }
check "await never read" eventually wait_for_readers
expect 0 abort november --reason 'node lost'
expect_exit failing 4
expect_file "$TMP/failing.err" 'barrier "november" was aborted while awaiting: node lost'

begin_case "A slot being migrated"
# A slot being migrated: its owner answers ASK for a barrier it does not hold, and the party
# runs the script on the importing node after ASKING.
name=migrating
slot=$(redis-cli -p "${ports[0]}" CLUSTER KEYSLOT "rbarrier:{$name}")
owner= target=
node_id() { redis-cli -p "$1" CLUSTER MYID; }
for port in "${ports[@]}"; do # the owner accepts a key of the slot; the others answer MOVED
  redis-cli -p "$port" SET "probe{$name}" x | grep -q '^OK$' && owner=$port
done
for port in "${ports[@]}"; do [ "$port" != "$owner" ] && target=$port && break; done
redis-cli -p "$owner" DEL "probe{$name}" >/dev/null
redis-cli -p "$target" CLUSTER SETSLOT "$slot" IMPORTING "$(node_id "$owner")" >/dev/null
redis-cli -p "$owner" CLUSTER SETSLOT "$slot" MIGRATING "$(node_id "$target")" >/dev/null
# Until the migration ends, the importing node answers TRYAGAIN (the barrier's keys are not all
# there yet): the party retries, and carries on when the slot has moved.
URL="redis://127.0.0.1:$owner" spawn mig -v wait "$name" -n 1 -t 30s
wait_log mig "asked: to redis://127.0.0.1:$target"
wait_log mig 'TRYAGAIN'
for port in "${ports[@]}"; do
  redis-cli -p "$port" CLUSTER SETSLOT "$slot" NODE "$(node_id "$target")" >/dev/null
done
expect_exit mig 0
# After TRYAGAIN the party went to the new owner again: by MOVED if the owner had already given
# up the slot, else by another ASK (the nodes learn of the move one after the other).
check "mig: $(cat "$TMP/mig.err")" grep -qE "(moved|asked): to redis://127.0.0.1:$target$" \
  <(sed -n '/TRYAGAIN/,$p' "$TMP/mig.err")
check "not created on the new owner" [ "$(redis-cli -p "$target" EXISTS "rbarrier:{$name}")" = 1 ]

begin_case "list while a barrier's slot is migrated"
# SCAN found the barrier on its owner; reading its state there answers TRYAGAIN until every key
# moved, then MOVED: list follows it to the new owner.
name=moving
URL="redis://127.0.0.1:${ports[0]}" expect 0 wait "$name" -n 1
slot=$(redis-cli -p "${ports[0]}" CLUSTER KEYSLOT "rbarrier:{$name}")
owner= target=
for port in "${ports[@]}"; do
  [ "$(redis-cli -p "$port" EXISTS "rbarrier:{$name}")" = 1 ] && owner=$port
done
for port in "${ports[@]}"; do [ "$port" != "$owner" ] && target=$port && break; done
redis-cli -p "$target" CLUSTER SETSLOT "$slot" IMPORTING "$(node_id "$owner")" >/dev/null
redis-cli -p "$owner" CLUSTER SETSLOT "$slot" MIGRATING "$(node_id "$target")" >/dev/null
URL="redis://127.0.0.1:$owner" spawn lister -v list "$name"
wait_log lister 'TRYAGAIN'
mapfile -t keys < <(redis-cli -p "$owner" --scan --pattern "rbarrier:{$name}*")
redis-cli -p "$owner" MIGRATE 127.0.0.1 "$target" "" 0 5000 KEYS "${keys[@]}" >/dev/null
for port in "${ports[@]}"; do
  redis-cli -p "$port" CLUSTER SETSLOT "$slot" NODE "$(node_id "$target")" >/dev/null
done
expect_exit lister 0
check "listed from its new owner: $(cat "$TMP/lister.out")" grep -qE " released .* \"$name\"\$" "$TMP/lister.out"
check "the keys moved (${#keys[@]})" [ "$(redis-cli -p "$target" EXISTS "rbarrier:{$name}")" = 1 ]
finish
