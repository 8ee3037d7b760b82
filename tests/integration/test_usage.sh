# SPDX-License-Identifier: Apache-2.0
# Usage errors exit 64 with a message that names the option and the value; --help and --version.
source "$(dirname "$0")/lib.sh"
URL=unix://$TMP/unused.sock  # none of these may reach a server

expect 64 wait
expect_stderr 'NAME is required'
expect 64 wait x
expect_stderr 'parties'
expect 64 wait x -n 0
expect_stderr 'invalid value "0" for --parties'
expect 64 wait x -n abc
expect_stderr 'invalid value "abc" for --parties'
expect 64 wait x -n -3
expect 64 wait x -n 99999999999999999999
expect 64 wait x -n 2 -t 5y
expect_stderr 'invalid value "5y" for --timeout'
expect 64 wait x -n 2 -t abc
expect 64 wait x -n 2 --lease 10ms
expect_stderr 'for --lease'
expect 64 wait x -n 2 --on-timeout sometimes
expect 64 wait x -n 2 --id ''
expect 64 --connect-timeout 0 wait x -n 2
expect 64 --ttl 1s wait x -n 2
expect_stderr 'ttl'
expect 64 --ttl never status x
expect 64 -q -v status x
expect 64 wait '' -n 1
expect_stderr 'must not be empty'
expect 64 wait x -n 2 --
expect_stderr 'no command after'
expect 64 wait x -n 2 extra
expect 64 frobnicate x
expect 64 status
expect 64 reset
expect 64 abort
expect 64 status x --no-such-flag
expect 64
for url in 'foo://x' 'redis://' 'redis://host:0' 'redis://host:65536' 'redis://host:12ab' \
  'redis://host/db' 'redis://[::1' 'unix://relative.sock' 'unix:///x.sock?db=z' \
  'unix:///x.sock?colour=red' 'localhost:6379' 'redis://h%zz@host'; do
  URL=$url expect 64 status x
  expect_stderr 'invalid Redis URL'
done
URL="unix://$TMP/x.sock" expect 64 --tls status x
expect_stderr 'needs a redis://'
URL='rediss://localhost' expect 64 --cert /nonexistent.pem --key /nonexistent.pem status x
expect_stderr 'cannot read --cert "/nonexistent.pem": No such file or directory'
echo 'not a certificate' >"$TMP/bad.pem"
URL='rediss://localhost' expect 64 --cert "$TMP/bad.pem" --key "$TMP/bad.pem" status x
expect_stderr 'cannot load --cert'
URL='rediss://localhost' expect 64 --cert /dev/zero --key "$TMP/bad.pem" status x
expect_stderr 'cannot read --cert "/dev/zero": not a regular file'

begin_case "--help and --version print to stdout and exit 0"
# --help and --version print to stdout and exit 0.
expect 0 --help
check "--help lacks wait" grep -q 'wait' "$TMP/last.out"
expect 0 wait --help
check "wait --help lacks --parties" grep -q -- '--parties' "$TMP/last.out"
expect 0 --version
check "--version: $(cat "$TMP/last.out")" grep -qE '^rbarrier [0-9]+\.[0-9]+\.[0-9]+$' <(head -1 "$TMP/last.out")
expect_file "$TMP/last.out" '^built: (static|dynamic), with TLS \(OpenSSL 3'
expect_file "$TMP/last.out" '^license: Apache-2.0'
check "--version's version is not the project's" grep -qF "rbarrier $(project_version)" "$TMP/last.out"
begin_case "Arguments with newlines and escapes are quoted, escaped and cut"
# Arguments with newlines and escapes are quoted, escaped and cut: the message stays one line.
expect 64 wait x --parties=$'2\n'
expect_stderr 'invalid value "2\\x0a" for --parties'
expect 64 abort x "$(printf 'z%.0s\n' $(seq 1 3000))"
expect_lines "$TMP/last.err" 1
check "a line of $(wc -c <"$TMP/last.err") bytes" [ "$(wc -c <"$TMP/last.err")" -lt 1200 ]
begin_case "completion takes bash or zsh"
expect 64 completion fish
expect_stderr 'invalid value "fish" for SHELL: expected bash or zsh'
expect 64 completion
expect_stderr 'SHELL is required'
expect 0 completion bash
expect_file "$TMP/last.out" '^complete -F _rbarrier rbarrier$'
expect 0 completion zsh
expect_file "$TMP/last.out" '^#compdef rbarrier$'
finish
