# SPDX-License-Identifier: Apache-2.0
# What wait shows while it waits: on a terminal (a tmux window) one live line, redrawn on
# arrivals, departures and every second, and erased at the end; nothing with -q; one line per
# change with -v; and off a terminal nothing at all on success. And status --watch on a terminal.
source "$(dirname "$0")/lib.sh"
start_redis redis

tm() { TERM=xterm tmux -u -S "$TMP/tmux.sock" "$@"; }
AT_EXIT+=("tm kill-server 2>/dev/null")

# term NAME COMMAND [WIDTH]: runs the bash COMMAND in a terminal of its own (WIDTH, default 100,
# by 10), then prints exit=STATUS; what it writes, escape sequences and all, is copied to
# $TMP/NAME.raw.
term() {
  local name=$1 command=$2 width=${3:-100} script
  script=$(printf 'tmux -S %q wait-for go-%s; %s; echo exit=$?; sleep 600' "$TMP/tmux.sock" "$name" "$command")
  tm new-session -d -s "$name" -x "$width" -y 10 "bash -c $(printf %q "$script")"
  tm pipe-pane -t "$name" -o "cat >>$(printf %q "$TMP/$name.raw")"
  tm wait-for -S "go-$name"
}

# rbarrier as typed in a terminal.
rbt() {
  printf '%q ' "$RBARRIER" -u "$URL" "$@"
}

screen() { tm capture-pane -p -t "$1"; }

# wait_screen NAME PATTERN: waits (at most 10 s) until the window shows a line matching PATTERN.
on_screen() { screen "$1" | grep -qE -- "$2"; }

wait_screen() {
  eventually on_screen "$1" "$2" && { pass; return 0; }
  fail "$1 never showed /$2/; screen:
$(screen "$1")"
  return 1
}

# no_live NAME: the raw output of the window never drew a live line (no erase-line sequence).
no_live() {
  if grep -q $'\e\\[K' "$TMP/$1.raw"; then fail "$1 drew a live line: $(cat -v "$TMP/$1.raw")"; else pass; fi
}

begin_case "The live line counts arrivals and departures, and its time goes on"
# The live line counts arrivals and departures, and its time goes on.
term live "$(rbt wait live -n 3 -t 60s -- echo command-ran)"
wait_screen live '^rbarrier: waiting at barrier "live": 1/3 arrived, [1-9]s$'
check "never at 0s: $(cat -v "$TMP/live.raw")" grep -q '"live": 1/3 arrived, 0s' "$TMP/live.raw"
spawn second wait live -n 3 -t 60s
wait_screen live '"live": 2/3 arrived'
kill -INT "${PID[second]}"
expect_exit second 130
wait_screen live '"live": 1/3 arrived'
spawn third wait live -n 3 -t 60s
expect 0 wait live -n 3 -t 60s
expect_exit third 0
begin_case "Erased when released"
# Erased when released: the command's output takes its place.
wait_screen live '^command-ran$'
wait_screen live '^exit=0$'
check_not "live line left behind: $(screen live)" grep -q 'waiting at barrier' <(screen live)
check "more on the screen: $(screen live)" [ "$(screen live | grep -cv '^$')" -eq 2 ]

begin_case "await's live line says what it awaits, and counts arrivals"
expect 0 arrive awaited -n 3
term awaiting "$(rbt await awaited -t 60s)"
wait_screen awaiting '^rbarrier: awaiting barrier "awaited": 1/3 arrived, [0-9]+s$'
expect 0 arrive awaited -n 3
wait_screen awaiting '"awaited": 2/3 arrived'
expect 0 arrive awaited -n 3
wait_screen awaiting '^exit=0$'
check_not "live line left behind: $(screen awaiting)" grep -q 'awaiting barrier' <(screen awaiting)

begin_case "await on several barriers: one live line for all"
expect 0 arrive first -n 2
term gathered "$(rbt await first second -t 60s)"
wait_screen gathered '^rbarrier: awaiting 2 barriers: "first" 1/2 arrived, "second" does not exist yet, [0-9]+s$'
expect 0 arrive first -n 2
wait_screen gathered '"first" released, "second" does not exist yet'
expect 0 arrive second -n 2
wait_screen gathered '"first" released, "second" 1/2 arrived, [0-9]+s$'
expect 0 arrive second -n 2
wait_screen gathered '^exit=0$'
check_not "live line left behind: $(screen gathered)" grep -q 'awaiting 2 barriers' <(screen gathered)

begin_case "In a narrow terminal the line is cut, not wrapped (a wrapped line could not be..."
# In a narrow terminal the line is cut, not wrapped (a wrapped line could not be erased), and
# not inside a character: 39 bytes would end in the middle of the fifth "é".
term narrow "$(rbt wait 'éééééééééé' -n 2 -t 60s)" 40
wait_screen narrow '^rbarrier: waiting at barrier "é'
check "in 40 columns: $(screen narrow)" [ "$(screen narrow | grep -v '^$')" = 'rbarrier: waiting at barrier "éééé' ]
expect 0 wait 'éééééééééé' -n 2
wait_screen narrow '^exit=0$'
check "a character was cut: $(cat -v "$TMP/narrow.raw")" python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$TMP/narrow.raw"

begin_case "A failure's line replaces the live line"
# A failure's line replaces the live line.
term late "$(rbt wait late -n 2 -t 1500ms)"
wait_screen late '^exit=124$'
[ "$(screen late | grep -v '^$')" = 'rbarrier: timed out after 1.5s waiting at barrier "late" (1/2 arrived)
check "screen after a timeout: $(screen late)" exit=124' ]

begin_case "Messages while waiting, such as a lost connection, go above the live line"
# Messages while waiting, such as a lost connection, go above the live line.
start_proxy proxy redis
term lost "$(URL="unix://$TMP/proxy.sock" rbt wait lost -n 2 -t 60s)"
wait_screen lost '"lost": 1/2 arrived'
proxy proxy cut all >/dev/null
wait_screen lost '^rbarrier: reconnected to '
wait_screen lost '"lost": 1/2 arrived'
tm capture-pane -p -J -t lost | grep -v "^$" >"$TMP/lost.screen" # -J: joins wrapped lines
expect_file "$TMP/lost.screen" '^rbarrier: lost connection to .*; retrying$'
expect_lines "$TMP/lost.screen" 3
check "live line and messages: $(cat "$TMP/lost.screen")" \
  grep -q '^rbarrier: waiting at barrier "lost": 1/2 arrived, [0-9]' <(tail -1 "$TMP/lost.screen")
expect 0 wait lost -n 2
wait_screen lost '^exit=0$'

begin_case "-q"
# -q: nothing at all; -v: a line per change and no live line; TERM=dumb: no live line.
term quiet "$(rbt -q wait quiet -n 2 -t 60s)"
term verbose "$(rbt -v wait verbose -n 2 -t 60s)"
term dumb "TERM=dumb $(rbt wait dumb -n 2 -t 60s)"
for name in quiet verbose dumb; do
  wait_arrived "$name" 1
  expect 0 wait "$name" -n 2
  wait_screen "$name" '^exit=0$'
  no_live "$name"
done
check "-q printed: $(screen quiet)" [ "$(screen quiet | grep -v '^$')" = 'exit=0' ]
check "TERM=dumb printed: $(screen dumb)" [ "$(screen dumb | grep -v '^$')" = 'exit=0' ]
screen verbose | grep -q '^rbarrier: arrived at barrier "verbose": 1/2 in generation 1$' &&
  check "-v printed: $(screen verbose)" \
    grep -q '^rbarrier: barrier "verbose" released (generation 1)$' <(screen verbose)

begin_case "Off a terminal"
# Off a terminal: silent on success, and -v writes plain lines.
spawn plain wait plain -n 3 -t 60s
spawn plain_v -v wait plain -n 3 -t 60s
wait_arrived plain 2
expect 0 wait plain -n 3 -t 60s
expect_exit plain 0
expect_exit plain_v 0
check_not "printed off a terminal: $(cat "$TMP/plain.err")" [ -s "$TMP/plain.err" ]
check_not "escape sequences off a terminal" grep -q $'\e' "$TMP/plain_v.err"
check "-v: $(cat "$TMP/plain_v.err")" grep -q ' 2/3 ' "$TMP/plain_v.err"

begin_case "status --watch on a terminal"
# status --watch on a terminal: redrawn in place, every second too; Ctrl-C ends it.
term watch "$(rbt status --watch seen)"
wait_screen watch '^no barrier "seen" \(yet\)$'
spawn seen wait seen -n 2 --id first -t 60s
wait_screen watch '^  arrived: +1 of 2$'
wait_screen watch '^    "first"  lease 2[0-8]'
expect 0 wait seen -n 2 -t 60s
expect_exit seen 0
wait_screen watch '^  last: +released$'
check "not in place: $(screen watch)" [ "$(screen watch | grep -c 'barrier "seen"')" -eq 1 ]
tm send-keys -t watch C-c
wait_screen watch '^(\^C)?exit=130$'
finish
