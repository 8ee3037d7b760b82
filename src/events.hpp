// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "redis/connection.hpp"
#include "session.hpp"

namespace rbarrier {

// A barrier's events, for someone who waits on them (wait, status --watch): a subscription on a
// connection of its own, made again whenever it breaks. Pub/sub is at most once, so after every
// (re)subscription the caller is told to check the stored state: check() subscribes first and
// then runs the check, and next() says `lost` when messages may have been missed.
class EventStream {
public:
  EventStream(Session& session, std::vector<std::string> channels)
      : m_session(session), m_channels(std::move(channels)) {}

  // Runs `fn(connection, attempt)` through the session's retry loop, subscribed first, so that
  // whatever changes after the check is seen as an event. An attempt that fails drops the
  // subscription too: the next attempt subscribes again before it checks.
  template <typename Fn> auto check(Fn&& fn, Deadline deadline) {
    return m_session.run(
        [&](redis::Connection& connection, Deadline attempt) {
          try {
            if (!m_subscriber) {
              m_subscriber = m_session.subscribe(m_channels, attempt);
            }
            return fn(connection, attempt);
          } catch (const Error&) {
            m_subscriber.reset();
            throw;
          }
        },
        deadline);
  }

  struct Next {
    enum class Kind { message, timeout, lost };
    Kind kind = Kind::timeout;
    std::string channel; // message
    std::string payload; // message
  };

  // The next message, waiting until `until`. `lost`: the subscription broke (the session says
  // so once on stderr); check() subscribes again, and must be called before trusting anything.
  // Needs a subscription: call check() first.
  Next next(Deadline until);

  // Drops the subscription's connection (before running a command, or after a signal).
  void close() { m_subscriber.reset(); }

private:
  Session& m_session;
  std::vector<std::string> m_channels;
  std::unique_ptr<redis::Connection> m_subscriber;
};

} // namespace rbarrier
