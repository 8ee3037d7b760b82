// SPDX-License-Identifier: Apache-2.0
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

Duration parse_duration(std::string_view option, std::string_view text) {
  constexpr std::string_view k_expected = "expected a duration such as 250ms, 30s, 5m, 2h or 1.5";
  std::size_t digits_end = 0;
  bool seen_dot = false;
  while (digits_end < text.size()) {
    const char c = text[digits_end];
    if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else if (c < '0' || c > '9') {
      break;
    }
    ++digits_end;
  }
  const std::string_view number = text.substr(0, digits_end);
  const std::string_view unit = text.substr(digits_end);
  if (number.empty() || number == ".") {
    throw invalid(option, text, k_expected);
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) {
    throw invalid(option, text, k_expected);
  }
  double scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    throw invalid(option, text, fmt::format("unknown unit \"{}\" (use ms, s, m or h)", unit));
  }
  // Rounded up: a positive duration, however short, never becomes 0.
  const double ms = std::ceil(value * scale);
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
