# SPDX-License-Identifier: Apache-2.0
# examples/: the batch script runs, and the CI and Kubernetes examples are parsed, checked, and
# their commands run as their CI jobs and pods would run them.
source "$(dirname "$0")/lib.sh"
start_redis redis
EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd)
export PATH="$(dirname "$RBARRIER"):$PATH" RBARRIER_URL=$URL
check "rbarrier on PATH is $(command -v rbarrier)" [ "$(command -v rbarrier)" = "$RBARRIER" ]

# A stand-in for the CI jobs' make: `build` fails when FAIL_BUILD is set, `integration-test`
# leaves a mark named after $NODE.
mkdir -p "$TMP/bin" "$TMP/marks"
cat >"$TMP/bin/make" <<'SH'
#!/bin/sh
case $1 in
  build) [ -z "$FAIL_BUILD" ] ;;
  integration-test) touch "$MARKS/$NODE" ;;
esac
SH
chmod +x "$TMP/bin/make"
export MARKS=$TMP/marks

# run_nodes TAG COUNT FAILING SCRIPT-COMMAND...: runs COUNT copies at once, with NODE and INDEX
# set (FAIL_BUILD in copy FAILING), each bounded by 60 s; sets STATUS[i] to each one's status.
declare -A STATUS
run_nodes() {
  local tag=$1 count=$2 failing=$3 i
  shift 3
  local -A pids=()
  for i in $(seq 1 "$count"); do
    INDEX=$i NODE=$tag-$i FAIL_BUILD=$([ "$i" = "$failing" ] && echo yes) PATH="$TMP/bin:$PATH" \
      timeout 60 "$@" >"$TMP/$tag-$i.out" 2>"$TMP/$tag-$i.err" &
    pids[$i]=$!
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}"
    STATUS[$i]=$?
  done
}

# expect_statuses TAG WANT...: STATUS[1..] are WANT...
expect_statuses() {
  local tag=$1 i=1 want
  shift
  for want in "$@"; do
    check "$tag-$i exited ${STATUS[$i]}, expected $want: $(cat "$TMP/$tag-$i.err")" [ "${STATUS[$i]}" = "$want" ]
    i=$((i + 1))
  done
}

begin_case "the batch script: eight jobs meet twice; a failing job stops the others at once"
timeout 60 "$EXAMPLES/batch.sh" "$TMP/batch" >"$TMP/batch.out" 2>"$TMP/batch.err"
got=$?
check "batch.sh failed: $(cat "$TMP/batch.err")" [ $got -eq 0 ]
check "merged: $(cat "$TMP/batch/merged")" [ "$(wc -l <"$TMP/batch/merged")" -eq 8 ]
check "$(cat "$TMP/batch.out")" grep -qx "batch: merged 8 parts into $TMP/batch/merged" "$TMP/batch.out"
FAIL_JOB=3 timeout 60 "$EXAMPLES/batch.sh" "$TMP/batch-failing" >"$TMP/batch.out" 2>"$TMP/batch.err"
got=$?
check "batch.sh with a failing job: $(cat "$TMP/batch.err")" [ $got -eq 1 ]
check "the other jobs were not aborted: $(cat "$TMP/batch.err")" [ "$(grep -cE '(was aborted|is broken): job 3 failed' "$TMP/batch.err")" -eq 7 ]
check_not "stage 2 merged after a failure" [ -e "$TMP/batch-failing/merged" ]
check_not "stage 2 ran after a failure" compgen -G "$TMP/batch-failing/stage2.*"

begin_case "every example manifest is YAML"
for file in "$EXAMPLES"/*.yml "$EXAMPLES"/*.yaml; do
  check "$file" python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$file"
done

# gate TAG RUN FAILING REASON: the four jobs of the CI example TAG (a function of the run id),
# in run RUN, all pass the gate and run their integration tests; in run RUN+1, where job FAILING
# fails to build, it exits 1, the others exit 4 with REASON, and none runs its tests.
gate() {
  local tag=$1 run=$2 failing=$3 reason=$4 i statuses=()
  run_nodes "$tag" 4 none bash -c "$tag $run"
  expect_statuses "$tag" 0 0 0 0
  check "integration tests ran: $(ls "$TMP/marks")" [ "$(ls "$TMP/marks" | grep -c "^$tag-")" -eq 4 ]
  rm -f "$TMP"/marks/*
  run_nodes "$tag" 4 "$failing" bash -c "$tag $((run + 1))"
  for i in 1 2 3 4; do statuses+=($([ "$i" = "$failing" ] && echo 1 || echo 4)); done
  expect_statuses "$tag" "${statuses[@]}"
  local other=$((failing == 1 ? 2 : 1))
  check "$(cat "$TMP/$tag-$other.err")" grep -qE "(aborted|broken): $reason" "$TMP/$tag-$other.err"
  check "integration tests ran after a failed build" [ -z "$(ls "$TMP/marks")" ]
}

begin_case "GitLab CI: four nodes pass the gate; when one fails to build, the others stop"
check "gitlab-ci.yml" python3 "$(dirname "$0")/examples.py" gitlab "$EXAMPLES/gitlab-ci.yml" >"$TMP/gitlab.sh"
gitlab() { CI_PIPELINE_ID=$1 CI_NODE_TOTAL=4 CI_NODE_INDEX=$INDEX CI_JOB_NAME="test $INDEX/4" bash "$TMP/gitlab.sh"; }
export -f gitlab
export TMP
gate gitlab 100 2 'test 2/4 failed to build'

begin_case "GitHub Actions: the same with the matrix's four shards"
github() {
  python3 "$(dirname "$RBARRIER_TEST")/examples.py" github "$EXAMPLES/github-actions.yml" "$INDEX" "$1" >"$TMP/github-$INDEX.sh" &&
    bash "$TMP/github-$INDEX.sh"
}
export -f github
export EXAMPLES RBARRIER_TEST=$0
gate github 200 3 'shard 3 failed to build'

begin_case "Kubernetes: eight pods' init containers meet; a pod restarted later passes (--once)"
pod() {
  local args
  mapfile -t args < <(python3 "$(dirname "$RBARRIER_TEST")/examples.py" kubernetes \
    "$EXAMPLES/kubernetes-job.yaml" "train-$1" 6f1c2a) || return 99
  [ "${args[0]}" = --termination-log ] || return 98
  args[1]=$TMP/termination-log-$1
  rbarrier "${args[@]}"
}
export -f pod
run_nodes pod 8 none bash -c 'pod "$INDEX"'
expect_statuses pod 0 0 0 0 0 0 0 0
expect 0 status train:6f1c2a
check "$(cat "$TMP/last.out")" grep -q 'state: *passed' "$TMP/last.out"
run_nodes restarted 1 none bash -c 'pod 9'
expect_statuses restarted 0
finish
