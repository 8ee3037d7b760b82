// SPDX-License-Identifier: Apache-2.0
// Errors that end the command, and what Redis's error replies mean for the exit status.
#include "util/error.hpp"

#include <array>
#include <fmt/format.h>

namespace rbarrier {

namespace {

std::string_view first_word(std::string_view message) {
  return message.substr(0, message.find(' '));
}

// Redis before 7 wraps an error that a command inside a script met: "ERR Error running script
// (call to f_…): @user_script:117: @user_script: 117: -READONLY You can't write…". The error
// inside is what it means.
std::string_view unwrap(std::string_view message) {
  if (!message.starts_with("ERR Error running script")) {
    return message;
  }
  const auto inner = message.find(": -");
  if (inner == std::string_view::npos) {
    return message;
  }
  message.remove_prefix(inner + 3);
  while (!message.empty() && message.back() == ' ') {
    message.remove_suffix(1);
  }
  return message;
}

} // namespace

ExitCode classify_redis_error(std::string_view message) {
  message = unwrap(message);
  // UNBLOCKED: a blocking read cut short because the master became a replica.
  static constexpr std::array<std::string_view, 8> k_transient{
      "LOADING", "BUSY", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "OOM", "UNBLOCKED"};
  static constexpr std::array<std::string_view, 3> k_auth{"WRONGPASS", "NOAUTH", "NOPERM"};
  const std::string_view word = first_word(message);
  if (message.starts_with(k_max_clients)) {
    return ExitCode::transient; // parties get in as others leave
  }
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
  // Redis 7 answers a long first command sent without AUTH with a protocol error instead of
  // NOAUTH; older servers say "ERR invalid password" or "ERR Client sent AUTH, but no password
  // is set"; a command refused by the ACL inside a script comes back as an ERR.
  constexpr std::array<std::string_view, 6> k_auth_texts{"Protocol error: unauthenticated",
                                                         "ERR invalid password",
                                                         "ERR AUTH ",
                                                         "ERR Client sent AUTH",
                                                         "can't run this command",
                                                         "No permissions to access"};
  for (auto text : k_auth_texts) {
    if (message.find(text) != std::string_view::npos) {
      return ExitCode::auth;
    }
  }
  return ExitCode::internal;
}

std::string explain_redis_error(std::string_view message) {
  message = unwrap(message);
  // Only a party that gave no password meets these: a refused AUTH is reported by itself.
  if (message.starts_with("NOAUTH") ||
      message.find("Protocol error: unauthenticated") != std::string_view::npos) {
    return fmt::format("the server needs a password: give it with --password-file FILE, "
                       "RBARRIER_PASSWORD or the URL (redis://:PASSWORD@host); it said: {}",
                       message);
  }
  if (message.starts_with(k_max_clients)) {
    return fmt::format("{} (the server's maxclients; every party, waiting or not, holds one "
                       "connection)",
                       message);
  }
  return std::string(message);
}

} // namespace rbarrier
