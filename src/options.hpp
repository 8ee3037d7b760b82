// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "redis/endpoint.hpp"
#include "redis/tls.hpp"
#include "util/duration.hpp"
#include "util/log.hpp"

// What the command line asked for, as plain values: filled by cli.cpp, read by the commands.
namespace rbarrier {

struct GlobalOptions {
  std::string url = "redis://127.0.0.1:6379/0";
  bool url_from_command_line = false;
  std::optional<std::string> password_file;
  std::optional<std::string> password; // from RBARRIER_PASSWORD or REDISCLI_AUTH
  std::optional<std::string> user;
  std::string prefix = "rbarrier:";
  redis::TlsOptions tls;
  std::vector<redis::Endpoint::Address> sentinels; // --sentinel: instead of the URL's host
  std::string master; // --master, with --sentinel
  Duration connect_timeout = std::chrono::seconds(5);
  std::int64_t wait_replicas = 0; // after a decision, WAIT for this many replicas
  Duration ttl = std::chrono::hours(24);
  log::Level verbosity = log::Level::normal;
  std::string termination_log; // --termination-log; empty: none
};

enum class OnTimeout { leave, abort };

struct WaitOptions {
  std::string name;
  std::int64_t parties = 0;
  std::vector<std::string> members; // --members: the expected ids; empty: any
  std::string data; // --data; empty: none
  bool json = false; // print the outcome as JSON
  std::optional<Duration> timeout; // none: for ever (no --timeout, or the literal 0)
  std::optional<std::string> id;
  Duration lease = std::chrono::seconds(30);
  OnTimeout on_timeout = OnTimeout::leave;
  bool once = false;
  std::vector<std::string> command; // after "--"
};

struct ArriveOptions {
  std::string name;
  std::int64_t parties = 0;
  std::vector<std::string> members;
  std::string data;
  bool json = false;
  std::optional<std::string> id;
  bool once = false;
};

struct AwaitOptions {
  std::string name;
  std::optional<Duration> timeout; // none: for ever (no --timeout, or the literal 0)
  std::optional<std::int64_t> generation; // none: the current one
  bool json = false;
  std::vector<std::string> command; // after "--"
};

// A party of run is a waiting party once its command succeeded: its WaitOptions are those of that
// wait (without --on-timeout break, --once or a command after the release), except that timeout
// bounds its waiting to enter as well. Then its work:
struct RunOptions : WaitOptions {
  bool enter = false; // wait until all parties entered before the command starts
  Duration grace = std::chrono::seconds(10); // between SIGTERM and SIGKILL, stopping the command
  bool let_finish = false; // when the barrier breaks, let the command finish
  std::vector<std::string> work; // after "--"
};

struct ResetOptions {
  std::string name;
};

struct AbortOptions {
  std::string name;
  std::string reason;
};

struct StatusOptions {
  std::string name;
  bool json = false;
  bool watch = false; // print again on every change, until a signal
};

using CommandOptions = std::variant<WaitOptions, ArriveOptions, AwaitOptions, RunOptions,
                                    ResetOptions, AbortOptions, StatusOptions>;

struct Subcommand;

struct Invocation {
  GlobalOptions global;
  CommandOptions command;
  const Subcommand* subcommand = nullptr; // the entry of the table that runs `command`
};

} // namespace rbarrier
