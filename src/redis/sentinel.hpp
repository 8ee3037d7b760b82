// SPDX-License-Identifier: Apache-2.0
// Where a master is, asked of its Sentinels in turn.
#pragma once

#include "redis/endpoint.hpp"
#include "util/duration.hpp"

namespace rbarrier::redis {

// Asks the Sentinels of `endpoint` in turn where its master is: the first that names it wins.
// The result is `endpoint` with the master's host and port. Throws ConnectionError, listing
// what each Sentinel said, when none names it. A signal on `wake_fd` throws Interrupted.
Endpoint resolve_master(const Endpoint& endpoint, Deadline deadline, int wake_fd);

} // namespace rbarrier::redis
