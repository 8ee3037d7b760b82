# SPDX-License-Identifier: Apache-2.0
# The container image (scripts/image): containers of it, run by podman on the host's network,
# meet at one barrier on a redis-server on loopback and see an abort from another container; the
# image holds nothing but the binary and its notices, and its labels name its version, license and
# source. Where containers cannot run, the test says so and is
# skipped (exit 77), never passed.
source "$(dirname "$0")/../lib.sh"
SRC=${RBARRIER_SOURCE:?}
skip() {
  echo "SKIPPED: $*"
  exit 77
}
image=$("$SRC/scripts/image" "$RBARRIER" 2>"$TMP/image.log" | tail -1)
[ -n "$image" ] || skip "podman could not build the image: $(tail -3 "$TMP/image.log")"
# On this kind of machine podman needs runc and explicit limits.
run() {
  podman run --runtime runc --network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    "$@"
}
run --rm "$image" --version >"$TMP/version" 2>&1 ||
  skip "containers cannot run here: $(tail -3 "$TMP/version")"
check "the image's rbarrier is not this one: $(cat "$TMP/version")" \
  [ "$(cat "$TMP/version")" = "$("$RBARRIER" --version)" ]
version=$("$RBARRIER" --version | sed -n '1s/^rbarrier //p')
port=$(free_port)
start_redis redis --port "$port" --bind 127.0.0.1
server=redis://127.0.0.1:$port
containers=()
AT_EXIT+=('[ ${#containers[@]} -eq 0 ] || podman rm -f "${containers[@]}" >/dev/null 2>&1')
# start_container NAME ARGS...: a detached container of the image running rbarrier ARGS.
start_container() {
  local id
  id=$(run -d "$image" -u "$server" "${@:2}") || { fail "$1 did not start"; return 1; }
  containers+=("$id")
  eval "$1=$id"
}
exit_of() { podman wait "$1"; }

begin_case "three containers and a party on the host meet"
for i in 1 2 3; do start_container "meet$i" wait meet -n 4 -t 60s; done
wait_arrived meet 3
expect 0 wait meet -n 4 -t 30s
for i in 1 2 3; do
  id_var=meet$i
  check "container $i: $(podman logs "${!id_var}" 2>&1)" [ "$(exit_of "${!id_var}")" = 0 ]
done

begin_case "an abort from another container reaches the waiting ones"
start_container waiter1 wait broken -n 3 -t 60s
start_container waiter2 wait broken -n 3 -t 60s
wait_arrived broken 2
run --rm "$image" -u "$server" abort broken --reason "from a container" >"$TMP/abort.log" 2>&1
got=$?
check "the aborting container: $(cat "$TMP/abort.log")" [ $got -eq 0 ]
for id in "$waiter1" "$waiter2"; do
  check "a waiter: $(podman logs "$id" 2>&1)" [ "$(exit_of "$id")" = 4 ]
  check "a waiter's reason: $(podman logs "$id" 2>&1)" grep -q 'from a container' <(podman logs "$id" 2>&1)
done

begin_case "the image holds nothing but the binary and its notices"
id=$(podman create --runtime runc "$image")
containers+=("$id")
podman export "$id" | tar -t | sort >"$TMP/image.files"
printf '%s\n' rbarrier usr/ usr/share/ usr/share/doc/ usr/share/doc/rbarrier/ \
  usr/share/doc/rbarrier/LICENSE usr/share/doc/rbarrier/THIRD-PARTY-NOTICES | sort >"$TMP/want.files"
check "the image holds: $(cat "$TMP/image.files")" diff -q "$TMP/want.files" "$TMP/image.files"
label() { podman image inspect "$image" --format "{{index .Labels \"org.opencontainers.image.$1\"}}"; }
check "version label: $(label version)" [ "$(label version)" = "$version" ]
check "licenses label: $(label licenses)" [ "$(label licenses)" = Apache-2.0 ]
check "source label: $(label source)" grep -q '^https://' <(label source)
finish
