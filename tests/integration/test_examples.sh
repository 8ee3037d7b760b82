# SPDX-License-Identifier: Apache-2.0
# examples/: the batch script runs, and the CI and Kubernetes examples are parsed, checked, and
# their commands run as their CI jobs and pods would run them.
source "$(dirname "$0")/lib.sh"
start_redis redis
EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd)
export PATH="$(dirname "$RBARRIER"):$PATH" RBARRIER_URL=$URL
check "rbarrier on PATH is $(command -v rbarrier)" [ "$(command -v rbarrier)" = "$RBARRIER" ]

# A stand-in for the CI jobs' make: `build` and `build-part` fail when FAIL_BUILD is set,
# `integration-test` and `e2e-test` leave a mark named after $NODE.
mkdir -p "$TMP/bin" "$TMP/marks"
cat >"$TMP/bin/make" <<'SH'
#!/bin/sh
case $1 in
  build|build-part) [ -z "$FAIL_BUILD" ] ;;
  integration-test|e2e-test) touch "$MARKS/$NODE" ;;
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
check "the seven other jobs did not stop with job-3's failure: $(cat "$TMP/batch.err")" [ "$(grep -cE '(was aborted while (waiting|working)|is broken): job-3: exited 1' "$TMP/batch.err")" -eq 7 ]
check_not "stage 2 merged after a failure" [ -e "$TMP/batch-failing/merged" ]
check_not "stage 2 ran after a failure" compgen -G "$TMP/batch-failing/stage2.*"

begin_case "the elastic launch: three of 2 to 4 workers, released by the last call, ranked naturally"
WORKERS=3 timeout 60 "$EXAMPLES/elastic-train.sh" >"$TMP/elastic.out" 2>"$TMP/elastic.err"
got=$?
check "elastic-train.sh failed: $(cat "$TMP/elastic.err")" [ $got -eq 0 ]
check "$(cat "$TMP/elastic.out")" [ "$(sort "$TMP/elastic.out")" = "$(printf 'node%d: torchrun --nnodes=3 --node-rank=%d --master-addr=127.0.0.11 --master-port=29500 train.py\n' 1 0 2 1 3 2)" ]
FIRST=9 WORKERS=3 timeout 60 "$EXAMPLES/elastic-train.sh" >"$TMP/elastic.out" 2>"$TMP/elastic.err"
got=$?
check "node9 to node11: $(cat "$TMP/elastic.err")" [ $got -eq 0 ]
check "node9 before node10: $(cat "$TMP/elastic.out")" [ "$(sort "$TMP/elastic.out")" = "$(printf 'node%d: torchrun --nnodes=3 --node-rank=%d --master-addr=127.0.0.19 --master-port=29500 train.py\n' 10 1 11 2 9 0)" ]

begin_case "the training launch: four workers agree on ranks and on rank 0's address"
timeout 60 "$EXAMPLES/train.sh" >"$TMP/train.out" 2>"$TMP/train.err"
got=$?
check "train.sh failed: $(cat "$TMP/train.err")" [ $got -eq 0 ]
check "$(cat "$TMP/train.out")" [ "$(sort "$TMP/train.out")" = "$(printf 'node-%d: rank %d of 4, coordinator at 127.0.0.10:29500\n' 0 0 1 1 2 2 3 3)" ]

begin_case "every example manifest is YAML"
for file in "$EXAMPLES"/*.yml "$EXAMPLES"/*.yaml; do
  check "$file" python3 -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1])))' "$file"
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
  check "$(cat "$TMP/$tag-$other.err")" grep -qE "(aborted while waiting|broken): $reason" "$TMP/$tag-$other.err"
  check "integration tests ran after a failed build" [ -z "$(ls "$TMP/marks")" ]
}

begin_case "GitLab CI: four nodes pass the gate; when one fails to build, the others stop"
check "gitlab-ci.yml" python3 "$(dirname "$0")/examples.py" gitlab "$EXAMPLES/gitlab-ci.yml" >"$TMP/gitlab.sh"
gitlab() { CI_PIPELINE_ID=$1 CI_NODE_TOTAL=4 CI_NODE_INDEX=$INDEX CI_JOB_NAME="test $INDEX/4" bash "$TMP/gitlab.sh"; }
export -f gitlab
export TMP
gate gitlab 100 2 'test 2/4 failed to build'
# retried: after the release, a job passes the open gate and runs its tests; after a failure it
# exits 4 at once
rm -f "$TMP"/marks/*
run_nodes retried 1 none bash -c 'INDEX=3 gitlab 100'
expect_statuses retried 0
check "the retried job ran no tests" [ -e "$TMP/marks/retried-1" ]
run_nodes retried 1 none bash -c 'INDEX=1 gitlab 101'
expect_statuses retried 4

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

# background TAG COMMAND...: runs COMMAND (bounded by 60 s) like a spawned party TAG.
background() {
  local tag=$1
  shift
  PATH="$TMP/bin:$PATH" timeout 60 "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err" &
  PID[$tag]=$!
  CASE_TAGS[$tag]=1
}

begin_case "GitLab fan-in: build jobs arrive and end, e2e jobs await all three builds"
check "gitlab-fan-in.yml" python3 "$(dirname "$0")/examples.py" fan-in "$EXAMPLES/gitlab-fan-in.yml" build >"$TMP/build.sh"
check "gitlab-fan-in.yml" python3 "$(dirname "$0")/examples.py" fan-in "$EXAMPLES/gitlab-fan-in.yml" e2e >"$TMP/e2e.sh"
build_job() { CI_PIPELINE_ID=$1 CI_NODE_TOTAL=3 CI_NODE_INDEX=$INDEX CI_JOB_NAME="build $INDEX/3" bash "$TMP/build.sh"; }
export -f build_job
rm -f "$TMP"/marks/*
for i in 1 2; do NODE=e2e-$i background "e2e-$i" env CI_PIPELINE_ID=300 bash "$TMP/e2e.sh"; done
check "the e2e jobs never awaited the builds" eventually blocked_readers 2
check "an e2e job ran before the builds: $(ls "$TMP/marks")" [ -z "$(ls "$TMP/marks")" ]
run_nodes fan 2 none bash -c 'build_job 300'
expect_statuses fan 0 0
expect_running e2e-1
expect_running e2e-2
INDEX=3 PATH="$TMP/bin:$PATH" expect_command 0 build_job 300
expect_exit e2e-1 0
expect_exit e2e-2 0
check "e2e tests ran: $(ls "$TMP/marks")" [ "$(ls "$TMP/marks" | grep -c '^e2e-')" -eq 2 ]
# a late e2e job, and a retried one, pass at once; a retried build job counts nothing and ends
NODE=e2e-late PATH="$TMP/bin:$PATH" expect_command 0 timeout 20 env CI_PIPELINE_ID=300 bash "$TMP/e2e.sh"
check "the late e2e job ran no tests" [ -e "$TMP/marks/e2e-late" ]
INDEX=2 PATH="$TMP/bin:$PATH" expect_command 0 timeout 20 bash -c 'build_job 300'
rm -f "$TMP"/marks/*
for i in 1 2; do NODE=e2e-$i background "e2e-$i" env CI_PIPELINE_ID=301 bash "$TMP/e2e.sh"; done
check "the e2e jobs never awaited the builds" eventually blocked_readers 2
INDEX=2 FAIL_BUILD=yes PATH="$TMP/bin:$PATH" expect_command 1 build_job 301
expect_exit e2e-1 4
expect_exit e2e-2 4
expect_file "$TMP/e2e-1.err" 'was aborted while awaiting: build 2/3 failed to build'
check "e2e tests ran after a failed build" [ -z "$(ls "$TMP/marks")" ]

begin_case "Kubernetes: the application's init containers await the migration (--once)"
mkdir -p "$TMP/app"
printf '#!/bin/sh\n[ -z "$FAIL_MIGRATION" ]\n' >"$TMP/app/migrate"
chmod +x "$TMP/app/migrate"
check "kubernetes-migration.yaml" python3 "$(dirname "$0")/examples.py" migration "$EXAMPLES/kubernetes-migration.yaml" job >"$TMP/migrate.sh"
check "kubernetes-migration.yaml" python3 "$(dirname "$0")/examples.py" migration "$EXAMPLES/kubernetes-migration.yaml" init >"$TMP/init.args"
init_container() {
  local args
  mapfile -t args <"$TMP/init.args"
  [ "${args[0]}" = --termination-log ] || return 98
  args[1]=$TMP/termination-log-$1
  rbarrier "${args[@]}"
}
export -f init_container
migrate_job() { (cd "$TMP/app" && sh -c "$(cat "$TMP/migrate.sh")"); }
for i in 1 2 3; do background "init-$i" bash -c "init_container $i"; done
check "the init containers never awaited the migration" eventually blocked_readers 3
RELEASE=v42 expect_command 0 migrate_job
for i in 1 2 3; do expect_exit "init-$i" 0; done
# a pod started or restarted after the migration passes at once
expect_command 0 init_container 4
# a failed migration fails the init containers, with its reason in the termination log
sed -i 's/v42/v43/' "$TMP/init.args"
background init-5 bash -c "init_container 5"
check "the init container never awaited the migration" eventually blocked_readers 1
RELEASE=v43 FAIL_MIGRATION=yes expect_command 1 migrate_job
expect_exit init-5 4
expect_file "$TMP/termination-log-5" 'the migration to v43 failed'

begin_case "Kubernetes: every pod's init container runs the migration once (rbarrier once)"
mkdir -p "$TMP/once"
# the migration: counts its runs, takes a moment (with HOLD, until the file go is there), fails
# when told to
printf '#!/bin/sh\necho "$RBARRIER_ID" >>"%s/once/runs"\nsleep 1\nwhile [ -n "$HOLD" ] && [ ! -e go ]; do sleep 0.05; done\n[ -z "$FAIL_MIGRATION" ]\n' "$TMP" >"$TMP/once/migrate"
chmod +x "$TMP/once/migrate"
check "kubernetes-migration-once.yaml" python3 "$(dirname "$0")/examples.py" migration-once "$EXAMPLES/kubernetes-migration-once.yaml" >"$TMP/once.args"
sed -i 's/v42/v52/' "$TMP/once.args" # the case above used v42 and v43
once_container() {
  local args
  mapfile -t args <"$TMP/once.args"
  [ "${args[0]}" = --termination-log ] || return 98
  args[1]=$TMP/once-log-$1
  (cd "$TMP/once" && rbarrier "${args[@]}")
}
export -f once_container
for i in 1 2 3; do background "pod-$i" bash -c "once_container $i"; done
for i in 1 2 3; do expect_exit "pod-$i" 0; done
check "three pods, one migration: $(cat "$TMP/once/runs")" [ "$(wc -l <"$TMP/once/runs")" = 1 ]
# a pod started or restarted after the migration passes at once
expect_command 0 once_container 4
check "not run again" [ "$(wc -l <"$TMP/once/runs")" = 1 ]
# a failed migration: the runner fails with its status, the others with its reason
sed -i 's/v52/v53/' "$TMP/once.args"
for i in 5 6; do HOLD=yes FAIL_MIGRATION=yes background "pod-$i" bash -c "once_container $i"; done
check "the failing migration never started" eventually sh -c "[ \$(wc -l <'$TMP/once/runs') -ge 2 ]"
check "the other pod never waited for it" eventually blocked_readers 2 # the runner reads too
touch "$TMP/once/go"
codes=""
for i in 5 6; do wait "${PID[pod-$i]}"; codes="$codes $?"; unset "PID[pod-$i]"; done
check "one init container failed with the migration's status, the other with 4:$codes" [ "$(echo $codes | tr ' ' '\n' | sort | tr '\n' ' ')" = "1 4 " ]
check "the reason is in the termination log" grep -qh 'exited 1' "$TMP/once-log-5" "$TMP/once-log-6"
# the next restart runs it again, and succeeds
expect_command 0 once_container 7
check "run again after the failure" [ "$(wc -l <"$TMP/once/runs")" = 3 ]
finish
