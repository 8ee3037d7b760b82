# SPDX-License-Identifier: Apache-2.0
# The soak (soak.py): RBARRIER_SOAK_GENERATIONS generations (default 2000; more for a longer run).
source "$(dirname "$0")/lib.sh"
start_redis redis
check "the soak found errors" \
  python3 "$(dirname "$0")/soak.py" "$RBARRIER" "$TMP/redis.sock" "${RBARRIER_SOAK_GENERATIONS:-2000}" "$TMP"
finish
