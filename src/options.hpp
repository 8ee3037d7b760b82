// SPDX-License-Identifier: Apache-2.0
// The global options, as plain values: those of the server, and the rest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "redis/endpoint.hpp"
#include "redis/tls.hpp"
#include "util/duration.hpp"
#include "util/log.hpp"

// The global options (before the subcommand), as plain values: filled by cli.cpp, read by the
// session and the commands.
namespace rbarrier {

// Where the server is, how to log in and how long to try: all the connection layer is told
// (server.hpp, session.hpp).
struct ServerOptions {
  std::string url = "redis://127.0.0.1:6379/0";
  bool url_from_command_line = false;
  std::optional<std::string> password_file;
  std::optional<std::string> password; // from RBARRIER_PASSWORD or REDISCLI_AUTH
  std::optional<std::string> user;
  redis::TlsOptions tls;
  std::vector<redis::Endpoint::Address> sentinels; // --sentinel: instead of the URL's host
  std::string master; // --master, with --sentinel
  Duration connect_timeout = std::chrono::seconds(5);
  std::int64_t wait_replicas = 0; // after a decision, WAIT for this many replicas
};

struct GlobalOptions {
  ServerOptions server;
  std::string prefix = "rbarrier:";
  Duration ttl = std::chrono::hours(24);
  log::Level verbosity = log::Level::normal;
  std::string termination_log; // --termination-log; empty: none
};

} // namespace rbarrier
