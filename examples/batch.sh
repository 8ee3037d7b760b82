#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Eight background jobs meet twice at one barrier: every job finishes stage 1 before any starts
# stage 2, and every job finishes stage 2 before any merges. Each stage runs under `rbarrier run`:
# a job whose stage fails aborts the barrier, so that the others stop at once (exit 4, their
# stage ended) instead of waiting for it until the timeout.
#
#   RBARRIER_URL=redis://redis.internal:6379/0 examples/batch.sh [WORK_DIR]
#
# Each stage here only writes a file and checks the other jobs' files of the stage before; put
# the real work in stage. FAIL_JOB=N makes job N fail in stage 1 (to try the abort).
set -euo pipefail

jobs=8

# stage S N: job N's work in stage S (run by rbarrier run, as "batch.sh --stage S N").
stage() {
  case $1 in
    1)
      [ "${FAIL_JOB:-}" != "$2" ] || return 1
      sleep "0.$((RANDOM % 5))" # the jobs finish stage 1 at different times
      echo "part $2" >"$work/stage1.$2" ;;
    2)
      # The first meeting guarantees that every job's stage 1 is done.
      [ "$(ls "$work"/stage1.* | wc -l)" -eq "$jobs" ] || return 1
      echo "checked part $2" >"$work/stage2.$2" ;;
  esac
}

if [ "${1:-}" = --stage ]; then
  work=$BATCH_WORK
  stage "$2" "$3"
  exit
fi

work=${1:-$(mktemp -d)}
mkdir -p "$work"
export BATCH_WORK=$work
# One barrier per run: a later run, or a second run at the same time, meets elsewhere.
barrier="batch:$HOSTNAME:$$:$(date +%s)"

# run S N: job N does stage S, then meets the others. --id: a job counts once even if its
# arrival is retried; --ttl: the keys go an hour after use.
run() {
  rbarrier --ttl 1h run "$barrier" --parties "$jobs" --timeout 10m --id "job-$2" \
    -- "$0" --stage "$1" "$2"
}

pids=()
for n in $(seq 1 "$jobs"); do
  { run 1 "$n" && run 2 "$n"; } &
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
