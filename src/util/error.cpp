#include "util/error.hpp"

#include <array>

namespace rbarrier {

namespace {

std::string_view first_word(std::string_view message) {
  return message.substr(0, message.find(' '));
}

} // namespace

ExitCode classify_redis_error(std::string_view message) {
  static constexpr std::array<std::string_view, 7> k_transient{
      "LOADING", "BUSY", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "OOM"};
  static constexpr std::array<std::string_view, 3> k_auth{"WRONGPASS", "NOAUTH", "NOPERM"};
  const std::string_view word = first_word(message);
  for (auto candidate : k_transient) {
    if (word == candidate) {
      return ExitCode::transient;
    }
  }
  for (auto candidate : k_auth) {
    if (word == candidate) {
      return ExitCode::auth;
    }
  }
  // Redis 7 answers a long first command sent without AUTH with this instead of NOAUTH;
  // older servers say "ERR invalid password" or "ERR Client sent AUTH, but no password is set".
  if (message.starts_with("Protocol error: unauthenticated") ||
      message.starts_with("ERR invalid password") || message.starts_with("ERR AUTH ") ||
      message.starts_with("ERR Client sent AUTH")) {
    return ExitCode::auth;
  }
  return ExitCode::internal;
}

} // namespace rbarrier
