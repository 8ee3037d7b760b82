// SPDX-License-Identifier: Apache-2.0
// A party that waits for an outcome: events and checks, progress, the command after a release.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "party.hpp"

namespace rbarrier {

// A party that waits for the outcome of one generation of a barrier -- a waiting party (wait, and
// run's once its command succeeded) and an awaiting one (await): its events read from the
// streams and a check of the stored state now and then, the progress shown meanwhile, and the
// command run after a release.
class Watcher : public Party {
public:
  // The whole wait, in the party's frame: start(), then, unless that decided, the events until
  // the outcome.
  Result run();

protected:
  // `live` says what the party does, for the live line: "waiting at", "awaiting". With `json`,
  // the outcome is printed as JSON on stdout (report.hpp).
  // With `shared`, its session is that of other watchers awaited together (see Party). An empty
  // `live` shows no live line of its own (one of several barriers awaited together, whose line
  // their gathering draws from progress()).
  Watcher(const GlobalOptions& global, const std::string& name,
          const std::vector<std::string>& command, Deadline deadline, std::string_view live,
          bool json, Session* shared = nullptr);

  // The steps of run(), for who reads the events of several watchers at once (await on several
  // barriers): start(), after which checks are due; the time the next check is due; and what a
  // batch of its events (and the check they call for) decides, nullopt when nothing is decided
  // or its deadline passed (which the caller acts on).
  std::optional<Result> begin();
  Deadline due() const;
  std::optional<Result> take(const EventStream::Batch& batch);
  // Its --json report, with `ending` and the generation, parties and id as they are now.
  Report report(Ending ending) const;
  // How many arrived of how many: "2/3 arrived" (the live line's).
  std::string progress() const;

  // The first step (the arrival, or the first look): the result when it decides, else nullopt.
  // It sets m_generation and the events' positions.
  virtual std::optional<Result> start() = 0;
  // How often to check the stored state while nothing happens.
  virtual Duration check_interval() const = 0;
  // The stored state: the outcome, or nullopt while undecided.
  virtual std::optional<Result> check() = 0;
  // Whether an outcome event of `m_generation` with this token is this party's.
  virtual bool ours(const Event& event) const { return event.token == m_token; }

  Result on_decision(const Decision& decision);
  // After a release (`how`: released, or passed for a latch passed already): runs the command if
  // there is one (with RBARRIER_* in its environment), else exit 0. With `roster`, the members of
  // the generation are read for --json and the command (RBARRIER_RANK, RBARRIER_MEMBERS) when
  // either wants them: one command.
  Result released(bool roster = true, Ending how = Ending::released);
  // How many have arrived, from a check or an event: shown when it changed.
  void counted(std::int64_t count, std::int64_t parties);
  // Draws the live line on a terminal: barrier, arrived/parties, time waited.
  void show_progress() const;

  const std::vector<std::string>& m_command;

private:
  // Reads events until the outcome of `m_generation` comes, checking the stored state every
  // check_interval() (and after a reconnection, or an event it cannot place); at the deadline,
  // the result of on_timeout().
  Result wait_for_outcome();
  // Puts RBARRIER_* in the environment of the command run after a release.
  void export_release() const;
  // Prints report(ending) as JSON on stdout.
  void print_report(Ending ending);
  std::optional<Result> on_event(const Event& event);
  // When the live line's time next changes, or never when there is none.
  Deadline next_tick() const;

  Deadline m_next_check = k_never;
  bool m_checked = false; // the stored state was checked once: learn_cluster() was asked
  Deadline m_started;
  bool m_live; // the live line is shown
  std::string_view m_doing;
  bool m_json;
};

// Puts RBARRIER_* in the environment of a command: the barrier's name, the generation, parties
// and the party's id (none when empty); with `members` (in rank order), RBARRIER_MEMBERS and the
// party's RBARRIER_RANK. Each variable's name ends with `suffix` (RBARRIER_NAME_2: the second
// of several barriers awaited).
void export_party(const std::string& name, std::int64_t generation, std::int64_t parties,
                  const std::string& id, const std::optional<std::vector<std::string>>& members,
                  std::string_view suffix = "");

// The time waited since `since`, for a live line: "0s", "4s", "1m2s"; and when it next changes.
std::string waited_text(Deadline since);
Deadline next_second(Deadline since);

// Runs `command` in this process's place, after `released` ("barrier "x"") was; returns only
// when it cannot be run: the error (127 when it is not found, else 126).
Result exec_after(const std::vector<std::string>& command, std::string_view released);

} // namespace rbarrier
