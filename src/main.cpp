// SPDX-License-Identifier: Apache-2.0
// rbarrier: parse the command line, run one subcommand, map what happened to an exit status.
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "ending.hpp"
#include "output.hpp"
#include "report.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"

namespace {

std::optional<std::string> get_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
  using namespace rbarrier;
  // First: a SIGINT or SIGTERM from now on is recorded and ends the command with its status
  // (130, 143) and a line saying what it interrupted, also while the first connection is made.
  signals::install();
  try {
    const auto parsed = cli::parse({argv + 1, argv + argc}, get_environment, std::cout);
    if (!parsed.invocation) {
      return parsed.exit_code;
    }
    const Invocation& invocation = *parsed.invocation;
    log::set_level(invocation.global.verbosity);
    log::set_termination_log(invocation.global.termination_log);
    const auto& global = invocation.global;
    const std::string& name = invocation.command.name;
    const auto& subcommand = *invocation.subcommand;
    // What a message is about: the barrier, or the subcommand of none (list).
    const std::string subject =
        name.empty() ? std::string(subcommand.name) : "barrier " + quote(name);
    Result result;
    try {
      result = invocation.command.run(global);
    } catch (const Error& error) {
      result = {Ending::error, to_int(error.code()), fmt::format("{}: {}", subject, error.what())};
    } catch (const Interrupted& interrupted) {
      // Before it knew what the server did: a change may or may not have taken effect.
      result = stopped_by(
          interrupted.signo,
          fmt::format("running {}{}{}", subcommand.name, name.empty() ? "" : " on " + subject,
                      subcommand.reads_only ? "" : ": whether it took effect is unknown"));
    }
    if (!result.message.empty()) {
      log::error(result.message);
    }
    // --json: one object whatever the ending, once the command line parsed.
    if (invocation.command.json && !printed()) {
      std::fputs(error_json(result, name).c_str(), stdout);
      std::fflush(stdout);
    }
    return result.exit_code;
  } catch (const Error& error) {
    log::error(error.what());
    return to_int(error.code());
  } catch (const std::exception& error) {
    log::error(fmt::format("internal error: {}", error.what()));
    return to_int(ExitCode::internal);
  }
}
