# SPDX-License-Identifier: Apache-2.0
# Generated hostile command lines (hostile.py): a password in every position, swallowed option
# values, control characters, /dev/zero and FIFOs as files. Seeded: RBARRIER_HOSTILE_SEED and
# RBARRIER_HOSTILE_CASES choose another or a longer run.
source "$(dirname "$0")/lib.sh"
start_redis redis --requirepass rightpw
check "hostile cases" python3 "$(dirname "$0")/hostile.py" "$RBARRIER" "$TMP/redis.sock" "$TMP" \
  "${RBARRIER_HOSTILE_SEED:-17}" "${RBARRIER_HOSTILE_CASES:-300}"
finish
