# SPDX-License-Identifier: Apache-2.0
# The self-contained binary, copied alone into an empty directory, works there under chroot: over
# TCP and a unix socket, with host names from the chroot's /etc/hosts and from a DNS server on
# loopback (dnsmasq) named in its /etc/resolv.conf, as in a minimal init-container image.
source "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || { fail "chroot needs root"; finish; }

ROOT=$TMP/root
mkdir -p "$ROOT/etc"
cp "$RBARRIER" "$ROOT/rbarrier"
if ldd "$ROOT/rbarrier" >/dev/null 2>&1; then fail "the binary has shared-library dependencies: $(ldd "$ROOT/rbarrier")"; else pass; fi
port=$(free_port)
REDIS_SOCK=$ROOT/redis.sock start_redis redis --port "$port" --bind 127.0.0.1
in_root() { chroot "$ROOT" /rbarrier "$@"; }

begin_case "Over TCP by address, and over a unix socket"
# Over TCP by address, and over a unix socket: a waiter inside, the last party outside.
for url in "redis://127.0.0.1:$port" "unix:///redis.sock"; do
  chroot "$ROOT" /rbarrier -u "$url" wait meet -n 2 -t 30s >"$TMP/in.out" 2>"$TMP/in.err" &
  PID[in]=$!
  wait_arrived meet 1
  expect 0 wait meet -n 2 -t 30s
  expect_exit in 0
done
check "--version in the chroot" in_root --version >/dev/null

begin_case "A host name from /etc/hosts"
# A host name from /etc/hosts.
echo "127.0.0.1 redis.hosts.test" >"$ROOT/etc/hosts"
check "/etc/hosts" in_root -u "redis://redis.hosts.test:$port" wait hosts -n 1 -t 10s
in_root -u "redis://unknown.hosts.test:$port" --connect-timeout 300ms status x 2>"$TMP/err"
got=$?
check "unknown host: $(cat "$TMP/err")" [ $got = 69 ]
check "unknown host: $(cat "$TMP/err")" grep -q 'cannot resolve' "$TMP/err"

begin_case "A host name from a DNS server on loopback named in /etc/resolv.conf"
# A host name from a DNS server on loopback named in /etc/resolv.conf.
dns=127.0.53.$((RANDOM % 200 + 10))
dnsmasq --keep-in-foreground --no-resolv --no-hosts --user=root --pid-file= \
  --listen-address="$dns" --bind-interfaces --port=53 \
  --address=/redis.dns.test/127.0.0.1 --log-facility="$TMP/dnsmasq.log" &
REDIS_PIDS+=($!)
echo "nameserver $dns" >"$ROOT/etc/resolv.conf"
ok=
for i in $(seq 1 100); do
  in_root -u "redis://redis.dns.test:$port" wait dns -n 1 -t 10s 2>"$TMP/err" && { ok=1; break; }
  sleep 0.05 # dnsmasq still starting
done
check "DNS: $(cat "$TMP/err")" [ -n "$ok" ]
finish
