# SIGTERM and SIGINT withdraw the arrival and exit 143 and 130.
source "$(dirname "$0")/lib.sh"
start_redis redis

spawn other wait sig -n 3 -t 30s
spawn term wait sig -n 3 -t 30s
wait_arrived sig 2
kill -TERM "${PID[term]}"
expect_exit term 143
grep -q 'terminated while waiting at barrier "sig"' "$TMP/term.err" && pass ||
  fail "term stderr: $(cat "$TMP/term.err")"
wait_arrived sig 1

spawn int wait sig -n 3 -t 30s
wait_arrived sig 2
kill -INT "${PID[int]}"
expect_exit int 130
wait_arrived sig 1
[ "$(arrival_keys sig)" = 1 ] && pass || fail "withdrawn arrivals left keys behind"

# the barrier still works: two more parties complete it
spawn late1 wait sig -n 3 -t 30s
release sig 3 other late1

# A signal while the server cannot be reached yet still ends the party promptly.
URL=unix://$TMP/nobody.sock spawn early wait sig2 -n 2 --connect-timeout 30s
sleep 0.3
kill -TERM "${PID[early]}"
expect_exit early 143
finish
