# SPDX-License-Identifier: Apache-2.0
# The examples' Kubernetes manifests, run by `podman kube play` on the host's network: the
# migration (its Job's pod, three replicas of the application held by their init containers, a
# replica started later passing at once, a failed migration failing the init containers with its
# reason) and the gang Job as its eight pods. Only the images, the Redis address and what a
# cluster's controllers would do (a Job's or a Deployment's pods, tests/integration/kube.py)
# change. Where containers cannot run, the test says so and is skipped (exit 77), never passed.
source "$(dirname "$0")/../lib.sh"
SRC=${RBARRIER_SOURCE:?}
skip() {
  echo "SKIPPED: $*"
  exit 77
}
command -v podman >/dev/null || skip "podman is not installed"
command -v busybox >/dev/null || skip "busybox is not installed (scripts/install-deps)"
# On this kind of machine podman needs runc and explicit limits; kube play takes them from here.
cat >"$TMP/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF=$TMP/containers.conf
image=$("$SRC/scripts/image" "$RBARRIER" 2>"$TMP/image.log" | tail -1)
[ -n "$image" ] || skip "podman could not build the image: $(tail -3 "$TMP/image.log")"
podman run --rm --network host "$image" --version >"$TMP/version" 2>&1 ||
  skip "containers cannot run here: $(tail -3 "$TMP/version")"

# The application's and the migrations' image: busybox, rbarrier, and ./migrate, which counts
# itself at the barrier "migrations" (an arrival, through the container's RBARRIER_URL) and
# succeeds (tag ok) or fails (tag fails); its main process says it started, then sleeps.
tag=localhost/rbarrier-test-app-$$
for outcome in ok fails; do
  context=$TMP/context-$outcome
  mkdir -p "$context"
  cp "$(command -v busybox)" "$RBARRIER" "$context/"
  printf '#!/bin/sh\nrbarrier -q arrive migrations -n 1000\necho "migrating $*"\nexit %d\n' \
    "$([ $outcome = ok ] && echo 0 || echo 1)" >"$context/migrate"
  chmod +x "$context/migrate"
  cat >"$context/Containerfile" <<'FILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY rbarrier /usr/local/bin/rbarrier
COPY migrate /app/migrate
WORKDIR /app
ENV PATH=/usr/local/bin:/bin
CMD ["sh", "-c", "echo started; exec sleep 600"]
FILE
  podman build --quiet --network host -t "$tag:$outcome" "$context" >"$TMP/build.log" 2>&1 ||
    skip "podman could not build the test image: $(tail -3 "$TMP/build.log")"
done

password=secret-$$
port=$(free_port)
start_redis redis --port "$port" --bind 127.0.0.1 --requirepass "$password"
export REDISCLI_AUTH=$password RBARRIER_PASSWORD=$password
server=redis://127.0.0.1:$port/0
# The Secret the manifests name (`redis`, key `password`), as podman 4.3 reads one: a JSON map.
secret=$(podman secret create redis <(printf '{"password":"%s"}' "$(printf %s "$password" | base64)")) ||
  skip "podman could not create the secret redis"
pods=()
AT_EXIT+=('[ ${#pods[@]} -eq 0 ] || podman pod rm -f -t 0 "${pods[@]}" >/dev/null 2>&1'
  'podman secret rm "$secret" >/dev/null 2>&1'
  'podman rmi -f "$tag:ok" "$tag:fails" >/dev/null 2>&1')

# manifest EXAMPLE MIGRATIONS [ARGS...]: the pods of examples/EXAMPLE.yaml, into $TMP/pods.
manifest() {
  rm -rf "$TMP/pods"
  mkdir "$TMP/pods"
  python3 "$SRC/tests/integration/kube.py" "$SRC/examples/$1.yaml" "$TMP/pods" "$server" \
    "registry.example/rbarrier:0.2.0=$image" "registry.example/app-migrations:v42=$tag:$2" \
    "registry.example/app:v42=$tag:ok" "registry.example/train:latest=$tag:ok" "${@:3}"
}
# play POD: `podman kube play` of it in the background (it returns once the init containers
# ended and the others started); its output in $TMP/POD.play.
play() {
  pods+=("$1")
  podman kube play --network host "$TMP/pods/$1.yaml" >"$TMP/$1.play" 2>&1 &
  PID[play-$1]=$!
}
# played POD: the kube play of POD ended; its status.
played() {
  wait "${PID[play-$1]}"
}
state() { podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$1" 2>/dev/null; }
# started POD: its main container runs and said so.
started() { [ "$(state "$1-app")" = "running 0" ] && podman logs "$1-app" 2>&1 | grep -q started; }
awaiting() { [ "$(rcli CLIENT LIST | grep -c ' cmd=xread')" -ge "$1" ]; }
# fresh: no pod and no key of the cases before.
fresh() {
  [ ${#pods[@]} -eq 0 ] || podman pod rm -f -t 0 "${pods[@]}" >/dev/null 2>&1
  pods=()
  rcli FLUSHALL >/dev/null
}
# migrations: how many times ./migrate ran.
migrations() { rb status --json migrations 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["arrived"])'; }
# replicas_started: the plays of app-0, app-1 and app-2 ended and their applications run (podman
# removes an init container that succeeded); app-3, a replica started later (scaled up,
# rescheduled), passes at once; the migration ran once.
replicas_started() {
  local pod
  for pod in app-0 app-1 app-2; do
    check "$pod was not played: $(cat "$TMP/$pod.play")" played "$pod"
    check "$pod's application did not start" eventually started "$pod"
  done
  sed 's/name: app-2$/name: app-3/' "$TMP/pods/app-2.yaml" >"$TMP/pods/app-3.yaml"
  play app-3
  check "the later replica was not played: $(cat "$TMP/app-3.play")" played app-3
  check "the later replica's application did not start" eventually started app-3
  check "the migration ran $(migrations) times" [ "$(migrations)" = 1 ]
}

begin_case "the migration: three replicas held by their init containers until the Job's pod migrated"
manifest kubernetes-migration ok >"$TMP/names"
check "the pods: $(tr '\n' ' ' <"$TMP/names")" \
  [ "$(tr '\n' ' ' <"$TMP/names")" = "migrate-v42-0 app-0 app-1 app-2 " ]
for pod in app-0 app-1 app-2; do play "$pod"; done
check "the init containers never awaited" eventually_for 60 awaiting 3
for pod in app-0 app-1 app-2; do
  check "$pod's application started before the migration: $(state "$pod-app")" \
    [ "$(state "$pod-app")" = "created 0" ]
done
play migrate-v42-0
check "the Job's pod was not played: $(cat "$TMP/migrate-v42-0.play")" played migrate-v42-0
check "the migration did not succeed: $(podman logs migrate-v42-0-migrate 2>&1)" \
  [ "$(podman wait migrate-v42-0-migrate)" = 0 ]
replicas_started

begin_case "the migration by rbarrier once: three replicas at once, one migration"
fresh
manifest kubernetes-migration-once ok >"$TMP/names"
check "the pods: $(tr '\n' ' ' <"$TMP/names")" [ "$(tr '\n' ' ' <"$TMP/names")" = "app-0 app-1 app-2 " ]
for pod in app-0 app-1 app-2; do play "$pod"; done
replicas_started

begin_case "a failed migration fails the init containers, with its reason"
fresh
manifest kubernetes-migration fails >/dev/null
for pod in app-0 app-1; do play "$pod"; done
check "the init containers never awaited" eventually_for 60 awaiting 2
play migrate-v42-0
played migrate-v42-0
check "the failed migration's container exited $(podman wait migrate-v42-0-migrate)" \
  [ "$(podman wait migrate-v42-0-migrate)" = 1 ]
for pod in app-0 app-1; do
  played "$pod"
  check "$pod's init container: $(state "$pod-migrated")" [ "$(state "$pod-migrated")" = "exited 4" ]
  check "$pod's init container's reason: $(podman logs "$pod-migrated" 2>&1)" \
    grep -q 'the migration to v42 failed' <(podman logs "$pod-migrated" 2>&1)
  check "$pod's application started" [ "$(state "$pod-app")" = "created 0" ]
done

begin_case "the gang Job: its eight pods start their main containers together"
fresh
manifest kubernetes-job ok >"$TMP/names"
check "the pods: $(tr '\n' ' ' <"$TMP/names")" [ "$(wc -l <"$TMP/names")" = 8 ]
for i in 0 1 2 3 4 5 6; do play "train-$i"; done
check "seven init containers never waited" eventually_for 60 awaiting 7
check "a main container started before the eighth pod: $(state train-0-train)" \
  [ "$(state train-0-train)" = "created 0" ]
play train-7
for i in 0 1 2 3 4 5 6 7; do
  check "train-$i was not played: $(cat "$TMP/train-$i.play")" played "train-$i"
  check "train-$i's main container: $(state "train-$i-train")" \
    [ "$(state "train-$i-train")" = "running 0" ]
done
# One barrier, named after the Job's uid, with each pod's name as its id.
rb status --json "train:$(podman pod inspect train-0 --format '{{index .Labels "batch.kubernetes.io/controller-uid"}}')" \
  >"$TMP/status.json" 2>&1
check "the barrier: $(cat "$TMP/status.json")" grep -q '"state": "passed"' "$TMP/status.json"
finish
