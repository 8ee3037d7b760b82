// SPDX-License-Identifier: Apache-2.0
// rbarrier: parse the command line, run one subcommand, map what happened to an exit status.
#include <cstdlib>
#include <iostream>
#include <variant>

#include "cli.hpp"
#include "commands/commands.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace {

std::optional<std::string> get_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
  using namespace rbarrier;
  try {
    const auto parsed = cli::parse({argv + 1, argv + argc}, get_environment, std::cout);
    if (!parsed.invocation) {
      return parsed.exit_code;
    }
    const Invocation& invocation = *parsed.invocation;
    log::set_level(invocation.global.verbosity);
    log::set_termination_log(invocation.global.termination_log);
    const auto& global = invocation.global;
    const std::string& name = std::visit(
        [](const auto& options) -> const std::string& { return options.name; }, invocation.command);
    commands::Result result;
    try {
      result = invocation.subcommand->run(global, invocation.command);
    } catch (const Error& error) {
      throw Error(error.code(), fmt::format("barrier {}: {}", quote(name), error.what()));
    }
    if (!result.message.empty()) {
      log::error(result.message);
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
