// SPDX-License-Identifier: Apache-2.0
// The refusals of an arrival or an entry, as a party ends with them.
#pragma once

#include <cstdint>
#include <string>

#include "barrier.hpp"
#include "ending.hpp"
#include "report.hpp"

namespace rbarrier {

// The ending and message of an arrival the barrier refused (broken, or a --parties, --once,
// --rank-by or --members that is not the barrier's), with its reason for --json in `report`; for
// wait, arrive and run. `shape`: what the party asked; `members`: how many --members it gave (0:
// none).
Result refusal(const Standing& arrival, const std::string& name, const Shape& shape,
               const std::string& id, std::size_t members, Report& report);

} // namespace rbarrier
