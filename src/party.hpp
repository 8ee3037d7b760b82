// SPDX-License-Identifier: Apache-2.0
// A party of a barrier: what waiting, awaiting and working parties all have and do.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "barrier.hpp"
#include "ending.hpp"
#include "events.hpp"
#include "options.hpp"
#include "report.hpp"
#include "session.hpp"

namespace rbarrier {

// How often a party checks the stored state at most while nothing happens.
inline constexpr Duration k_max_check_interval = std::chrono::seconds(5);

// The members of released `generation` of barrier `name` in rank order, read with one command
// within `timeout`; nullopt, with a warning, when they cannot be read or are no longer kept (the
// outcome stands: the roster only adds to it).
std::optional<std::vector<RosterEntry>> read_roster(Session& session, const Barrier& barrier,
                                                    std::int64_t generation, std::string_view name,
                                                    Duration timeout);

// Says that an arrival came after its elastic generation was released without it, and counts in
// the next one (Standing::late).
void note_late(std::string_view name, const Arrival& arrival);

// The engine every kind of party runs on: a waiting party (wait, and run's once its command
// succeeded: Waiter), an awaiting one (await) and a working one (run's while its command runs).
// It holds the session and the barrier, the generation and instance the party is in, the
// barrier's events, the party's deadline and its --json report; it turns a deadline and a signal
// into the party's ending, and says what an outcome of its generation means for it, so that these
// rules are written once for every kind.
class Party {
public:
  Party(const Party&) = delete;
  Party& operator=(const Party&) = delete;
  virtual ~Party() = default;

protected:
  // With `progress`, the events read include arrivals and departures (for who shows them). With
  // `shared`, the party talks to the server through that session (await on several barriers:
  // one connection for all), else through its own.
  Party(const GlobalOptions& global, const std::string& name, Deadline deadline, bool progress,
        Session* shared = nullptr);

  // Runs `body` within the party's frame: a deadline that comes while the server does not answer
  // is still a timeout, ended by on_timeout(); a signal ends it through on_signal() (main()
  // installed the handlers before anything was made).
  Result framed(const std::function<Result()>& body);
  virtual Result on_timeout() = 0;
  virtual Result on_signal(int signo) = 0;
  // What the party does now, for messages: "waiting", "awaiting", "entering", "working".
  virtual std::string_view doing() const = 0;

  // Takes in the reply to an arrival or an entry: its generation, parties, count and instance,
  // the stream positions from which to read on, and its timing.
  void adopt(const Standing& reply);
  // Takes in what a reply says of the generation's time: the party checks the stored state when
  // the last call ends or the deadline passes (m_wake), which decides them.
  void timed(const Timing& timing);
  // A last call that ends in `closes_in`, from the event that opened it.
  void called(Duration closes_in);
  // How the outcome of its generation ends the party when it is a reset or an abort, with the
  // reason for --json.
  Result ended_by(const Decision& decision);
  // Its generation's deadline passed: `reason` is the stored outcome's (parse_expiry).
  Result expired(const std::string& reason);
  // The barrier's state was lost (restarted without persistence, deleted) while it did `doing`.
  Result lost(const std::string& why, std::string_view doing);
  std::string name() const; // quoted, for messages

  const GlobalOptions& m_global;
  const std::string m_name;
  std::unique_ptr<Session> m_own_session; // unless the session is shared
  Session& m_session;
  Barrier m_barrier;
  EventStream m_events;
  Deadline m_deadline;
  Timing m_timing; // as the last reply said
  Deadline m_wake = k_never; // when the last call ends or the deadline passes: check then
  std::int64_t m_generation = 0;
  std::int64_t m_parties = 0;
  std::int64_t m_count = 0; // arrived (waiting, awaiting) or entered (working)
  std::string m_token; // the barrier's instance
  std::string m_id; // the party's member id (RBARRIER_ID); empty for a party not counted
  Report m_report; // for --json: what goes with the outcome
  bool m_signalled = false; // a signal ends the party: it reports an outcome, runs no command
};

} // namespace rbarrier
