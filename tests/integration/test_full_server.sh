# SPDX-License-Identifier: Apache-2.0
# A server at its maxclients: parties retry within their deadline and get in as others leave;
# while it stays full they exit 75, naming the limit. With a password, a full server's answer
# to AUTH is not taken for a refused login.
source "$(dirname "$0")/lib.sh"

for auth in "" secret; do
  REDIS=full$auth
  start_redis "$REDIS" --maxclients 2 ${auth:+--requirepass "$auth"}
  URL=unix://$TMP/$REDIS.sock
  export RBARRIER_PASSWORD=$auth REDISCLI_AUTH=$auth
  # Two clients that stay connected fill the server.
  holders=()
  for i in 1 2; do
    redis-cli -s "$TMP/$REDIS.sock" --no-auth-warning BLPOP "never$i" 0 >/dev/null 2>&1 &
    holders+=($!)
    REDIS_PIDS+=($!)
  done
  full() { # a full server sends its refusal at once, unasked
    python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
sys.exit(b"max number of clients" not in s.recv(100))' "$TMP/$REDIS.sock"
  }
  check "the server never filled" eventually full

  expect 75 -q wait q -n 1 -t 1s
  expect_stderr 'max number of clients reached \(the server.s maxclients; every party, waiting or not, holds one connection'
  check "75 printed: $(cat "$TMP/last.err")" [ "$(wc -l <"$TMP/last.err")" = 1 ]
  expect 75 status q --connect-timeout 500ms
  expect_stderr 'maxclients'

  # A party that finds the server full keeps trying, and is released once a holder leaves.
  spawn getsin -v wait q -n 1 -t 30s
  wait_log getsin 'max number of clients'
  expect_running getsin
  kill "${holders[0]}"
  expect_exit getsin 0
  kill "${holders[1]}"
  unset URL
done
finish
