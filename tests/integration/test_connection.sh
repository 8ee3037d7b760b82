# SPDX-License-Identifier: Apache-2.0
# Reaching the server: unreachable (69), credentials from a file or the environment, refused
# credentials (77), ACL users, and the password never shown.
# Runs on every server of the matrix (scripts/test: RBARRIER_SERVERS).
source "$(dirname "$0")/lib.sh"
SECRET='s3cr3t-Pa55:w@rd'
start_redis redis --requirepass "$SECRET"
printf '%s\n' "$SECRET" >"$TMP/password"
ALL_OUTPUT="$TMP/all-output"
keep() { cat "$TMP/last.out" "$TMP/last.err" >>"$ALL_OUTPUT"; }

begin_case "Unreachable"
# Unreachable: exit 69 within the connect timeout.
start=$(date +%s%N)
URL=redis://127.0.0.1:1 expect 69 --connect-timeout 1s wait x -n 2
elapsed=$((($(date +%s%N) - start) / 1000000))
check "took ${elapsed}ms to give up" [ "$elapsed" -lt 3000 ]
expect_stderr 'barrier "x": cannot connect to redis://127.0.0.1:1'
URL=unix://$TMP/missing.sock expect 69 --connect-timeout 200ms status x
# --json: one object also for an error, with its status and message, for every subcommand that
# has --json
for args in "wait x -n 2 --json" "arrive x -n 2 --json" "await x --json" \
  "run x -n 2 --json -- true" "status x --json"; do
  URL=unix://$TMP/missing.sock expect 69 --connect-timeout 200ms $args
  check "$args --json on 69: $(cat "$TMP/last.out")" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcome"] == "error" and d["status"] == 69 and d["name"] == "x", d
assert "cannot connect to unix://" in d["message"], d' "$TMP/last.out"
done
URL=redis://no-such-host.invalid expect 69 --connect-timeout 200ms status x
expect_stderr 'cannot resolve'

begin_case "No password"
# No password: the server refuses (77), and the message says how to give one; from every
# subcommand, whatever its first command.
for args in "wait x -n 1" "arrive x -n 1" "await x -t 1s" "run x -n 1 -- true" "reset x" \
  "abort x" "status x"; do
  expect 77 $args
  expect_stderr 'the server needs a password: give it with --password-file FILE, RBARRIER_PASSWORD or the URL'
  expect_stderr 'NOAUTH|unauthenticated'; keep
done
begin_case "A wrong password"
# A wrong password: 77, and the wrong password is not shown either.
RBARRIER_PASSWORD=wrong-guess expect 77 wait x -n 1; keep
expect_stderr 'WRONGPASS|ERR invalid password' # Redis 5 has no WRONGPASS
check_not "the wrong password was printed" grep -q wrong-guess "$TMP/last.err"

begin_case "The password from a file, from RBARRIER_PASSWORD, from REDISCLI_AUTH, and from the URL"
# The password from a file, from RBARRIER_PASSWORD, from REDISCLI_AUTH, and from the URL.
expect 0 --password-file "$TMP/password" -v wait f -n 1; keep
RBARRIER_PASSWORD=$SECRET expect 0 -v wait e -n 1; keep
REDISCLI_AUTH=$SECRET expect 0 -v wait c -n 1; keep
# a flag wins over the variable
RBARRIER_PASSWORD=wrong-guess expect 0 --password-file "$TMP/password" wait f2 -n 1; keep
expect 64 --password-file "$TMP/nonexistent" wait f3 -n 1; keep
expect_stderr 'cannot read --password-file'
begin_case "Bounded"
# Bounded: /dev/zero and a larger file are refused at once, a FIFO without a writer at the
# connect timeout; a pipe with the password works.
start=$(date +%s%N)
expect 64 --password-file /dev/zero wait f3 -n 1
expect_stderr 'larger than 4096 bytes'
head -c 5000 /dev/urandom | base64 >"$TMP/big"
expect 64 --password-file "$TMP/big" wait f3 -n 1
expect_stderr 'larger than 4096 bytes'
mkfifo "$TMP/fifo"
expect 64 --connect-timeout 300ms --password-file "$TMP/fifo" wait f3 -n 1
expect_stderr 'did not end in time'
check "the bounded reads took $(elapsed_ms "$start") ms" [ "$(elapsed_ms "$start")" -lt 5000 ]
expect 0 --password-file <(echo "$SECRET") wait f4 -n 1; keep
URL=redis://127.0.0.1:1 expect 64 --tls --cacert "$TMP/fifo" wait f3 -n 1
expect_stderr 'not a regular file'
begin_case "No warning for an empty password in the URL"
# No warning for an empty password in the URL: there is no secret to see.
URL="unix://$TMP/redis.sock?password=" expect 77 wait f5 -n 1
check_not "warned: $(cat "$TMP/last.err")" grep -q 'can be seen' "$TMP/last.err"
encoded=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$SECRET")
url_with_password="unix://$TMP/redis.sock?password=$encoded"
URL=$url_with_password expect 0 -v wait u -n 1
keep
expect_stderr 'password in --url'
begin_case "the same URL from the environment is not on the command line"
# the same URL from the environment is not on the command line: no warning
RBARRIER_URL=$url_with_password "$RBARRIER" wait u2 -n 1 >"$TMP/last.out" 2>"$TMP/last.err"
got=$?
check "RBARRIER_URL: $(cat "$TMP/last.err")" [ $got -eq 0 ]
check_not "warned about RBARRIER_URL: $(cat "$TMP/last.err")" [ -s "$TMP/last.err" ]
begin_case "a bad URL is shown without its password"
# a bad URL is shown without its password
"$RBARRIER" -u "redis://user:$encoded@host:99999" wait x -n 1 >"$TMP/last.out" 2>"$TMP/last.err"
check "bad port accepted" [ $? = 64 ]
keep
expect_stderr 'invalid port'
begin_case "the password's raw \"@\" makes the URL ambiguous"
# the password's raw "@" makes the URL ambiguous: refused, and not echoed at all
"$RBARRIER" -u "redis://user:$SECRET@host:99999" wait x -n 1 >"$TMP/last.out" 2>"$TMP/last.err"
check "raw @ accepted" [ $? = 64 ]
keep
expect_stderr 'more than one "@" before the host \(write an "@" in a user name or password as %40\)'
check_not "the URL was echoed: $(cat "$TMP/last.err")" grep -q 'host:99999' "$TMP/last.err"
RBARRIER_PASSWORD=$SECRET expect 0 status f; keep
RBARRIER_PASSWORD=$SECRET expect 0 status --json f; keep
RBARRIER_PASSWORD=$SECRET expect 6 status nothing; keep
check_not "the password was printed: $(grep -F "$SECRET" "$ALL_OUTPUT")" grep -qF "$SECRET" "$ALL_OUTPUT"
check_not "the encoded password was printed" grep -qF "$encoded" "$ALL_OUTPUT"

if ! has_acl; then
  begin_case "a server without ACL users says so to a party that names one"
  RBARRIER_PASSWORD=$SECRET expect 77 --user barrier wait acl -n 1
  expect_stderr 'it has no ACL users \(Redis before 6\): give no --user'
  finish
fi
begin_case "An ACL user (--user or RBARRIER_USER) with the password from the environment"
# An ACL user (--user or RBARRIER_USER) with the password from the environment.
# The rule the README documents as the least a barrier user needs.
rule=$(sed -n 's/^ *ACL SETUSER barrier on >PASSWORD \(.*\)$/\1/p' "$RBARRIER_SOURCE/README.md")
check "README.md has no ACL rule" [ -n "$rule" ]
rcli -a "$SECRET" --no-auth-warning ACL SETUSER barrier on '>userpass' $rule >/dev/null
RBARRIER_PASSWORD=userpass expect 0 --user barrier wait acl -n 1
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass expect 0 wait acl -n 1
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass expect 0 abort acl
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass expect 0 status acl
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass expect 0 reset acl
# -v: it reads the stream of arrivals too
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass spawn acl1 -v wait acl2 -n 2 -t 30s
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass expect 0 wait acl2 -n 2 -t 30s
expect_exit acl1 0
# run: entering, renewing, failing (quit), status's working parties, a successful run
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass spawn acl3 run acl3 -n 2 --lease 300ms -- \
  sh -c 'while [ ! -e "$0" ]; do sleep 0.02; done' "$TMP/acl3.go"
acl_working() {
  RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass "$RBARRIER" -u "$URL" status acl3 2>/dev/null |
    grep -q '^  working:    1$'
}
check "the run party works" eventually acl_working
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass expect 3 run acl3 -n 2 -- sh -c 'exit 3'
expect_exit acl3 4
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass expect 0 reset acl3
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass spawn acl4 run acl3 -n 2 -- true
RBARRIER_USER=barrier RBARRIER_PASSWORD=userpass expect 0 run acl3 -n 2 -- true
expect_exit acl4 0
RBARRIER_USER=barrier RBARRIER_PASSWORD=wrong expect 77 wait acl -n 1
begin_case "a user without the rule on these keys is refused on its first command"
# a user without the rule on these keys is refused on its first command
rcli -a "$SECRET" --no-auth-warning ACL SETUSER narrow on '>userpass' '~other:*' +evalsha +eval >/dev/null
RBARRIER_PASSWORD=userpass expect 77 --user narrow wait acl -n 1
expect_stderr 'NOPERM|No permissions'
finish
