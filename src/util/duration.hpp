// SPDX-License-Identifier: Apache-2.0
// Durations: parsed from the command line ("1h30m") and written for people.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rbarrier {

using Duration = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// "250ms", "30s", "5m", "2h", or a bare number of seconds; fractions allowed ("1.5s", "0.25").
// Throws UsageError naming the option and the value.
Duration parse_duration(std::string_view option, std::string_view text);

// A positive whole number such as --parties; throws UsageError naming the option and the value.
std::int64_t parse_positive(std::string_view option, std::string_view text);

// "1.5s", "250ms", "2m30s": for messages.
std::string format_duration(Duration duration);

// A deadline that never comes.
constexpr Deadline k_never = Deadline::max();

// `duration` from now, or k_never without one.
Deadline deadline_after(std::optional<Duration> duration);

// Milliseconds left until `deadline`, at least 0, at most `cap`; for poll(2).
int poll_timeout_ms(Deadline deadline, Duration cap = Duration::max());

} // namespace rbarrier
