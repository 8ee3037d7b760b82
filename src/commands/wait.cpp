// SPDX-License-Identifier: Apache-2.0
// rbarrier wait NAME: wait until N parties have arrived.
#include <fmt/format.h>

#include "commands/commands.hpp"
#include "util/text.hpp"
#include "waiter.hpp"

namespace rbarrier::commands {

namespace {

using Kind = OptionSpec::Kind;

constexpr OptionSpec k_options[] = {
    k_name_option,
    k_parties_option,
    k_last_call_option,
    k_deadline_option,
    k_rank_by_option,
    k_action_option,
    k_timeout_option,
    k_id_option,
    {"--lease", Kind::value, "DUR",
     "withdraw this party if it stops renewing for DUR (default 30s)"},
    {"--on-timeout", Kind::value, "leave|break",
     "leave: withdraw and exit 124 (default); break: abort the barrier for all"},
    k_once_option,
    k_members_option,
    k_data_option,
    k_json_option,
};

Result wait_for_release(const GlobalOptions& global, const WaitOptions& options) {
  return Waiter(global, options).run();
}

Prepared build(const Values& values, const GlobalOptions& global) {
  WaitOptions options = waiting_options(values, global);
  if (const auto& on_timeout = values["on-timeout"]; values.given("on-timeout")) {
    if (on_timeout != "leave" && on_timeout != "break") {
      throw UsageError(fmt::format("invalid value {} for --on-timeout: expected leave or break",
                                   quote(on_timeout)));
    }
    options.on_timeout = on_timeout == "break" ? OnTimeout::abort : OnTimeout::leave;
  }
  options.shape.once = values.given("once");
  options.command = values.all("--");
  return prepare(std::move(options), wait_for_release);
}

} // namespace

WaitOptions waiting_options(const Values& values, const GlobalOptions& global) {
  WaitOptions options;
  options.name = barrier_name(values);
  auto who = membership(values, Clock::now() + global.server.connect_timeout);
  options.shape = who.shape;
  options.members = std::move(who.members);
  options.id = std::move(who.id);
  options.data = std::move(who.data);
  options.json = values.given("json");
  options.timeout = timeout(values);
  options.lease = lease(values, global);
  if (values.given("action")) {
    options.action = values["action"];
    if (options.action.empty()) {
      throw UsageError("--action needs a command line");
    }
    options.shape.action = true;
  }
  return options;
}

extern const Subcommand k_wait{
    .name = "wait",
    .summary = "wait until N (or MIN to MAX) processes have arrived at NAME",
    .options = k_options,
    .footer = "After \"--\", CMD [ARGS...] is run once the barrier is released, and its exit "
              "status becomes rbarrier's.",
    .command = Subcommand::Command::optional,
    .build = build};

} // namespace rbarrier::commands
