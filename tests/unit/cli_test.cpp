// SPDX-License-Identifier: Apache-2.0
// Unit tests: the command line, --help and the table of subcommands.
#include <doctest/doctest.h>
#include <map>
#include <sstream>

#include "cli.hpp"
#include "help.hpp"
#include "subcommand.hpp"
#include "util/error.hpp"
#include "waiter.hpp"

using namespace rbarrier;

namespace {

struct Fixture {
  std::map<std::string, std::string> env;
  std::ostringstream out;

  Invocation parse(std::vector<std::string> args) {
    auto parsed = cli::parse(
        args,
        [this](const std::string& name) -> std::optional<std::string> {
          auto it = env.find(name);
          return it == env.end() ? std::nullopt : std::optional(it->second);
        },
        out);
    REQUIRE(parsed.invocation);
    return *parsed.invocation;
  }

  // The refusal, without the pointer to --help that ends it (tested on its own).
  std::string error(std::vector<std::string> args) {
    const std::string full = error_with_help(std::move(args));
    const auto see = full.rfind(" (see rbarrier ");
    return see == std::string::npos ? full : full.substr(0, see);
  }
  std::string error_with_help(std::vector<std::string> args) {
    try {
      parse(std::move(args));
    } catch (const UsageError& e) {
      return e.what();
    }
    return "accepted";
  }
};

// The options struct a subcommand's build made, of type T (wait's: WaitOptions).
template <typename T> const T& options(const Invocation& invocation) {
  return *std::any_cast<std::shared_ptr<const T>>(invocation.command.options);
}

} // namespace

TEST_CASE("wait with every option") {
  Fixture f;
  const auto inv =
      f.parse({"-u",           "unix:///s", "--prefix", "p:",  "--ttl", "2h",    "wait",    "jobs",
               "-n",           "8",         "-t",       "30s", "--id",  "pod-0", "--lease", "9s",
               "--on-timeout", "break",     "--once",   "-v",  "--",    "echo",  "--once"});
  CHECK(inv.global.server.url == "unix:///s");
  CHECK(inv.global.server.url_from_command_line);
  CHECK(inv.global.prefix == "p:");
  CHECK(inv.global.ttl == std::chrono::hours(2));
  CHECK(inv.global.verbosity == log::Level::verbose);
  const auto& w = options<WaitOptions>(inv);
  CHECK(w.name == "jobs");
  CHECK(w.shape.parties == 8);
  CHECK(w.timeout == std::chrono::seconds(30));
  CHECK(w.id == "pod-0");
  CHECK(w.lease == std::chrono::seconds(9));
  CHECK(w.on_timeout == OnTimeout::abort);
  CHECK(w.shape.once);
  CHECK(w.command == std::vector<std::string>{"echo", "--once"});
}

TEST_CASE("run with every option, its defaults, and its refusals") {
  Fixture f;
  const auto inv = f.parse({"run",      "gang",    "-n", "3",       "-t",      "1m",     "--id",
                            "job-1",    "--lease", "6s", "--enter", "--grace", "2s",     "--data",
                            "10.0.0.1", "--json",  "--", "make",    "-j",      "--enter"});
  // Its own options stay in commands/run.cpp (test_run.sh shows what they do); those of its
  // waiting party are wait's.
  CHECK(inv.command.name == "gang");
  CHECK(inv.command.json);
  CHECK_FALSE(f.parse({"run", "g", "-n", "2", "--", "true"}).command.json);
  CHECK(f.error({"run", "g", "-n", "2"}).starts_with("run needs a command"));
  CHECK(f.error({"run", "g", "-n", "2", "--"}) == "no command after \"--\"");
  CHECK(f.error({"run", "g", "--", "true"}).find("--parties") != std::string::npos);
  CHECK(f.error({"run", "g", "-n", "2", "--let-finish", "--grace", "1s", "--", "true"}) ==
        "--grace and --let-finish exclude each other");
  CHECK(f.error({"run", "g", "-n", "2", "--grace", "soon", "--", "true"})
            .starts_with("invalid value \"soon\" for --grace"));
  CHECK(f.error({"run", "g", "-n", "2", "--lease", "10ms", "--", "true"}) ==
        "invalid value \"10ms\" for --lease: must be at least 100ms");
  CHECK(f.error({"run", "g", "-n", "2", "--once", "--", "true"}) != "accepted");
}

TEST_CASE("defaults") {
  Fixture f;
  const auto inv = f.parse({"wait", "x", "--parties", "2"});
  CHECK(inv.global.server.url == "redis://127.0.0.1:6379/0");
  CHECK(inv.global.prefix == "rbarrier:");
  CHECK(inv.global.server.connect_timeout == std::chrono::seconds(5));
  CHECK(inv.global.ttl == std::chrono::hours(24));
  CHECK_FALSE(inv.global.server.password);
  const auto& w = options<WaitOptions>(inv);
  CHECK_FALSE(w.timeout);
  CHECK(w.lease == std::chrono::seconds(30));
  CHECK(w.on_timeout == OnTimeout::leave);
  CHECK_FALSE(w.shape.once);
  CHECK_FALSE(w.id);
  CHECK(w.command.empty());
}

TEST_CASE("the environment, and flags winning over it") {
  Fixture f;
  f.env = {{"REDIS_URL", "redis://from-redis-url"},
           {"RBARRIER_PASSWORD", "pw"},
           {"REDISCLI_AUTH", "other"},
           {"RBARRIER_USER", "bob"},
           {"RBARRIER_PREFIX", "env:"}};
  auto inv = f.parse({"status", "x"});
  CHECK(inv.global.server.url == "redis://from-redis-url");
  CHECK_FALSE(inv.global.server.url_from_command_line);
  CHECK(inv.global.server.password == "pw");
  CHECK(inv.global.server.user == "bob");
  CHECK(inv.global.prefix == "env:");
  f.env["RBARRIER_URL"] = "redis://from-rbarrier-url";
  CHECK(f.parse({"status", "x"}).global.server.url == "redis://from-rbarrier-url");
  inv = f.parse({"--url", "redis://flag", "--user", "al", "--prefix", "f:", "--password-file", "/p",
                 "status", "x"});
  CHECK(inv.global.server.url == "redis://flag");
  CHECK(inv.global.server.user == "al");
  CHECK(inv.global.prefix == "f:");
  CHECK(inv.global.server.password_file == "/p");
  CHECK_FALSE(inv.global.server.password);
  f.env.erase("RBARRIER_PASSWORD");
  CHECK(f.parse({"status", "x"}).global.server.password == "other");
}

TEST_CASE("TLS options") {
  Fixture f;
  auto inv = f.parse({"--tls", "--cacert", "/ca.pem", "--cacertdir", "/cas", "--cert", "/c.pem",
                      "--key", "/k.pem", "--sni", "redis.example", "--insecure", "status", "x"});
  CHECK(inv.global.server.tls.enabled);
  CHECK(inv.global.server.tls.cacert == "/ca.pem");
  CHECK(inv.global.server.tls.cacertdir == "/cas");
  CHECK(inv.global.server.tls.cert == "/c.pem");
  CHECK(inv.global.server.tls.key == "/k.pem");
  CHECK(inv.global.server.tls.sni == "redis.example");
  CHECK(inv.global.server.tls.insecure);
  inv = f.parse({"status", "x"});
  CHECK_FALSE(inv.global.server.tls.enabled);
  CHECK_FALSE(inv.global.server.tls.cacert);
  CHECK_FALSE(inv.global.server.tls.insecure);
}

TEST_CASE("--sentinel and --master") {
  Fixture f;
  const auto inv =
      f.parse({"--sentinel", "s1:26380", "--sentinel", "s2", "--master", "m", "status", "x"});
  REQUIRE(inv.global.server.sentinels.size() == 2);
  CHECK(inv.global.server.sentinels[0].port == 26380);
  CHECK(inv.global.server.sentinels[1].host == "s2");
  CHECK(inv.global.server.master == "m");
  CHECK(f.error({"--sentinel", "s1", "status", "x"}) == "--sentinel and --master go together");
  CHECK(f.error({"--master", "m", "status", "x"}) == "--sentinel and --master go together");
  CHECK(f.error({"--sentinel", "s1:x", "--master", "m", "status", "x"}) ==
        "invalid value \"s1:x\" for --sentinel: expected HOST[:PORT]");
}

TEST_CASE("the other subcommands") {
  Fixture f;
  // Their options stay in their files: the tests of their suites show what they do.
  CHECK(f.parse({"reset", "r"}).command.name == "r");
  CHECK(f.parse({"abort", "a", "--reason", "bad build"}).command.name == "a");
  CHECK(f.parse({"status", "s", "--json"}).command.json);
  CHECK_FALSE(f.parse({"status", "s", "-w"}).command.json);
  CHECK(f.parse({"status", "--watch", "s"}).command.name == "s");
  CHECK(f.parse({"-q", "status", "--", "-dash"}).command.name == "-dash");
}

TEST_CASE("usage errors") {
  Fixture f;
  CHECK(f.error({"wait", "x", "-n", "0"}) ==
        "invalid value \"0\" for --parties: must be at least 1");
  CHECK(f.error({"wait", "x", "-n", "abc"}) ==
        "invalid value \"abc\" for --parties: expected a whole number");
  CHECK(f.error({"wait", "x", "-n", "2", "-t", "soon"})
            .starts_with("invalid value \"soon\" for --timeout"));
  CHECK(f.error({"wait", "x", "-n", "2", "--lease", "50ms"}) ==
        "invalid value \"50ms\" for --lease: must be at least 100ms");
  CHECK(f.error({"--ttl", "10s", "wait", "x", "-n", "2"}) ==
        "--ttl 10s must not be shorter than --lease 30s: a barrier's keys must outlive a lease");
  CHECK(f.error({"wait", "x", "-n", "2", "--"}) == "no command after \"--\"");
  CHECK(f.error({"wait", "", "-n", "2"}) == "the barrier name must not be empty");
  CHECK(f.error({"-q", "-v", "status", "x"}) == "--quiet and --verbose exclude each other");
  CHECK(f.error({"--prefix", "a{b}:", "status", "x"})
            .starts_with("invalid value \"a{b}:\" for --prefix: must not contain \"{\""));
  f.env["RBARRIER_PREFIX"] = "{";
  CHECK(f.error({"status", "x"}).starts_with("invalid value \"{\" for --prefix"));
  f.env.clear();
  CHECK(f.parse({"--prefix", "a}:", "status", "x"}).global.prefix == "a}:");
  CHECK(f.parse({"--wait-replicas", "2", "status", "x"}).global.server.wait_replicas == 2);
  CHECK(f.parse({"status", "x"}).global.server.wait_replicas == 0);
  CHECK(f.parse({"--termination-log", "/dev/termination-log", "status", "x"})
            .global.termination_log == "/dev/termination-log");
  CHECK(f.parse({"status", "x"}).global.termination_log.empty());
  CHECK(f.error({"--wait-replicas", "0", "status", "x"}) ==
        "invalid value \"0\" for --wait-replicas: must be at least 1");
  CHECK(f.error({"--connect-timeout", "0", "status", "x"}) ==
        "invalid value \"0\" for --connect-timeout: must be more than 0");
  CHECK(f.error({"wait", "-n", "2"}).find("NAME") != std::string::npos);
  CHECK(f.error({"wait", "x"}).find("--parties") != std::string::npos);
  CHECK(f.error({"wait", "x", "-n", "2", "--on-timeout", "explode"}) != "accepted");
  CHECK(f.error({}) != "accepted");
  CHECK(f.error({"launch", "x"}) != "accepted");
  CHECK(f.error({"status", "x", "y"}) != "accepted");
}

TEST_CASE("--help and --version print and end") {
  Fixture f;
  const auto parsed = cli::parse(
      {"--version"}, [](const std::string&) { return std::nullopt; }, f.out);
  CHECK_FALSE(parsed.invocation);
  CHECK(parsed.exit_code == 0);
  const std::string version = f.out.str();
  CHECK(version.starts_with("rbarrier " RBARRIER_VERSION "\n"));
  CHECK(version.find(", with TLS (OpenSSL ") != std::string::npos); // static or dynamic
  CHECK(version.find("\nlicense: Apache-2.0") != std::string::npos);
  std::ostringstream help;
  const auto h = cli::parse(
      {"wait", "--help"}, [](const std::string&) { return std::nullopt; }, help);
  CHECK_FALSE(h.invocation);
  CHECK(help.str().find("--on-timeout") != std::string::npos);
}

// Options are registered with CLI11 only when the command line may name them: every way of
// naming one must still reach it, and an option of another subcommand must still be refused.
TEST_CASE("every spelling of an option reaches it") {
  Fixture f;
  const auto inv = f.parse({"--url=unix:///s", "wait", "--timeout=2s", "x", "-qn3", "--once"});
  CHECK(inv.global.server.url == "unix:///s");
  CHECK(inv.global.verbosity == log::Level::quiet);
  const auto& w = options<WaitOptions>(inv);
  CHECK(w.shape.parties == 3);
  CHECK(w.timeout == std::chrono::seconds(2));
  CHECK(w.shape.once);
  const auto timeout = [&](const char* value) {
    return options<WaitOptions>(f.parse({"wait", "x", "-n", "2", "-t", value})).timeout;
  };
  CHECK_FALSE(timeout("0")); // only the literal 0 waits for ever
  CHECK(timeout("0ms") == Duration(0));
  CHECK(timeout("0.0001s") == Duration(1));
  CHECK(options<WaitOptions>(f.parse({"wait", "x", "-n8", "-t5s"})).timeout ==
        std::chrono::seconds(5));
  CHECK(f.parse({"status", "-wv", "x"}).global.verbosity == log::Level::verbose);
  CHECK(options<WaitOptions>(f.parse({"wait", "x", "-n2", "--id=--once"})).id == "--once");
  // A barrier named like a subcommand.
  CHECK(f.parse({"status", "wait"}).command.name == "wait");
  CHECK(options<WaitOptions>(f.parse({"wait", "status", "-n", "1"})).name == "status");
}

TEST_CASE("options of another subcommand, and unknown ones, are refused") {
  Fixture f;
  CHECK(f.error({"status", "x", "--once"}).find("--once") != std::string::npos);
  CHECK(f.error({"wait", "x", "-n", "2", "--watch"}).find("--watch") != std::string::npos);
  CHECK(f.error({"reset", "x", "--reason", "r"}).find("--reason") != std::string::npos);
  CHECK(f.error({"wait", "x", "-n", "2", "--tls-please"}).find("--tls-please") !=
        std::string::npos);
  CHECK(f.error({"--urlx", "u", "status", "x"}).find("--urlx") != std::string::npos);
  CHECK(f.error({"wiat", "x"}) != "accepted");
}

TEST_CASE("typos are named, with the likeliest subcommand or option meant") {
  Fixture f;
  CHECK(f.error({"wiat", "x", "-n", "2"}) == "unknown subcommand \"wiat\"; did you mean \"wait\"?");
  CHECK(f.error({"-u", "unix:///s", "stauts", "x"}) ==
        "unknown subcommand \"stauts\"; did you mean \"status\"?");
  CHECK(f.error({"launch", "x"}) == "unknown subcommand \"launch\"");
  CHECK(f.error({"wait", "x", "-n", "2", "--tiemout", "3"}) ==
        "unknown option \"--tiemout\"; did you mean \"--timeout\"?");
  CHECK(f.error({"wait", "x", "-n", "2", "--tiemout=3"}) ==
        "unknown option \"--tiemout\"; did you mean \"--timeout\"?");
  CHECK(f.error({"--urll", "u", "status", "x"}) ==
        "unknown option \"--urll\"; did you mean \"--url\"?");
  CHECK(f.error({"status", "x", "--jsno"}) ==
        "unknown option \"--jsno\"; did you mean \"--json\"?");
  CHECK(f.error({"status", "x", "-z"}) == "unknown option \"-z\"");
  CHECK(f.error({"--json", "wait", "x", "-n", "2"}) ==
        "\"--json\" is an option of wait: give it after wait");
  CHECK(f.error({"wait", "x", "-n", "2", "--watch"}) ==
        "\"--watch\" is an option of status, not of wait");
  CHECK(f.error({"status", "x", "y", "z"}) == "unexpected argument \"y\"");
  CHECK(f.error({}) == "A subcommand is required");
}

TEST_CASE("a refusal points to the --help of the subcommand named, and a command to \"--\"") {
  Fixture f;
  CHECK(f.error_with_help({"wiat", "x"}) ==
        "unknown subcommand \"wiat\"; did you mean \"wait\"? (see rbarrier --help)");
  CHECK(f.error_with_help({"wait", "x", "--tiemout", "3"}) ==
        "unknown option \"--tiemout\"; did you mean \"--timeout\"? (see rbarrier wait --help)");
  CHECK(f.error_with_help({"wait", "x", "-n", "abc"}) ==
        "invalid value \"abc\" for --parties: expected a whole number (see rbarrier wait --help)");
  CHECK(f.error_with_help({"run", "x", "-n", "2", "true"}) ==
        "unexpected argument \"true\": put the command after \"--\" (rbarrier run NAME ... -- CMD "
        "[ARGS...]) (see rbarrier run --help)");
}

TEST_CASE("--help lists every option") {
  Fixture f;
  for (const auto& [args, options] :
       std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>{
           {{"--help"}, {"--url", "--sentinel", "--cacert", "--termination-log", "wait", "status"}},
           {{"wait", "-h"}, {"--parties", "--lease", "--on-timeout", "--once"}},
           {{"status", "--help"}, {"--json", "--watch"}},
           {{"abort", "--help"}, {"--reason"}}}) {
    std::ostringstream help;
    const auto parsed = cli::parse(
        args, [](const std::string&) { return std::nullopt; }, help);
    CHECK_FALSE(parsed.invocation);
    for (const auto& option : options) {
      CHECK_MESSAGE(help.str().find(option) != std::string::npos, args[0], " lacks ", option);
    }
  }
}

TEST_CASE("--help is written from the table: every subcommand and option, its value named") {
  for (const std::size_t width : {60, 80, 100}) {
    CAPTURE(width);
    std::vector<std::string> pages{help::render(nullptr, width)};
    for (const auto* sub : subcommands()) {
      CHECK(pages.front().find("\n  " + std::string(sub->name) + " ") != std::string::npos);
      pages.push_back(help::render(sub, width));
    }
    for (const auto& page : pages) {
      std::istringstream lines(page);
      for (std::string line; std::getline(lines, line);) {
        const auto word = line.find_first_not_of(' ');
        const bool one_word = line.find(' ', word) == std::string::npos; // may be longer
        CHECK_MESSAGE((line.size() <= width || one_word), line);
      }
    }
    for (std::size_t i = 0; i < subcommands().size(); ++i) {
      for (const auto& option : subcommands()[i]->options) {
        const std::string names(option.names);
        // A positional is shown by its name; the words it takes are said by its help.
        const bool positional = option.kind == OptionSpec::Kind::positional;
        const std::string label =
            names.substr(names.rfind(',') + 1) +
            (option.value.empty() || positional ? "" : " " + std::string(option.value));
        CHECK_MESSAGE(pages[i + 1].find(label) != std::string::npos, label);
      }
    }
  }
  CHECK(help::render(nullptr, 80).find("-u, --url URL") != std::string::npos);
  CHECK(help::render(find_subcommand("wait"), 80).find("-t, --timeout DUR") != std::string::npos);
}

TEST_CASE("the table names each subcommand once, and parsing runs the one named") {
  Fixture f;
  for (const auto* sub : subcommands()) {
    CHECK(find_subcommand(sub->name) == sub);
    std::vector<std::string> args{std::string(sub->name)};
    for (const auto& option : sub->options) {
      if (option.kind == OptionSpec::Kind::positional) { // a barrier's name, or the first word
        const std::string_view value = option.value;
        args.emplace_back(value.empty() ? "x" : value.substr(0, value.find('|')));
      }
      if (option.key() == "parties") {
        args.insert(args.end(), {"--" + std::string(option.key()), "1"});
      }
    }
    if (sub->name == "run" || sub->name == "once") { // they need their command
      args.insert(args.end(), {"--", "true"});
    }
    CHECK(f.parse(args).subcommand == sub);
  }
  CHECK(find_subcommand("launch") == nullptr);
}
