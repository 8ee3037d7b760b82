// SPDX-License-Identifier: Apache-2.0
#include "events.hpp"

namespace rbarrier {

EventStream::Next EventStream::next(Deadline until) {
  constexpr std::string_view what = "a pub/sub message";
  for (;;) {
    std::optional<redis::Reply> message;
    try {
      message = m_subscriber->receive(until);
    } catch (const ConnectionError& error) {
      // Messages sent while it reconnects are lost: the caller checks after subscribing again.
      m_session.note_lost(error);
      m_subscriber.reset();
      return {Next::Kind::lost, {}, {}};
    }
    if (!message) {
      return {};
    }
    const auto& parts = message->as_array(what);
    if (parts.size() == 3 && parts[0].as_string(what) == "message") {
      return {Next::Kind::message, parts[1].as_string(what), parts[2].as_string(what)};
    }
  }
}

} // namespace rbarrier
