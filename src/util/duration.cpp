// SPDX-License-Identifier: Apache-2.0
// Durations: parsed from the command line ("1h30m") and written for people.
#include "util/duration.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "util/error.hpp"
#include "util/text.hpp"

namespace rbarrier {

namespace {

UsageError invalid(std::string_view option, std::string_view text, std::string_view why) {
  return UsageError(fmt::format("invalid value {} for {}: {}", quote(text), option, why));
}

} // namespace

namespace {

// The milliseconds of a unit, 0 for an unknown one.
double unit_scale(std::string_view unit) {
  if (unit == "h") {
    return 3'600'000;
  }
  if (unit == "m") {
    return 60'000;
  }
  if (unit == "s") {
    return 1000;
  }
  if (unit == "ms") {
    return 1;
  }
  return 0;
}

} // namespace

Duration parse_duration(std::string_view option, std::string_view text) {
  constexpr std::string_view k_expected =
      "expected a duration such as 250ms, 30s, 5m, 2h, 1h30m or 1.5";
  double total = 0;
  double last_scale = 0; // the parts of a compound duration come largest unit first, once each
  std::string_view rest = text;
  do {
    std::size_t digits_end = 0;
    bool seen_dot = false;
    while (digits_end < rest.size()) {
      const char c = rest[digits_end];
      if (c == '.' && !seen_dot) {
        seen_dot = true;
      } else if (c < '0' || c > '9') {
        break;
      }
      ++digits_end;
    }
    const std::string_view number = rest.substr(0, digits_end);
    rest.remove_prefix(digits_end);
    std::size_t unit_end = 0;
    while (unit_end < rest.size() && (rest[unit_end] < '0' || rest[unit_end] > '9') &&
           rest[unit_end] != '.') {
      ++unit_end;
    }
    const std::string_view unit = rest.substr(0, unit_end);
    rest.remove_prefix(unit_end);
    if (number.empty() || number == ".") {
      throw invalid(option, text, k_expected);
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size()) {
      throw invalid(option, text, k_expected);
    }
    // A bare number is seconds, and only alone.
    const double scale = unit.empty() && last_scale == 0 && rest.empty() ? 1000 : unit_scale(unit);
    if (scale == 0) {
      throw invalid(option, text,
                    unit.empty() ? std::string(k_expected)
                                 : fmt::format("unknown unit \"{}\" (use ms, s, m or h)", unit));
    }
    if (last_scale != 0 && scale >= last_scale) {
      throw invalid(option, text,
                    "the parts of a duration go from hours to milliseconds, once each");
    }
    last_scale = scale;
    total += value * scale;
  } while (!rest.empty());
  // Rounded up: a positive duration, however short, never becomes 0.
  const double ms = std::ceil(total);
  // Ten years is far more than any barrier needs and keeps every later sum inside 64 bits.
  if (ms > 315'360'000'000.0) {
    throw invalid(option, text, "too long");
  }
  return Duration(static_cast<Duration::rep>(ms));
}

std::int64_t parse_positive(std::string_view option, std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    throw invalid(option, text, "too large");
  }
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw invalid(option, text, "expected a whole number");
  }
  if (value < 1) {
    throw invalid(option, text, "must be at least 1");
  }
  return value;
}

std::string format_duration(Duration duration) {
  const auto ms = duration.count();
  if (ms < 1000) {
    return fmt::format("{}ms", ms);
  }
  if (ms < 60'000) {
    // truncated, not rounded: a lease of 19.99s left is "19.9s", never "20.0s"
    return ms % 1000 < 100 ? fmt::format("{}s", ms / 1000)
                           : fmt::format("{}.{}s", ms / 1000, ms % 1000 / 100);
  }
  const auto seconds = ms / 1000;
  if (seconds < 3600) {
    return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
  }
  return fmt::format("{}h{:02}m", seconds / 3600, seconds % 3600 / 60);
}

Deadline deadline_after(std::optional<Duration> duration) {
  return duration ? Clock::now() + *duration : k_never;
}

int poll_timeout_ms(Deadline deadline, Duration cap) {
  if (deadline == k_never) {
    return cap == Duration::max() ? -1 : static_cast<int>(cap.count());
  }
  const auto left = std::chrono::ceil<Duration>(deadline - Clock::now());
  const auto bounded = std::clamp(left, Duration(0), std::min(cap, Duration(24 * 3600 * 1000)));
  return static_cast<int>(bounded.count());
}

} // namespace rbarrier
