#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Eight background jobs meet twice at one barrier: every job finishes stage 1 before any starts
# stage 2, and every job finishes stage 2 before any merges. A job that fails aborts the barrier,
# so that the others stop at once (exit 4) instead of waiting for it until the timeout.
#
#   RBARRIER_URL=redis://redis.internal:6379/0 examples/batch.sh [WORK_DIR]
#
# Each stage here only writes a file and checks the other jobs' files of the stage before; put
# the real work in stage1 and stage2. FAIL_JOB=N makes job N fail in stage 1 (to try the abort).
set -euo pipefail

jobs=8
work=${1:-$(mktemp -d)}
mkdir -p "$work"
# One barrier per run: a later run, or a second run at the same time, meets elsewhere.
barrier="batch:$HOSTNAME:$$:$(date +%s)"

stage1() {
  [ "${FAIL_JOB:-}" != "$1" ] || return 1
  sleep "0.$((RANDOM % 5))" # the jobs finish stage 1 at different times
  echo "part $1" >"$work/stage1.$1"
}

stage2() {
  # The first meeting guarantees that every job's stage 1 is done.
  [ "$(ls "$work"/stage1.* | wc -l)" -eq "$jobs" ] || return 1
  echo "checked part $1" >"$work/stage2.$1"
}

meet() {
  # --id: a job counts once even if its arrival is retried; --ttl: the keys go an hour after use.
  rbarrier --ttl 1h wait "$barrier" --parties "$jobs" --timeout 10m --id "job-$1"
}

job() {
  local status=0
  { stage1 "$1" && meet "$1" && stage2 "$1" && meet "$1"; } || status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 4 ]; then
    # Breaks the barrier for the jobs still waiting (a job that was aborted need not).
    rbarrier abort "$barrier" --reason "job $1 failed"
  fi
  return "$status"
}

pids=()
for n in $(seq 1 "$jobs"); do
  job "$n" &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=$((failed + 1))
done
if [ "$failed" -gt 0 ]; then
  echo "batch: $failed of $jobs jobs did not finish" >&2
  exit 1
fi
# The second meeting guarantees that every job's stage 2 is done.
cat "$work"/stage2.* >"$work/merged"
echo "batch: merged $(wc -l <"$work/merged") parts into $work/merged"
