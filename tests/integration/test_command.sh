# wait -- CMD: CMD runs after a release with the barrier in its environment, and its status is
# rbarrier's; on any other outcome it does not run.
source "$(dirname "$0")/lib.sh"
start_redis redis

expect 0 wait c -n 1 --id me -- sh -c 'echo "$RBARRIER_NAME/$RBARRIER_GENERATION/$RBARRIER_PARTIES/$RBARRIER_ID"'
[ "$(cat "$TMP/last.out")" = "c/1/1/me" ] && pass || fail "CMD saw: $(cat "$TMP/last.out")"
expect 7 wait c -n 1 -- sh -c 'exit 7'
expect 127 wait c -n 1 -- /nonexistent/program
expect_stderr 'cannot run'
expect 126 wait c -n 1 -- "$TMP"
# options of CMD are CMD's, not rbarrier's
expect 0 wait c -n 1 -- echo -n --parties
[ "$(cat "$TMP/last.out")" = "--parties" ] && pass || fail "CMD args: $(cat "$TMP/last.out")"

# Both parties of a two-party barrier run their command.
spawn first wait two -n 2 -t 30s -- touch "$TMP/first-ran"
wait_arrived two 1
expect 0 wait two -n 2 -t 30s -- touch "$TMP/second-ran"
expect_exit first 0
[ -f "$TMP/first-ran" ] && [ -f "$TMP/second-ran" ] && pass || fail "a command did not run"

# Not on a timeout, an abort, or a broken barrier.
expect 124 wait never -n 2 -t 200ms -- touch "$TMP/ran-on-timeout"
expect 0 abort broken
expect 4 wait broken -n 2 -- touch "$TMP/ran-on-abort"
[ -e "$TMP/ran-on-timeout" ] || [ -e "$TMP/ran-on-abort" ] && fail "a command ran without a release" || pass

# --termination-log: the failure's line goes to the file too; nothing is written on success.
expect 124 --termination-log "$TMP/termination" wait never -n 2 -t 100ms
grep -qx 'rbarrier: timed out after 100ms waiting at barrier "never" (1/2 arrived)' "$TMP/termination" &&
  pass || fail "termination log: $(cat "$TMP/termination" 2>&1)"
expect 0 --termination-log "$TMP/termination-ok" wait fine -n 1
[ -e "$TMP/termination-ok" ] && fail "written on success" || pass
expect 4 --termination-log "$TMP/termination" wait broken -n 2
grep -q 'is broken' "$TMP/termination" && ! grep -q 'timed out' "$TMP/termination" && pass ||
  fail "termination log not replaced: $(cat "$TMP/termination")"
# A termination log that cannot be written is a warning before the closing line; -q drops it.
expect 4 --termination-log "$TMP/no/such/dir" wait broken -n 2
[ "$(wc -l <"$TMP/last.err")" = 2 ] && head -1 "$TMP/last.err" | grep -q 'cannot write the termination log' &&
  tail -1 "$TMP/last.err" | grep -q 'is broken' && pass || fail "unwritable log: $(cat "$TMP/last.err")"
expect 4 -q --termination-log "$TMP/no/such/dir" wait broken -n 2
[ "$(wc -l <"$TMP/last.err")" = 1 ] && grep -q 'is broken' "$TMP/last.err" && pass ||
  fail "unwritable log, -q: $(cat "$TMP/last.err")"
finish
