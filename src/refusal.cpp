// SPDX-License-Identifier: Apache-2.0
// The refusals of an arrival or an entry: a broken barrier, or a --parties, --once or --members
// that is not the barrier's.
#include "refusal.hpp"

#include <fmt/format.h>

#include "util/text.hpp"

namespace rbarrier {

namespace {

Result refused(const Standing& arrival, const std::string& name, const Shape& shape,
               const std::string& id, std::size_t members) {
  if (arrival.refused == Refused::broken) {
    return {Ending::broken,
            arrival.reason.empty()
                ? fmt::format("barrier {} is broken; reset it to use it again", quote(name))
                : fmt::format("barrier {} is broken: {}; reset it to use it again", quote(name),
                              arrival.reason)};
  }
  if (arrival.command) {
    return {Ending::mismatch,
            fmt::format("barrier {} is a command run once (rbarrier once), not a barrier of "
                        "parties: use another name",
                        quote(name))};
  }
  // A mismatch says what the barrier holds, and what to do: the first party fixed it.
  const std::string remedy = fmt::format(
      " (the first party of a generation fixes it): reset {} to change it, or use another name",
      quote(name));
  if (arrival.refused == Refused::members) {
    const std::string expected = arrival.members == 0
                                     ? std::string("no --members")
                                     : fmt::format("other --members ({} ids)", arrival.members);
    return {Ending::mismatch,
            (members == 0 ? fmt::format("barrier {} expects {}; this party ({}) gave none",
                                        quote(name), expected, quote(id))
                          : fmt::format("barrier {} expects {}; this party ({}) gave {} ids",
                                        quote(name), expected, quote(id), members)) +
                remedy};
  }
  const bool barrier_once = arrival.once;
  if (barrier_once != shape.once) {
    return {Ending::mismatch,
            fmt::format("barrier {} was created {} --once, this party {} it", quote(name),
                        barrier_once ? "with" : "without", shape.once ? "gave" : "lacks") +
                remedy};
  }
  if (arrival.timing.action != shape.action) {
    return {Ending::mismatch,
            fmt::format("barrier {} was created {} a barrier action (--action), this party {} one",
                        quote(name), arrival.timing.action ? "with" : "without",
                        shape.action ? "gave" : "lacks") +
                remedy};
  }
  const std::int64_t barrier_min = arrival.timing.fewest(arrival.parties);
  if (arrival.parties == shape.parties && barrier_min == shape.fewest() &&
      arrival.timing.rank_by != shape.rank_by) {
    return {Ending::mismatch,
            fmt::format("barrier {} ranks by {}, this party asked for {}", quote(name),
                        name_of(arrival.timing.rank_by), name_of(shape.rank_by)) +
                remedy};
  }
  return {Ending::mismatch, fmt::format("barrier {} has --parties {}, this party asked for {}",
                                        quote(name), parties_text(barrier_min, arrival.parties),
                                        parties_text(shape.fewest(), shape.parties)) +
                                remedy};
}

} // namespace

Result refusal(const Standing& arrival, const std::string& name, const Shape& shape,
               const std::string& id, std::size_t members, Report& report) {
  Result result = refused(arrival, name, shape, id, members);
  const bool broken = arrival.refused == Refused::broken;
  // The barrier's reason when broken; for a mismatch, what differs (the detail is only a flag).
  report.reason = broken ? arrival.reason : result.message;
  return result;
}

} // namespace rbarrier
