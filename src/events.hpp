// SPDX-License-Identifier: Apache-2.0
// A barrier's events, read with a blocking XREAD on from a stream position.
#pragma once

#include <span>
#include <vector>

#include "barrier.hpp"
#include "session.hpp"

namespace rbarrier {

// A barrier's events, for someone who waits on them (wait, status --watch): read with XREAD
// BLOCK on the session's one connection, on from the stream positions that arrive or status
// gave, so that nothing that happened since is missed, also across a reconnection.
class EventStream {
public:
  // With `progress`, arrivals and departures too; without, only outcomes, so that a party that
  // shows no progress is not woken by every arrival.
  EventStream(Session& session, const BarrierKeys& keys, bool progress)
      : m_session(session), m_keys(keys), m_progress(progress) {}

  // Reads on from `from`.
  void start_at(StreamPositions from) { m_from = std::move(from); }
  // Where it reads on from.
  const StreamPositions& position() const { return m_from; }

  struct Batch {
    std::vector<Event> events; // outcomes first, then arrivals and departures, each in order
    // The read needed another connection or node: the stored state is what to trust now (an
    // outcome replication lost in a failover is in no stream).
    bool reconnected = false;
  };

  // The events that come before `until` (all that are there, or the first to come), reconnecting
  // as the session does until `deadline`, past which the session's error is thrown. Entries that
  // are not events of this protocol are skipped.
  Batch next(Deadline until, Deadline deadline);
  // The same for several barriers' streams read together, with one XREAD on the session of the
  // first (which all share): a batch for each, in order. Their keys must be in one slot of a
  // Cluster.
  static std::vector<Batch> next_of(std::span<EventStream* const> streams, Deadline until,
                                    Deadline deadline);

  // Runs `attempt` (an arrival or an entry, returning an Arrival or an Entry) until it finds
  // room in a generation: while the generation is full (as many parties entered as the barrier
  // has, one still working), the party waits for its outcome and tries again, in the next
  // generation. Past `deadline` it throws TimeoutError, as the session does.
  template <typename Attempt>
  auto until_room(Attempt&& attempt, std::string_view name, Deadline deadline) {
    for (bool first = true;; first = false) {
      auto reply = attempt();
      if (reply.status != decltype(reply)::Status::full) {
        return reply;
      }
      await_room(reply, name, first, deadline);
    }
  }

  static constexpr Duration k_room_recheck = std::chrono::seconds(5);

private:
  // Reads on from `full`'s stream positions until an outcome event, a reconnection,
  // k_room_recheck or `deadline`, whichever comes first.
  void await_room(const Standing& full, std::string_view name, bool first, Deadline deadline);

  Session& m_session;
  const BarrierKeys& m_keys;
  bool m_progress;
  StreamPositions m_from;
};

} // namespace rbarrier
