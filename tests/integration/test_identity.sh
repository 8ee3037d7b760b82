# SPDX-License-Identifier: Apache-2.0
# Members are ids: the same --id arriving twice counts once.
source "$(dirname "$0")/lib.sh"
start_redis redis

spawn x1 wait same -n 2 --id pod-0 -t 30s
wait_arrived same 1
spawn x2 -v wait same -n 2 --id pod-0 -t 30s
begin_case "the second arrival of pod-0 renews the first one's membership"
# the second arrival of pod-0 renews the first one's membership; it does not complete the barrier
wait_log x2 'arrived at barrier "same": 1/2'
check "pod-0 counted $(arrived same) times" [ "$(arrived same)" = 1 ]
expect_running x1
expect_running x2
check "status does not list pod-0" grep -q '"pod-0"' <(rb status same)
spawn y wait same -n 2 --id pod-1 -t 30s
expect_exit x1 0
expect_exit x2 0
expect_exit y 0
finish
