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

template <typename... Ts> struct Overloaded : Ts... { using Ts::operator()...; };
template <typename... Ts> Overloaded(Ts...) -> Overloaded<Ts...>;

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
      result = std::visit(
          Overloaded{
              [&](const WaitOptions& options) { return commands::wait(global, options); },
              [&](const ResetOptions& options) { return commands::reset(global, options); },
              [&](const AbortOptions& options) { return commands::abort(global, options); },
              [&](const StatusOptions& options) { return commands::status(global, options); },
          },
          invocation.command);
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
