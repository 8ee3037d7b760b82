# status: text and JSON, exit 6 for no such barrier.
source "$(dirname "$0")/lib.sh"
start_redis redis

expect 6 status none
expect_stderr 'no barrier "none"'
expect 6 status --json none
[ -s "$TMP/last.out" ] && fail "printed for a missing barrier" || pass

spawn w wait s -n 3 --id worker-1 --lease 20s -t 30s
wait_arrived s 1
expect 0 status s
for want in 'barrier "s"' 'state: *open' 'generation: *1' 'arrived: *1 of 3' '"worker-1" *lease 1[0-9](\.[0-9])?s' 'last: *none' 'expires in: *2[34]h'; do
  grep -qE "$want" "$TMP/last.out" && pass || fail "status lacks /$want/: $(cat "$TMP/last.out")"
done
expect 0 status --json s
python3 - "$TMP/last.out" <<'PY' && pass || fail "status --json: $(cat "$TMP/last.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "s" and d["parties"] == 3 and d["generation"] == 1, d
assert d["state"] == "open" and d["reason"] == "" and d["once"] is False, d
assert d["arrived"] == 1 and d["members"][0]["id"] == "worker-1", d
assert 10000 < d["members"][0]["lease_ms"] <= 20000, d
assert d["last_outcome"] is None and 23 * 3600e3 < d["ttl_ms"] <= 24 * 3600e3, d
assert set(d) == {"name", "parties", "generation", "state", "reason", "once", "arrived",
                  "members", "last_outcome", "ttl_ms"}, d
PY
expect 0 abort s --reason 'no more'
expect_exit w 4
expect 0 status --json s
python3 - "$TMP/last.out" <<'PY' && pass || fail "status --json after abort: $(cat "$TMP/last.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "broken" and d["reason"] == "no more", d
assert d["last_outcome"] == "aborted: no more" and d["arrived"] == 0 and d["generation"] == 2, d
PY
expect 0 reset s
expect 0 status --json s
grep -q '"parties": null' "$TMP/last.out" && pass || fail "parties after reset: $(cat "$TMP/last.out")"
finish
