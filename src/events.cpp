// SPDX-License-Identifier: Apache-2.0
// A barrier's events, read with a blocking XREAD on from a stream position.
#include "events.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier {

namespace {

// How many entries of a stream one read returns at most.
constexpr std::string_view k_batch = "1000";
// How much later than asked the server may answer a blocking read that found nothing (Redis
// checks blocked clients' timeouts from its cron: with thousands of clients, up to a second
// late), before the connection is taken for lost.
constexpr Duration k_late_reply = std::chrono::seconds(2);
// The same at the caller's deadline, which must not be overrun by more.
constexpr Duration k_late_at_deadline = std::chrono::milliseconds(250);

} // namespace

EventStream::Batch EventStream::next(Deadline until, Deadline deadline) {
  EventStream* self = this;
  return std::move(next_of({&self, 1}, until, deadline).front());
}

std::vector<EventStream::Batch> EventStream::next_of(std::span<EventStream* const> streams,
                                                     Deadline until, Deadline deadline) {
  constexpr std::string_view what = "XREAD";
  // Each key read, with where its events go and where it is read on from.
  struct Read {
    const std::string* key;
    std::size_t stream;
    std::string* from;
  };
  std::vector<Read> reads;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    EventStream& stream = *streams[i];
    reads.push_back({&stream.m_keys.events, i, &stream.m_from.events});
    if (stream.m_progress) {
      reads.push_back({&stream.m_keys.progress, i, &stream.m_from.progress});
    }
  }
  std::vector<Batch> batches(streams.size());
  int attempts = 0;
  const redis::Reply reply = streams.front()->m_session.run(
      [&](redis::Connection& connection, Deadline) {
        ++attempts;
        const auto now = Clock::now();
        // At least 1: BLOCK 0 would wait for ever.
        const auto block = std::max<std::int64_t>(
            1, std::chrono::ceil<Duration>(std::max(until, now) - now).count());
        std::vector<std::string> argv{
            "XREAD", "COUNT", std::string(k_batch), "BLOCK", std::to_string(block), "STREAMS"};
        for (const auto& read : reads) {
          argv.push_back(*read.key);
        }
        for (const auto& read : reads) {
          argv.push_back(*read.from);
        }
        const Deadline answer =
            now + Duration(block) + (until >= deadline ? k_late_at_deadline : k_late_reply);
        redis::Reply read = connection.command(argv, answer);
        read.check();
        return read;
      },
      deadline);
  for (auto& batch : batches) {
    batch.reconnected = attempts > 1;
  }
  if (reply.is_nil()) { // nothing came in time
    return batches;
  }
  for (const auto& stream : reply.as_array(what)) {
    const auto& parts = stream.as_array(what);
    if (parts.size() != 2) {
      throw ProtocolError(fmt::format("unexpected reply for XREAD: {}", stream.describe()));
    }
    const auto& key = parts[0].as_string(what);
    const auto read =
        std::find_if(reads.begin(), reads.end(), [&](const Read& r) { return *r.key == key; });
    if (read == reads.end()) {
      throw ProtocolError(fmt::format("XREAD replied for a stream not read: {}", quote(key)));
    }
    for (const auto& entry : parts[1].as_array(what)) {
      const auto& id_fields = entry.as_array(what);
      if (id_fields.size() != 2) {
        throw ProtocolError(fmt::format("unexpected entry in XREAD's reply: {}", entry.describe()));
      }
      *read->from = id_fields[0].as_string(what);
      if (id_fields[1].is_nil()) {
        continue; // an entry deleted meanwhile
      }
      if (auto event = decode_event(id_fields[1])) {
        batches[read->stream].events.push_back(std::move(*event));
      }
    }
  }
  return batches;
}

void EventStream::await_room(const Standing& full, std::string_view name, bool first,
                             Deadline deadline) {
  if (first) {
    log::verbose("barrier {} is full ({}/{} entered, one still working): waiting for generation "
                 "{} to end",
                 quote(name), full.count, full.parties, full.generation);
  }
  start_at(full.from);
  const Deadline until = std::min(deadline, Clock::now() + k_room_recheck);
  while (Clock::now() < until) {
    const auto batch = next(until, deadline);
    const bool outcome = std::any_of(batch.events.begin(), batch.events.end(),
                                     [](const Event& e) { return e.is_outcome(); });
    if (outcome || batch.reconnected) {
      return;
    }
  }
  if (Clock::now() >= deadline) {
    throw TimeoutError("the deadline passed");
  }
}

} // namespace rbarrier
