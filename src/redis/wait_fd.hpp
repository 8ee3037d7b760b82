// SPDX-License-Identifier: Apache-2.0
// poll(2) on one descriptor until a deadline, woken by the signal pipe.
#pragma once

#include "util/duration.hpp"

namespace rbarrier::redis {

// poll(2) on `fd` for `events` until `deadline`, waking early on the signal pipe `wake_fd`
// (-1: none). True when `fd` is ready, false when the deadline passed; throws Interrupted when a
// signal arrived and ConnectionError when poll itself fails.
bool wait_fd(int fd, short events, int wake_fd, Deadline deadline);

} // namespace rbarrier::redis
