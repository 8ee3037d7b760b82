// SPDX-License-Identifier: Apache-2.0
// The options before the subcommand, and how they and the environment make GlobalOptions.
#include <fmt/format.h>

#include "subcommand.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace rbarrier {

namespace {

using Kind = OptionSpec::Kind;

constexpr OptionSpec k_global_options[] = {
    {"-u,--url", Kind::value, "URL",
     "Redis URL: redis://[[user]:password@]host[:port][/db], rediss://..., "
     "redis+sentinel://..., or unix:///path/redis.sock[?db=N] (env RBARRIER_URL, REDIS_URL; "
     "default redis://127.0.0.1:6379/0)"},
    {"--password-file", Kind::value, "FILE",
     "read the password from FILE (env RBARRIER_PASSWORD, REDISCLI_AUTH)"},
    {"--user", Kind::value, "NAME", "ACL user name (env RBARRIER_USER)"},
    {"--prefix", Kind::value, "P",
     "namespace of every key (env RBARRIER_PREFIX; default rbarrier:)"},
    {"--connect-timeout", Kind::value, "DUR", "how long to try to reach the server (default 5s)"},
    {"--ttl", Kind::value, "DUR",
     "idle expiry of a barrier's keys, refreshed by every operation (default 24h)"},
    {"--sentinel", Kind::list, "HOST[:PORT]",
     "ask this Sentinel (repeatable) for the master; with --master"},
    {"--master", Kind::value, "NAME", "the master's name at the Sentinels"},
    {"--tls", Kind::flag, "", "connect with TLS (as a rediss:// URL does)"},
    {"--cacert", Kind::value, "FILE", "trust the CA certificates in FILE"},
    {"--cacertdir", Kind::value, "DIR", "trust the CA certificates in DIR"},
    {"--cert", Kind::value, "FILE", "client certificate (with --key)"},
    {"--key", Kind::value, "FILE", "client private key (with --cert)"},
    {"--sni", Kind::value, "NAME", "server name to ask for and verify (default: the URL's host)"},
    {"--insecure", Kind::flag, "", "do not verify the server's certificate"},
    {"--wait-replicas", Kind::value, "N",
     "after deciding an outcome, wait (up to --connect-timeout) until N replicas have it"},
    {"--termination-log", Kind::value, "FILE",
     "on failure, write the reason to FILE too (Kubernetes: /dev/termination-log)"},
    {"-q,--quiet", Kind::flag, "", "print nothing but errors (no live line on a terminal)"},
    {"-v,--verbose", Kind::flag, "", "tell what happens on stderr, a line per change"},
};

std::optional<std::string> first_env(const Environment& environment,
                                     std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto found = environment(name); found && !found->empty()) {
      return found;
    }
  }
  return std::nullopt;
}

// A flag wins over its environment variables.
std::optional<std::string> flag_or_env(const Values& values, std::string_view key,
                                       const Environment& environment,
                                       std::initializer_list<const char*> names) {
  return values.given(key) ? std::optional(values[key]) : first_env(environment, names);
}

void build_server(const Values& values, const Environment& environment, GlobalOptions& global) {
  if (auto value = flag_or_env(values, "url", environment, {"RBARRIER_URL", "REDIS_URL"})) {
    global.server.url = *value;
  }
  global.server.url_from_command_line = values.given("url");
  if (values.given("password-file")) {
    global.server.password_file = values["password-file"];
  } else {
    global.server.password = first_env(environment, {"RBARRIER_PASSWORD", "REDISCLI_AUTH"});
  }
  global.server.user = flag_or_env(values, "user", environment, {"RBARRIER_USER"});
  if (auto value = flag_or_env(values, "prefix", environment, {"RBARRIER_PREFIX"})) {
    global.prefix = *value;
  }
  if (global.prefix.find('{') != std::string::npos) {
    throw UsageError(fmt::format("invalid value {} for --prefix: must not contain \"{{\" (the "
                                 "barrier's name is the keys' hash tag)",
                                 quote(global.prefix)));
  }
  for (const auto& sentinel : values.all("sentinel")) {
    global.server.sentinels.push_back(redis::parse_address(sentinel, 26379, "--sentinel"));
  }
  if (global.server.sentinels.empty() != !values.given("master")) {
    throw UsageError("--sentinel and --master go together");
  }
  global.server.master = values["master"];
}

void build_tls(const Values& values, redis::TlsOptions& tls) {
  tls.enabled = values.given("tls");
  tls.insecure = values.given("insecure");
  for (auto [key, field] :
       {std::pair{"cacert", &tls.cacert}, std::pair{"cacertdir", &tls.cacertdir},
        std::pair{"cert", &tls.cert}, std::pair{"key", &tls.key}, std::pair{"sni", &tls.sni}}) {
    if (values.given(key)) {
      *field = values[key];
    }
  }
}

void build_limits(const Values& values, GlobalOptions& global) {
  if (values.given("connect-timeout")) {
    global.server.connect_timeout = parse_duration("--connect-timeout", values["connect-timeout"]);
    if (global.server.connect_timeout.count() == 0) {
      throw UsageError("invalid value \"0\" for --connect-timeout: must be more than 0");
    }
  }
  if (values.given("ttl")) {
    global.ttl = parse_duration("--ttl", values["ttl"]);
    if (global.ttl < std::chrono::seconds(1)) {
      throw UsageError(
          fmt::format("invalid value {} for --ttl: must be at least 1s", quote(values["ttl"])));
    }
  }
  if (values.given("wait-replicas")) {
    global.server.wait_replicas = parse_positive("--wait-replicas", values["wait-replicas"]);
  }
}

} // namespace

std::span<const OptionSpec> global_options() { return k_global_options; }

GlobalOptions build_global(const Values& values, const Environment& environment) {
  GlobalOptions global;
  build_server(values, environment, global);
  build_tls(values, global.server.tls);
  build_limits(values, global);
  global.termination_log = values["termination-log"];
  const bool quiet = values.given("quiet");
  const bool verbose = values.given("verbose");
  if (quiet && verbose) {
    throw UsageError("--quiet and --verbose exclude each other");
  }
  global.verbosity = quiet ? log::Level::quiet : verbose ? log::Level::verbose : log::Level::normal;
  return global;
}

} // namespace rbarrier
