# SPDX-License-Identifier: Apache-2.0
# A party that disagrees with the barrier's --parties or --once exits 78 and changes nothing.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

spawn first wait m -n 3 -t 30s
wait_arrived m 1
rb status --json m >"$TMP/before.json"
rcli DUMP 'rbarrier:{m}:members' >"$TMP/before.members"
expect 78 wait m -n 4 -t 5s
expect_stderr 'has --parties 3, this party asked for 4 \(the first party of a generation fixes it\): reset "m" to change it, or use another name$'
expect 78 wait m -n 3 --once -t 5s
expect_stderr 'without --once, this party gave it \(the first party of a generation fixes it\): reset "m" to change it, or use another name$'
rb status --json m | grep -v lease_ms | grep -v ttl_ms >"$TMP/after.json"
check "the barrier changed: $(diff "$TMP/before.json" "$TMP/after.json")" \
  diff -q <(grep -v lease_ms "$TMP/before.json" | grep -v ttl_ms) "$TMP/after.json"
check "a refused arrival left a key behind" [ "$(arrival_keys m)" = 1 ]
begin_case "the barrier is still completed by parties that agree"
# the barrier is still completed by parties that agree
spawn second wait m -n 3 -t 30s
release m 3 first second
finish
