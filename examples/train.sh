#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A training-style launch: four workers, each on its own node in real life, meet before they
# start. Each gives its id (--id, one of --members) and the address it would listen on (--data);
# the release hands every worker its rank (its id's place among the ids, sorted) and everyone's
# data, so that all agree on rank 0's address as the coordinator's, with no launcher to ask.
#
#   RBARRIER_URL=redis://redis.internal:6379/0 examples/train.sh
#
# Needs jq. Each worker prints its rank and the coordinator's address; put the real training
# command there (torchrun's --node-rank, --master-addr and --master-port).
set -euo pipefail

workers=4
run="train:$HOSTNAME:$$:$(date +%s)" # one meeting per launch
members=$(seq -f 'node-%g' 0 $((workers - 1)) | paste -sd,)

worker() {
  local id=node-$1 address=127.0.0.$((10 + $1)):29500 out
  out=$(rbarrier wait "$run" --members "$members" --id "$id" --data "$address" --json --timeout 2m)
  local rank coordinator
  rank=$(jq -r .rank <<<"$out")
  coordinator=$(jq -r '.members[0].data' <<<"$out")
  echo "$id: rank $rank of $(jq -r .parties <<<"$out"), coordinator at $coordinator"
}

pids=()
for n in $(seq 0 $((workers - 1)) | shuf); do # they come in any order
  worker "$n" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
