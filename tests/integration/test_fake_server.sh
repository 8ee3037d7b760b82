# SPDX-License-Identifier: Apache-2.0
# A server that speaks broken RESP: each case a clear error and the right exit code, no crash
# and no hang (this suite also runs under ASan and UBSan).
source "$(dirname "$0")/lib.sh"

check() { # check MODE CODE PATTERN
  start_fake "$1" "$1"
  for command in "status x" "wait x -n 2 -t 2s" "reset x" "abort x"; do
    URL=unix://$TMP/$1.sock expect "$2" --connect-timeout 1s $command
    expect_stderr "$3"
    check_not "$1: $(cat "$TMP/last.err")" grep -qiE 'sanitizer|runtime error' "$TMP/last.err"
  done
}

check garbage 1 'malformed reply'
check huge-bulk 1 'reply too large: a string of 99999999999 bytes'
check huge-array 1 'reply too large: an array of 99999999 elements'
check wrong-type 1 'unexpected reply .*wanted an array, got \(integer\) 42'
check truncated 69 'lost connection to unix://.*truncated.sock'
check close 69 'lost connection to unix://.*close.sock'
check loading 75 'LOADING'
finish
