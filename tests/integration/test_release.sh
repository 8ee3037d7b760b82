# SPDX-License-Identifier: Apache-2.0
# Parties are released together: 8 at once, a single party, and one barrier for 3 generations.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

begin_case "A single party is released at once"
# A single party is released at once.
expect 0 wait solo -n 1

begin_case "Eight parties"
# Eight parties: seven wait, none leaves before the eighth arrives, then all exit 0.
for i in 1 2 3 4 5 6 7; do spawn p$i wait eight -n 8 -t 30s; done
wait_arrived eight 7
for i in 1 2 3 4 5 6 7; do expect_running p$i; done
spawn p8 wait eight -n 8 -t 30s
for i in 1 2 3 4 5 6 7 8; do expect_exit p$i 0; done

begin_case "With -v, a waiting party tells of every arrival (from the progress stream)"
# With -v, a waiting party tells of every arrival (from the progress stream).
spawn watcher -v wait progress -n 3 -t 30s
wait_arrived progress 1
wait_log watcher 'arrived at barrier "progress": 1/3'
spawn second wait progress -n 3 -t 30s
wait_log watcher 'barrier "progress": 2/3 arrived'
expect 0 wait progress -n 3 -t 30s
expect_exit watcher 0
expect_exit second 0

begin_case "50 parties on a server with maxclients 60: one connection each, all released"
# 50 parties on a server with maxclients 60: one connection each, all released.
REDIS=sixty start_redis sixty --maxclients 60
URL=unix://$TMP/sixty.sock
for i in $(seq 1 49); do spawn "f$i" wait fifty -n 50 -t 60s; done
wait_arrived fifty 49
clients=$(REDIS=sixty rcli INFO clients | sed -n 's/^connected_clients:\([0-9]*\).*/\1/p')
check "$clients clients for 49 waiting parties and redis-cli" [ "$clients" = 50 ]
expect 0 wait fifty -n 50 -t 60s
for i in $(seq 1 49); do expect_exit "f$i" 0; done
URL=unix://$TMP/redis.sock

begin_case "One barrier, three generations in a row"
# One barrier, three generations in a row: each released by its own pair of parties.
for gen in 1 2 3; do
  spawn a$gen wait cyclic -n 2 -t 30s
  wait_arrived cyclic 1
  spawn b$gen wait cyclic -n 2 -t 30s
  expect_exit a$gen 0
  expect_exit b$gen 0
done
rb status --json cyclic >"$TMP/cyclic.json"
check "generation is not 4: $(cat "$TMP/cyclic.json")" grep -q '"generation": 4' "$TMP/cyclic.json"
check "last outcome: $(cat "$TMP/cyclic.json")" grep -q '"last_outcome": "released"' "$TMP/cyclic.json"

begin_case "Over TCP, on a database other than 0"
# Over TCP, on a database other than 0.
port=$(free_port)
URL=; start_redis tcp --port "$port" --bind 127.0.0.1
URL="redis://127.0.0.1:$port/3"
# a database the server does not have: a usage error (64) that names it, from every subcommand
for args in "wait x -n 1" "arrive x -n 1" "await x" "status x" "reset x"; do
  URL="redis://127.0.0.1:$port/99" expect 64 $args
  expect_stderr "redis://127.0.0.1:$port has no database 99 \(its databases setting"
done
spawn t1 wait tcp -n 2 -t 30s
wait_arrived tcp 1
expect 0 wait tcp -n 2 -t 30s
expect_exit t1 0
check "keys are not in db 3" [ "$(redis-cli -p "$port" -n 3 EXISTS 'rbarrier:{tcp}')" = 1 ]
check "db 0 is not empty" [ "$(redis-cli -p "$port" -n 0 DBSIZE)" = 0 ]

begin_case "Every key carries the prefix and the {NAME} hash tag, and has a TTL"
# Every key carries the prefix and the {NAME} hash tag, and has a TTL.
URL="unix://$TMP/redis.sock"
expect 0 --prefix custom: --ttl 1h wait tagged -n 1
for key in $(rcli --scan --pattern 'custom:*'); do
  case "$key" in 'custom:{tagged}'*) pass ;; *) fail "key $key lacks the hash tag" ;; esac
  ttl=$(rcli PTTL "$key")
  check "key $key has PTTL $ttl" [ "$ttl" -gt 0 ]
  check "key $key has PTTL $ttl" [ "$ttl" -le 3600000 ]
done
finish
