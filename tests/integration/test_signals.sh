# SPDX-License-Identifier: Apache-2.0
# SIGTERM and SIGINT withdraw the arrival and exit 143 and 130, however many of them come.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
start_redis redis

spawn other wait sig -n 3 -t 30s
spawn term wait sig -n 3 -t 30s
wait_arrived sig 2
kill -TERM "${PID[term]}"
expect_exit term 143
check "term stderr: $(cat "$TMP/term.err")" grep -q 'terminated while waiting at barrier "sig"' "$TMP/term.err"
wait_arrived sig 1

spawn int wait sig -n 3 -t 30s
wait_arrived sig 2
kill -INT "${PID[int]}"
expect_exit int 130
wait_arrived sig 1
check "withdrawn arrivals left keys behind" [ "$(arrival_keys sig)" = 1 ]

begin_case "the barrier still works"
# the barrier still works: two more parties complete it
spawn late1 wait sig -n 3 -t 30s
release sig 3 other late1

# lone NAME: the party's arrival is gone; a lone party at NAME -n 2 times out, never released.
lone() {
  wait_arrived "$1" 0
  expect 124 wait "$1" -n 2 -t 1s
}

begin_case "A burst of signals (a double Ctrl-C, a CI runner, Kubernetes) cannot cut the..."
# A burst of signals (a double Ctrl-C, a CI runner, Kubernetes) cannot cut the withdrawal short.
# (One kind of signal a burst: of pending signals, Linux delivers SIGINT before SIGTERM.)
for burst in TERM:143 INT:130 TERM:143; do
  signal=${burst%:*}
  spawn burst wait "burst-$signal" -n 2 -t 30s
  wait_arrived "burst-$signal" 1
  kill -"$signal" "${PID[burst]}"
  kill -"$signal" "${PID[burst]}"
  kill -"$signal" "${PID[burst]}"
  expect_exit burst "${burst#*:}"
  lone "burst-$signal"
done

begin_case "timeout(1) signals rbarrier, then its whole process group"
# timeout(1) signals rbarrier, then its whole process group: twice.
timeout 1 "$RBARRIER" -u "$URL" wait bytimeout -n 2 2>"$TMP/timeout.err"
got=$?
check "timeout(1): $(cat "$TMP/timeout.err")" [ $got -eq 124 ]
check "timeout(1) stderr: $(cat "$TMP/timeout.err")" grep -q 'terminated while waiting at barrier "bytimeout"' "$TMP/timeout.err"
lone bytimeout

begin_case "A signal while the withdrawal itself reconnects"
# A signal while the withdrawal itself reconnects: it carries on, and withdraws once it can.
start_proxy proxy redis
URL=unix://$TMP/proxy.sock spawn recon wait recon -n 2 -t 30s
wait_arrived recon 1
# The signal drops the waiter's connections: its withdrawal must connect again, and is refused
# until the signals after the first have come.
before=$(proxy proxy count)
proxy proxy refuse on >/dev/null
kill -TERM "${PID[recon]}"
connected_again() { [ "$(proxy proxy count)" -gt "$before" ]; }
check "recon did not reconnect" eventually connected_again
kill -TERM "${PID[recon]}"
kill -INT "${PID[recon]}"
proxy proxy refuse off >/dev/null
expect_exit recon 143
lone recon

begin_case "A signal while the server cannot be reached yet still ends the party promptly"
# A signal while the server cannot be reached yet still ends the party promptly.
URL=unix://$TMP/nobody.sock spawn early wait sig2 -n 2 --connect-timeout 30s
sleep 0.3
kill -TERM "${PID[early]}"
expect_exit early 143

begin_case "Every subcommand, signalled while it connects, exits 143 or 130 saying what it stopped"
# The proxy refuses every connection: each party is signalled once it tried to connect.
proxy proxy refuse on >/dev/null
for args in "wait sig3 -n 2" "arrive sig3 -n 2" "await sig3" "run sig3 -n 2 -- true" \
  "reset sig3" "abort sig3" "status sig3" "status --watch sig3"; do
  for signal in TERM INT; do
    before=$(proxy proxy count)
    URL=unix://$TMP/proxy.sock spawn connecting --connect-timeout 30s $args
    check "$args never tried to connect" eventually connected_again
    kill -$signal "${PID[connecting]}"
    expect_exit connecting $([ $signal = TERM ] && echo 143 || echo 130)
    word=$([ $signal = TERM ] && echo terminated || echo interrupted)
    check "$args, SIG$signal: $(cat "$TMP/connecting.err")" \
      grep -qE "^rbarrier: $word (while|during) .*barrier \"sig3\"" "$TMP/connecting.err"
  done
done
proxy proxy refuse off >/dev/null

begin_case "a signal while a TCP connection is being made: its status, nothing leaked"
# A listener whose accept queue is full: the party's SYN goes unanswered, and its connect waits.
# The address list of getaddrinfo was not freed when a signal ended that wait (the ASan build's
# leak check made it exit 134).
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
c = socket.socket(); c.connect(s.getsockname())
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
time.sleep(120)' "$TMP/blackhole.port" &
REDIS_PIDS+=($!) # stopped with the servers
check "no listener" eventually test -s "$TMP/blackhole.port"
port=$(cat "$TMP/blackhole.port")
syn_sent() { # a connection to the listener waits for its SYN's answer (/proc/net/tcp: state 02)
  grep -qi " 0100007F:$(printf %04X "$port") 02 " /proc/net/tcp
}
URL=redis://127.0.0.1:$port spawn syn --connect-timeout 60s wait tcp -n 2
check "the party never waited to connect" eventually syn_sent
kill -TERM "${PID[syn]}"
expect_exit syn 143
check "syn: $(tail -3 "$TMP/syn.err")" grep -q '^rbarrier: terminated while' "$TMP/syn.err"
begin_case "signalled before its arrival's reply came, which released the generation: it says how many"
# What the withdrawal of such a party finds: the arrival record says released. Its reply must
# say how many were released, for the party's report (it never read the arrival's own).
spawn a wait lost-reply -n 2 --id a -t 30s
wait_arrived lost-reply 1
keys=()
for suffix in "" :members :outcomes :events :progress :data :working :arrival:n1; do
  keys+=("rbarrier:{lost-reply}$suffix")
done
lua() { cat "$RBARRIER_SOURCE/src/lua/common.lua" "$RBARRIER_SOURCE/src/lua/$1.lua"; }
rcli EVAL "$(lua arrive)" 8 "${keys[@]}" 86400000 b 2 30000 0 token "" "" 0 "" "" 2 0 id 0 >"$TMP/arrive.out"
check "b's arrival released it: $(cat "$TMP/arrive.out")" [ "$(head -1 "$TMP/arrive.out")" = released ]
expect_exit a 0
rcli EVAL "$(lua leave)" 8 "${keys[@]}" 86400000 b "" "" 30000 >"$TMP/leave.out"
check "the withdrawal says released, generation 1, 2 parties: $(cat "$TMP/leave.out")" \
  [ "$(paste -sd' ' "$TMP/leave.out")" = "decided released 1 2" ]

finish
