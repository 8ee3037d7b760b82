// SPDX-License-Identifier: Apache-2.0
// Random tokens and nonces, and a process's default member id.
#pragma once

#include <string>

namespace rbarrier {

// `n` random bytes from the kernel as lowercase hex: nonces and instance tokens.
std::string random_hex(std::size_t n);

// A member id unique to this process: "host:pid:random".
std::string default_member_id();

} // namespace rbarrier
