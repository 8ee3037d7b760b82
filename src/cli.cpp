#include "cli.hpp"

#include <algorithm>
#include <cctype>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <ostream>

#include "util/error.hpp"
#include "util/text.hpp"

namespace rbarrier::cli {

namespace {

constexpr const char* k_footer =
    R"(Exit status: 0 released (or done), 3 reset, 4 aborted or broken, 5 state lost,
6 no such barrier (status), 64 usage, 69 Redis unreachable, 75 Redis busy until the
deadline, 77 authentication refused, 78 configuration mismatch, 124 timed out,
130/143 interrupted. See rbarrier(1).)";

// Raw option values, converted and checked after CLI11 has parsed them.
struct Raw {
  std::string url, password_file, user, prefix, connect_timeout, ttl;
  std::string cacert, cacertdir, cert, key, sni, master, wait_replicas, termination_log;
  std::vector<std::string> sentinels;
  bool tls = false, insecure = false;
  bool quiet = false, verbose = false;
  std::string name, parties, timeout, id, lease, on_timeout = "leave", reason;
  bool once = false, json = false, watch = false;
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

// Whether an option was registered and given.
bool given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

// A flag wins over its environment variables.
std::optional<std::string> flag_or_env(const CLI::Option* option, const std::string& value,
                                       const Environment& environment,
                                       std::initializer_list<const char*> names) {
  if (given(option)) {
    return value;
  }
  return first_env(environment, names);
}

// CLI11 spends some 13,000 instructions on each option it is told of, and more on each
// subcommand: with thirty options, most of a waiting party's start-up. So a subcommand is
// registered only when the command line names it, and an option only when the command line may
// name it (all of them for --help). Registering one too many is harmless, so the test is
// generous: a token "--long" or "--long=...", or, for a short name, any "-xyz" holding its
// letter. Each method returns nullptr for what it did not register, and for an option of a
// subcommand that it did not register.
class Registrar {
public:
  Registrar(const std::vector<std::string>& args, bool all) : m_args(args), m_all(all) {}

  CLI::App* command(CLI::App& app, const std::string& name, const std::string& description) {
    const bool named = m_all || std::find(m_args.begin(), m_args.end(), name) != m_args.end();
    return named ? app.add_subcommand(name, description) : nullptr;
  }

  template <typename T>
  CLI::Option* option(CLI::App* app, const std::string& names, T& value, const std::string& help) {
    return app && mentioned(names) ? app->add_option(names, value, help) : nullptr;
  }

  // Always registered with its subcommand: CLI11 says when it is missing.
  template <typename T>
  CLI::Option* required(CLI::App* app, const std::string& names, T& value,
                        const std::string& help) {
    return app ? app->add_option(names, value, help)->required() : nullptr;
  }

  CLI::Option* flag(CLI::App* app, const std::string& names, bool& value, const std::string& help) {
    return app && mentioned(names) ? app->add_flag(names, value, help) : nullptr;
  }

private:
  bool mentioned(std::string_view names) const {
    if (m_all) {
      return true;
    }
    while (!names.empty()) {
      const auto comma = names.find(',');
      const std::string_view name = names.substr(0, comma);
      names.remove_prefix(comma == std::string_view::npos ? names.size() : comma + 1);
      for (const std::string_view arg : m_args) {
        const bool named =
            name.starts_with("--")
                ? arg.starts_with(name) && (arg.size() == name.size() || arg[name.size()] == '=')
                : arg.size() > 1 && arg[0] == '-' && arg[1] != '-' &&
                      arg.find(name[1], 1) != std::string_view::npos;
        if (named) {
          return true;
        }
      }
    }
    return false;
  }

  const std::vector<std::string>& m_args;
  bool m_all;
};

void require_name(const std::string& name) {
  if (name.empty()) {
    throw UsageError("the barrier name must not be empty");
  }
}

// The long option names of `app` ("--url"), without its subcommands'.
std::vector<std::string> long_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) {
      names.push_back("--" + name);
    }
  }
  return names;
}

// What a failed parse found wrong, from the app with every subcommand and option registered:
// an unknown subcommand or option by its name, with the likeliest one meant, or the first
// argument too many; else CLI11's words.
std::string diagnose(const CLI::App& app, const std::vector<std::string>& args,
                     const CLI::ParseError& error) {
  const auto subcommands = app.get_subcommands([](const CLI::App*) { return true; });
  const auto parsed = app.get_subcommands();
  const CLI::App* sub = parsed.empty() ? nullptr : parsed.front();
  auto extras = app.remaining(true);
  if (extras.empty()) {
    return error.what();
  }
  const auto position = [&](const std::string& extra) {
    return std::find(args.begin(), args.end(), extra) - args.begin();
  };
  std::stable_sort(extras.begin(), extras.end(),
                   [&](const auto& a, const auto& b) { return position(a) < position(b); });
  const auto hint = [](std::string_view word, const std::vector<std::string>& known) {
    const auto match = closest(word, known);
    return match ? fmt::format("; did you mean {}?", quote(*match)) : std::string();
  };
  const auto is_option = [](const std::string& extra) {
    return extra.size() > 1 && extra[0] == '-' &&
           !std::isdigit(static_cast<unsigned char>(extra[1]));
  };
  for (const auto& extra : extras) {
    if (!sub && !is_option(extra)) {
      std::vector<std::string> names;
      for (const auto* candidate : subcommands) {
        names.push_back(candidate->get_name());
      }
      return fmt::format("unknown subcommand {}{}", quote(extra), hint(extra, names));
    }
    if (!is_option(extra)) {
      continue;
    }
    const std::string name = extra.substr(0, extra.find('='));
    for (const auto* other : subcommands) {
      const auto names = long_names(*other);
      if (sub && other != sub && std::find(names.begin(), names.end(), name) != names.end()) {
        return fmt::format("{} is an option of {}, not of {}", quote(name), other->get_name(),
                           sub->get_name());
      }
    }
    auto names = long_names(app);
    if (sub) {
      const auto own = long_names(*sub);
      names.insert(names.end(), own.begin(), own.end());
    }
    return fmt::format("unknown option {}{}", quote(name), hint(name, names));
  }
  return fmt::format("unexpected argument {}", quote(extras.front()));
}

} // namespace

// With `all`, every option is registered with CLI11, as for --help: parse() parses so again
// after an error, for a diagnosis that knows every subcommand and option.
static Parsed parse_args(const std::vector<std::string>& args, const Environment& environment,
                         std::ostream& out, bool all) {
  // Whatever follows wait's "--" is the command it runs after a release; CLI11 never sees it.
  // Other subcommands leave "--" to CLI11 (which ends the options there: status -- -name).
  std::vector<std::string> own = args;
  std::vector<std::string> command;
  const auto dashes = std::find(own.begin(), own.end(), "--");
  if (std::find(own.begin(), dashes, "wait") != dashes && dashes != own.end()) {
    command.assign(dashes + 1, own.end());
    own.erase(dashes, own.end());
    if (command.empty()) {
      throw UsageError("no command after \"--\"");
    }
  }

  const auto asked = [&](std::initializer_list<std::string_view> flags) {
    return std::any_of(own.begin(), own.end(), [&](const std::string& arg) {
      return std::find(flags.begin(), flags.end(), arg) != flags.end();
    });
  };
  const bool help = asked({"-h", "--help"});
  Registrar reg(own, help || all);
  Raw raw;
  CLI::App app{"Meet other processes at a named barrier kept in Redis.", "rbarrier"};
  if (help) { // answered below, before CLI11 parses; registered for --help to list it
    app.set_version_flag("--version", RBARRIER_VERSION);
  }
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(k_footer);
  auto* url = reg.option(&app, "-u,--url", raw.url,
                         "Redis URL: redis://[[user]:password@]host[:port][/db] or "
                         "unix:///path/redis.sock[?db=N] (env RBARRIER_URL, REDIS_URL; "
                         "default redis://127.0.0.1:6379/0)");
  auto* password_file = reg.option(&app, "--password-file", raw.password_file,
                                   "read the password from FILE (env RBARRIER_PASSWORD, "
                                   "REDISCLI_AUTH)");
  auto* user = reg.option(&app, "--user", raw.user, "ACL user name (env RBARRIER_USER)");
  auto* prefix = reg.option(&app, "--prefix", raw.prefix,
                            "namespace of every key and channel (env RBARRIER_PREFIX; "
                            "default rbarrier:)");
  auto* connect_timeout = reg.option(&app, "--connect-timeout", raw.connect_timeout,
                                     "how long to try to reach the server (default 5s)");
  auto* ttl = reg.option(&app, "--ttl", raw.ttl,
                         "idle expiry of a barrier's keys, refreshed by every operation "
                         "(default 24h)");
  reg.option(&app, "--sentinel", raw.sentinels,
             "ask this Sentinel (HOST[:PORT], repeatable) for the master; with --master");
  auto* master = reg.option(&app, "--master", raw.master, "the master's name at the Sentinels");
  reg.flag(&app, "--tls", raw.tls, "connect with TLS (as a rediss:// URL does)");
  auto* cacert = reg.option(&app, "--cacert", raw.cacert, "trust the CA certificates in FILE");
  auto* cacertdir =
      reg.option(&app, "--cacertdir", raw.cacertdir, "trust the CA certificates in DIR");
  auto* cert = reg.option(&app, "--cert", raw.cert, "client certificate (with --key)");
  auto* key = reg.option(&app, "--key", raw.key, "client private key (with --cert)");
  auto* sni = reg.option(&app, "--sni", raw.sni,
                         "server name to ask for and verify (default: the URL's host)");
  reg.flag(&app, "--insecure", raw.insecure, "do not verify the server's certificate");
  auto* wait_replicas = reg.option(
      &app, "--wait-replicas", raw.wait_replicas,
      "after deciding an outcome, wait (up to --connect-timeout) until N replicas have it");
  reg.option(&app, "--termination-log", raw.termination_log,
             "on failure, write the reason to FILE too (Kubernetes: /dev/termination-log)");
  reg.flag(&app, "-q,--quiet", raw.quiet, "print nothing but errors (no live line on a terminal)");
  reg.flag(&app, "-v,--verbose", raw.verbose, "tell what happens on stderr, a line per change");

  auto* wait = reg.command(app, "wait", "wait until PARTIES processes have arrived at NAME");
  reg.required(wait, "NAME", raw.name, "the barrier's name");
  reg.required(wait, "-n,--parties", raw.parties,
               "how many parties meet (the first arrival fixes it)");
  auto* timeout = reg.option(wait, "-t,--timeout", raw.timeout,
                             "give up after DUR (0, the default: wait for ever)");
  auto* id = reg.option(wait, "--id", raw.id,
                        "this party's member id; arriving twice with one id counts once "
                        "(default host:pid:random)");
  auto* lease = reg.option(wait, "--lease", raw.lease,
                           "withdraw this party if it stops renewing for DUR (default 30s)");
  if (auto* on_timeout =
          reg.option(wait, "--on-timeout", raw.on_timeout,
                     "leave: withdraw and exit 124 (default); break: abort the barrier for all")) {
    on_timeout->check(CLI::IsMember({"leave", "break"}));
  }
  reg.flag(wait, "--once", raw.once, "latch: after the first release later arrivals pass at once");
  if (wait) {
    wait->footer("After \"--\", CMD [ARGS...] is run once the barrier is released, and its "
                 "exit status becomes rbarrier's.");
  }

  auto* reset = reg.command(app, "reset",
                            "end the current generation as reset (waiters exit 3) "
                            "and reopen a broken barrier");
  reg.required(reset, "NAME", raw.name, "the barrier's name");

  auto* abort = reg.command(app, "abort",
                            "end the current generation as aborted (waiters "
                            "exit 4) and break the barrier until reset");
  reg.required(abort, "NAME", raw.name, "the barrier's name");
  reg.option(abort, "--reason", raw.reason, "shown to every waiting and later party");

  auto* status = reg.command(app, "status", "show a barrier's state (exit 6 if it does not exist)");
  reg.required(status, "NAME", raw.name, "the barrier's name");
  reg.flag(status, "--json", raw.json, "print JSON instead of text (with --watch, a line each)");
  reg.flag(status, "-w,--watch", raw.watch,
           "print again on every change, until interrupted (also before it exists)");

  // --help and --version without CLI11's exceptions: the first exception a static binary throws
  // sorts its unwind tables, which costs more than the rest of the program's start-up.
  if (asked({"--version"})) {
    out << RBARRIER_VERSION << '\n';
    return {std::nullopt, 0};
  }
  if (help) {
    const CLI::App* target = &app;
    for (const auto* sub : {wait, reset, abort, status}) {
      if (std::find(own.begin(), own.end(), sub->get_name()) != own.end()) {
        target = sub;
      }
    }
    out << (target == &app ? app.help() : target->help("rbarrier"));
    return {std::nullopt, 0};
  }

  std::vector<std::string> reversed(own.rbegin(), own.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (!all) {
      return parse_args(args, environment, out, true);
    }
    throw UsageError(fmt::format("{} (see rbarrier --help)", diagnose(app, own, e)));
  }

  Invocation invocation;
  GlobalOptions& global = invocation.global;
  if (auto value = flag_or_env(url, raw.url, environment, {"RBARRIER_URL", "REDIS_URL"})) {
    global.url = *value;
  }
  global.url_from_command_line = given(url);
  if (given(password_file)) {
    global.password_file = raw.password_file;
  } else {
    global.password = first_env(environment, {"RBARRIER_PASSWORD", "REDISCLI_AUTH"});
  }
  global.user = flag_or_env(user, raw.user, environment, {"RBARRIER_USER"});
  if (auto value = flag_or_env(prefix, raw.prefix, environment, {"RBARRIER_PREFIX"})) {
    global.prefix = *value;
  }
  if (global.prefix.find('{') != std::string::npos) {
    throw UsageError(fmt::format("invalid value {} for --prefix: must not contain \"{{\" (the "
                                 "barrier's name is the keys' hash tag)",
                                 quote(global.prefix)));
  }
  for (const auto& sentinel : raw.sentinels) {
    global.sentinels.push_back(redis::parse_address(sentinel, 26379, "--sentinel"));
  }
  if (global.sentinels.empty() != !given(master)) {
    throw UsageError("--sentinel and --master go together");
  }
  global.master = raw.master;
  global.tls.enabled = raw.tls;
  global.tls.insecure = raw.insecure;
  for (auto [option, value, field] :
       {std::tuple{cacert, &raw.cacert, &global.tls.cacert},
        std::tuple{cacertdir, &raw.cacertdir, &global.tls.cacertdir},
        std::tuple{cert, &raw.cert, &global.tls.cert}, std::tuple{key, &raw.key, &global.tls.key},
        std::tuple{sni, &raw.sni, &global.tls.sni}}) {
    if (given(option)) {
      *field = *value;
    }
  }
  if (given(connect_timeout)) {
    global.connect_timeout = parse_duration("--connect-timeout", raw.connect_timeout);
    if (global.connect_timeout.count() == 0) {
      throw UsageError("invalid value \"0\" for --connect-timeout: must be more than 0");
    }
  }
  if (given(ttl)) {
    global.ttl = parse_duration("--ttl", raw.ttl);
    if (global.ttl < std::chrono::seconds(1)) {
      throw UsageError(
          fmt::format("invalid value {} for --ttl: must be at least 1s", quote(raw.ttl)));
    }
  }
  if (given(wait_replicas)) {
    global.wait_replicas = parse_positive("--wait-replicas", raw.wait_replicas);
  }
  global.termination_log = raw.termination_log;
  if (raw.quiet && raw.verbose) {
    throw UsageError("--quiet and --verbose exclude each other");
  }
  global.verbosity = raw.quiet     ? log::Level::quiet
                     : raw.verbose ? log::Level::verbose
                                   : log::Level::normal;
  require_name(raw.name);

  if (wait && wait->parsed()) {
    WaitOptions options;
    options.name = raw.name;
    options.parties = parse_positive("--parties", raw.parties);
    if (given(timeout) && raw.timeout != "0") { // "0ms" is a deadline already passed
      options.timeout = parse_duration("--timeout", raw.timeout);
    }
    if (given(id)) {
      if (raw.id.empty()) {
        throw UsageError("invalid value \"\" for --id: must not be empty");
      }
      options.id = raw.id;
    }
    if (given(lease)) {
      options.lease = parse_duration("--lease", raw.lease);
      if (options.lease < std::chrono::milliseconds(100)) {
        throw UsageError(
            fmt::format("invalid value {} for --lease: must be at least 100ms", quote(raw.lease)));
      }
    }
    if (global.ttl < options.lease) {
      throw UsageError("--ttl must not be shorter than --lease");
    }
    options.on_timeout = raw.on_timeout == "break" ? OnTimeout::abort : OnTimeout::leave;
    options.once = raw.once;
    options.command = std::move(command);
    invocation.command = std::move(options);
  } else {
    if (reset && reset->parsed()) {
      invocation.command = ResetOptions{raw.name};
    } else if (abort && abort->parsed()) {
      invocation.command = AbortOptions{raw.name, raw.reason};
    } else {
      invocation.command = StatusOptions{raw.name, raw.json, raw.watch};
    }
  }
  return {std::move(invocation), 0};
}

Parsed parse(const std::vector<std::string>& args, const Environment& environment,
             std::ostream& out) {
  return parse_args(args, environment, out, false);
}

} // namespace rbarrier::cli
