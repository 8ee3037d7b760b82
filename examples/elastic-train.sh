#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# An elastic training launch, as torchrun's --nnodes=2:4: between two and four workers, as many as
# turned up. The generation is released at once when four are there, or two seconds (the last
# call) after the second arrived; the release fixes how many it has (RBARRIER_PARTIES, "parties"
# in --json), and ranks them with node2 before node10 (--rank-by natural). A worker that comes
# after the release waits for the next round, and says so. Nobody waits more than two minutes
# for a round: --deadline ends it for all of them together (exit 124, naming who never came).
#
#   RBARRIER_URL=redis://redis.internal:6379/0 WORKERS=3 FIRST=9 examples/elastic-train.sh
#
# (workers node9, node10 and node11). Needs jq. Each worker prints the torchrun command it would
# run.
set -euo pipefail

workers=${WORKERS:-3}
first=${FIRST:-1}
run="elastic-train:$HOSTNAME:$$:$(date +%s)" # one meeting per launch

worker() {
  local id=node$1 address=127.0.0.$((10 + $1)):29500 out
  out=$(rbarrier wait "$run" -n 2:4 --last-call 2s --rank-by natural --deadline 2m \
    --id "$id" --data "$address" --json)
  local rank nodes coordinator
  rank=$(jq -r .rank <<<"$out")
  nodes=$(jq -r .parties <<<"$out")
  coordinator=$(jq -r '.members[0].data' <<<"$out")
  echo "$id: torchrun --nnodes=$nodes --node-rank=$rank --master-addr=${coordinator%:*}" \
    "--master-port=${coordinator##*:} train.py"
}

pids=()
for n in $(seq "$first" $((first + workers - 1)) | shuf); do # they come in any order
  worker "$n" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
