# SPDX-License-Identifier: Apache-2.0
# The benchmark harness's quick run completes, also when the measurements outlast the idle
# waiter's minimum (it used to read the memory of a waiter that had already exited).
source "$(dirname "$0")/../lib.sh"
source_dir=${RBARRIER_SOURCE:?}
for program in floor party; do
  gcc -O2 -static -o "$TMP/$program" "$source_dir/bench/$program.c" -l:libhiredis.a ||
    { fail "cannot build the $program baseline"; check "no line on the 40 parties: $(grep -A4 '^## 40 parties' "$TMP/BENCHMARKS.md")" \
  grep -qE '^- started and all blocked after .* held 39 more connections \(1.00 per waiting party\)' "$TMP/BENCHMARKS.md"
finish; }
done
port=$(free_port)
start_redis redis --port "$port" --bind 127.0.0.1 --maxclients 1000
python3 "$source_dir/bench/harness.py" --quick --idle-seconds 1 --crowd 40 --rbarrier "$RBARRIER" \
  --floor "$TMP/floor" --party "$TMP/party" --peer "$source_dir/bench/peer.sh" --port "$port" \
  --out "$TMP/BENCHMARKS.md" --plot-data "$TMP/plot.dat" \
  --redis-version "$(redis-server --version | cut -d' ' -f1-3)" >"$TMP/bench.log" 2>&1
got=$?
check "the quick run failed: $(tail -5 "$TMP/bench.log")" [ $got -eq 0 ]
check "no idle waiter line: $(cat "$TMP/BENCHMARKS.md" 2>&1 | head -40)" grep -qE '^- one party waiting [0-9]+ s: .* peak RSS [0-9.]+ MB' "$TMP/BENCHMARKS.md"
check "no line on the 40 parties: $(grep -A4 '^## 40 parties' "$TMP/BENCHMARKS.md")" \
  grep -qE '^- started and all blocked after .* held 39 more connections \(1.00 per waiting party\)' "$TMP/BENCHMARKS.md"
finish
