// SPDX-License-Identifier: Apache-2.0
// The table of subcommands, and the values the command line gives them.
#include <algorithm>
#include <fmt/format.h>

#include "subcommand.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace rbarrier {

// Every subcommand, in the order --help lists them. A new one is a file in src/commands/ that
// defines its Subcommand, and its line here.
namespace commands {
extern const Subcommand k_wait, k_arrive, k_await, k_run, k_once, k_reset, k_delete, k_list,
    k_abort, k_status, k_completion;
}

namespace {

const Subcommand* const k_subcommands[] = {
    &commands::k_wait,  &commands::k_arrive, &commands::k_await,      &commands::k_run,
    &commands::k_once,  &commands::k_reset,  &commands::k_delete,     &commands::k_list,
    &commands::k_abort, &commands::k_status, &commands::k_completion,
};

const std::vector<std::string> k_none;
const std::string k_empty;

} // namespace

std::string_view OptionSpec::key() const {
  if (kind == Kind::positional) {
    return names;
  }
  const auto dashes = names.find("--");
  const std::string_view name = dashes == std::string_view::npos ? names : names.substr(dashes + 2);
  return name.substr(0, name.find(','));
}

void Values::add(std::string_view key, std::string value) {
  for (auto& [name, values] : m_values) {
    if (name == key) {
      values.push_back(std::move(value));
      return;
    }
  }
  m_values.emplace_back(std::string(key), std::vector<std::string>{std::move(value)});
}

const std::vector<std::string>* Values::find(std::string_view key) const {
  for (const auto& [name, values] : m_values) {
    if (name == key) {
      return &values;
    }
  }
  return nullptr;
}

const std::string& Values::operator[](std::string_view key) const {
  const auto* values = find(key);
  return values && !values->empty() ? values->back() : k_empty;
}

const std::vector<std::string>& Values::all(std::string_view key) const {
  const auto* values = find(key);
  return values ? *values : k_none;
}

std::span<const Subcommand* const> subcommands() { return k_subcommands; }

const Subcommand* find_subcommand(std::string_view name) {
  const auto found = std::find_if(std::begin(k_subcommands), std::end(k_subcommands),
                                  [&](const Subcommand* sub) { return sub->name == name; });
  return found == std::end(k_subcommands) ? nullptr : *found;
}

const std::string& barrier_name(const Values& values) {
  const std::string& name = values["NAME"];
  if (name.empty()) {
    throw UsageError("the barrier name must not be empty");
  }
  return name;
}

std::optional<std::string> member_id(const Values& values) {
  if (!values.given("id")) {
    return std::nullopt;
  }
  if (values["id"].empty()) {
    throw UsageError("invalid value \"\" for --id: must not be empty");
  }
  return values["id"];
}

std::optional<Duration> timeout(const Values& values) {
  // Only the literal 0 waits for ever: "0ms" is a deadline already passed.
  if (!values.given("timeout") || values["timeout"] == "0") {
    return std::nullopt;
  }
  return parse_duration("--timeout", values["timeout"]);
}

Duration lease(const Values& values, const GlobalOptions& global) {
  Duration lease = std::chrono::seconds(30);
  if (values.given("lease")) {
    lease = parse_duration("--lease", values["lease"]);
    if (lease < std::chrono::milliseconds(100)) {
      throw UsageError(fmt::format("invalid value {} for --lease: must be at least 100ms",
                                   quote(values["lease"])));
    }
  }
  if (global.ttl < lease) {
    throw UsageError(fmt::format("--ttl {} must not be shorter than --lease {}: a barrier's keys "
                                 "must outlive a lease",
                                 format_duration(global.ttl), format_duration(lease)));
  }
  return lease;
}

} // namespace rbarrier
