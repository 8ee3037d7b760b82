#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The hand-rolled barrier people write with redis-cli: INCR; the last arrival pushes one token per
# party; everyone BLPOPs one. Usage: peer.sh HOST PORT NAME N
host=$1 port=$2 name=$3 n=$4
count=$(redis-cli -h "$host" -p "$port" INCR "$name:count") || exit 1
if [ "$count" -eq "$n" ]; then
  redis-cli -h "$host" -p "$port" RPUSH "$name:tokens" $(seq "$n") >/dev/null || exit 1
fi
redis-cli -h "$host" -p "$port" BLPOP "$name:tokens" 0 >/dev/null
