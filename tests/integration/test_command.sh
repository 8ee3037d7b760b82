# SPDX-License-Identifier: Apache-2.0
# wait -- CMD: CMD runs after a release with the barrier in its environment, and its status is
# rbarrier's; on any other outcome it does not run.
source "$(dirname "$0")/lib.sh"
start_redis redis

expect 0 wait c -n 1 --id me -- sh -c 'echo "$RBARRIER_NAME/$RBARRIER_GENERATION/$RBARRIER_PARTIES/$RBARRIER_ID"'
check "CMD saw: $(cat "$TMP/last.out")" [ "$(cat "$TMP/last.out")" = "c/1/1/me" ]
expect 7 wait c -n 1 -- sh -c 'exit 7'
expect 127 wait c -n 1 -- /nonexistent/program
expect_stderr 'cannot run'
expect 126 wait c -n 1 -- "$TMP"
begin_case "options of CMD are CMD's, not rbarrier's"
# options of CMD are CMD's, not rbarrier's
expect 0 wait c -n 1 -- echo -n --parties
check "CMD args: $(cat "$TMP/last.out")" [ "$(cat "$TMP/last.out")" = "--parties" ]

begin_case "Both parties of a two-party barrier run their command"
# Both parties of a two-party barrier run their command.
spawn first wait two -n 2 -t 30s -- touch "$TMP/first-ran"
wait_arrived two 1
expect 0 wait two -n 2 -t 30s -- touch "$TMP/second-ran"
expect_exit first 0
check "the first command did not run" [ -f "$TMP/first-ran" ]
check "the second command did not run" [ -f "$TMP/second-ran" ]

begin_case "Not on a timeout, an abort, or a broken barrier"
# Not on a timeout, an abort, or a broken barrier.
expect 124 wait never -n 2 -t 200ms -- touch "$TMP/ran-on-timeout"
expect 0 abort broken
expect 4 wait broken -n 2 -- touch "$TMP/ran-on-abort"
check_not "a command ran after a timeout" [ -e "$TMP/ran-on-timeout" ]
check_not "a command ran after an abort" [ -e "$TMP/ran-on-abort" ]

begin_case "--termination-log"
# --termination-log: the failure's line goes to the file too; nothing is written on success.
expect 124 --termination-log "$TMP/termination" wait never -n 2 -t 100ms
expect_file "$TMP/termination" '^rbarrier: timed out after 100ms waiting at barrier "never" \(1/2 arrived\)$'
expect 0 --termination-log "$TMP/termination-ok" wait fine -n 1
check_not "written on success" [ -e "$TMP/termination-ok" ]
expect 4 --termination-log "$TMP/termination" wait broken -n 2
expect_file "$TMP/termination" 'is broken'
check_not "termination log not replaced: $(cat "$TMP/termination")" grep -q 'timed out' "$TMP/termination"
begin_case "A termination log that cannot be written is a warning before the closing line"
# A termination log that cannot be written is a warning before the closing line; -q drops it.
expect 4 --termination-log "$TMP/no/such/dir" wait broken -n 2
expect_lines "$TMP/last.err" 2
check "unwritable log: $(cat "$TMP/last.err")" grep -q 'cannot write the termination log' <(head -1 "$TMP/last.err")
check "unwritable log: $(cat "$TMP/last.err")" grep -q 'is broken' <(tail -1 "$TMP/last.err")
expect 4 -q --termination-log "$TMP/no/such/dir" wait broken -n 2
expect_lines "$TMP/last.err" 1
expect_stderr 'is broken'
finish
