// SPDX-License-Identifier: Apache-2.0
#include "barrier.hpp"

#include <charconv>
#include <fmt/format.h>

#include "util/error.hpp"

namespace rbarrier {

namespace {

using redis::Reply;

std::int64_t to_int(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw ProtocolError(fmt::format("unexpected {} \"{}\" in a reply", what, text));
  }
  return value;
}

// The strings of an array reply with at least `min` elements.
std::vector<std::string> strings(const Reply& reply, std::string_view what, std::size_t min) {
  const auto& elements = reply.as_array(what);
  if (elements.size() < min) {
    throw ProtocolError(
        fmt::format("unexpected reply for {}: {} elements, wanted {}", what, elements.size(), min));
  }
  std::vector<std::string> out;
  out.reserve(elements.size());
  for (const auto& element : elements) {
    out.push_back(element.as_string(what));
  }
  return out;
}

// Splits off the next space-separated word of `text`.
std::string_view next_word(std::string_view& text) {
  const auto space = text.find(' ');
  const std::string_view word = text.substr(0, space);
  text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  return word;
}

} // namespace

std::string hash_tag(std::string_view name) {
  std::string tag;
  tag.reserve(name.size());
  for (const char c : name) {
    if (c == '%') {
      tag += "%25";
    } else if (c == '}') {
      tag += "%7D";
    } else {
      tag += c;
    }
  }
  return tag;
}

BarrierKeys::BarrierKeys(std::string_view prefix, std::string_view name)
    : meta(fmt::format("{}{{{}}}", prefix, hash_tag(name))), progress(meta + ":progress"),
      members(meta + ":members"), outcomes(meta + ":outcomes") {}

std::string BarrierKeys::arrival(std::string_view nonce) const {
  return fmt::format("{}:arrival:{}", meta, nonce);
}

Decision parse_decision(std::string_view text) {
  if (text == "released") {
    return {Outcome::released, {}};
  }
  if (text == "reset") {
    return {Outcome::reset, {}};
  }
  if (text.starts_with("aborted:")) {
    return {Outcome::aborted, std::string(text.substr(8))};
  }
  throw ProtocolError(fmt::format("unknown outcome \"{}\"", text));
}

std::optional<Event> parse_event(std::string_view payload) {
  Event event;
  const std::string_view kind = next_word(payload);
  try {
    if (kind == "arrived" || kind == "left") {
      event.kind = kind == "arrived" ? Event::Kind::arrived : Event::Kind::left;
      event.generation = to_int(next_word(payload), "generation");
      event.count = to_int(next_word(payload), "count");
      event.parties = to_int(next_word(payload), "parties");
      event.token = std::string(next_word(payload));
    } else if (kind == "released" || kind == "reset" || kind == "aborted") {
      event.kind = kind == "released" ? Event::Kind::released
                   : kind == "reset"  ? Event::Kind::reset
                                      : Event::Kind::aborted;
      event.generation = to_int(next_word(payload), "generation");
      event.token = std::string(next_word(payload));
      event.reason = std::string(payload);
    } else {
      return std::nullopt;
    }
  } catch (const ProtocolError&) {
    return std::nullopt;
  }
  if (event.token.empty()) {
    return std::nullopt;
  }
  return event;
}

Arrival decode_arrival(const Reply& reply) {
  const auto v = strings(reply, "arrive", 6);
  Arrival arrival;
  if (v[0] == "waiting") {
    arrival.status = Arrival::Status::waiting;
  } else if (v[0] == "released") {
    arrival.status = Arrival::Status::released;
  } else if (v[0] == "passed") {
    arrival.status = Arrival::Status::passed;
  } else if (v[0] == "broken") {
    arrival.status = Arrival::Status::broken;
  } else if (v[0] == "mismatch") {
    arrival.status = Arrival::Status::mismatch;
  } else {
    throw ProtocolError(fmt::format("unknown arrival status \"{}\"", v[0]));
  }
  arrival.generation = to_int(v[1], "generation");
  arrival.count = to_int(v[2], "count");
  arrival.parties = to_int(v[3], "parties");
  arrival.token = v[4];
  arrival.detail = v[5];
  return arrival;
}

Check decode_check(const Reply& reply) {
  const auto v = strings(reply, "barrier check", 2);
  Check check;
  if (v[0] == "decided") {
    check.status = Check::Status::decided;
    check.decision = parse_decision(v[1]);
    if (v.size() >= 3) {
      check.generation = to_int(v[2], "generation");
    }
  } else if (v[0] == "lost") {
    check.status = Check::Status::lost;
    check.why = v[1];
  } else if (v[0] == "waiting" && v.size() >= 3) {
    check.status = Check::Status::waiting;
    check.count = to_int(v[1], "count");
    check.parties = to_int(v[2], "parties");
  } else if (v[0] == "left") {
    check.status = Check::Status::left;
    check.count = to_int(v[1], "count");
  } else if (v[0] == "aborted") {
    check.status = Check::Status::aborted;
  } else {
    throw ProtocolError(fmt::format("unknown check status \"{}\"", v[0]));
  }
  return check;
}

std::optional<Snapshot> decode_snapshot(const Reply& reply) {
  const auto v = strings(reply, "status", 0);
  if (v.empty()) {
    return std::nullopt;
  }
  if (v.size() < 9 || (v.size() - 9) % 2 != 0) {
    throw ProtocolError(fmt::format("unexpected reply for status: {} elements", v.size()));
  }
  Snapshot s;
  s.generation = to_int(v[0], "generation");
  if (!v[1].empty()) {
    s.parties = to_int(v[1], "parties");
  }
  s.state = v[2];
  s.reason = v[3];
  s.once = v[4] == "1";
  s.created_ms = to_int(v[5], "creation time");
  s.now_ms = to_int(v[6], "server time");
  s.ttl = Duration(to_int(v[7], "ttl"));
  if (!v[8].empty()) {
    s.last = parse_decision(v[8]);
  }
  for (std::size_t i = 9; i < v.size(); i += 2) {
    s.members.push_back({v[i], Duration(to_int(v[i + 1], "lease"))});
  }
  return s;
}

Barrier::Barrier(std::string_view prefix, std::string_view name, Duration ttl)
    : m_keys(prefix, name), m_ttl_ms(std::to_string(ttl.count())) {}

Reply Barrier::run(redis::Connection& connection, const scripts::Script& script,
                   std::vector<std::string> keys, std::vector<std::string> args,
                   Deadline deadline) const {
  std::vector<std::string> argv{"EVALSHA", std::string(script.sha1), std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.push_back(m_ttl_ms);
  argv.insert(argv.end(), args.begin(), args.end());
  Reply reply = connection.command(argv, deadline);
  if (reply.is_error() && reply.str.starts_with("NOSCRIPT")) {
    // The server's script cache was flushed or never had it: EVAL sends and caches it.
    argv[0] = "EVAL";
    argv[1] = std::string(script.text);
    reply = connection.command(argv, deadline);
  }
  reply.check();
  return reply;
}

Arrival Barrier::arrive(redis::Connection& connection, const std::string& id,
                        const std::string& nonce, std::int64_t parties, Duration lease, bool once,
                        const std::string& new_token, Deadline deadline) const {
  return decode_arrival(
      run(connection, scripts::k_arrive,
          {m_keys.meta, m_keys.members, m_keys.outcomes, m_keys.arrival(nonce)},
          {id, std::to_string(parties), std::to_string(lease.count()), once ? "1" : "0", new_token},
          deadline));
}

Check Barrier::poll(redis::Connection& connection, const std::string& id, std::int64_t generation,
                    const std::string& token, Duration lease, Deadline deadline) const {
  return decode_check(
      run(connection, scripts::k_poll, {m_keys.meta, m_keys.members, m_keys.outcomes},
          {id, std::to_string(generation), token, std::to_string(lease.count())}, deadline));
}

Check Barrier::leave(redis::Connection& connection, const std::string& id, const std::string& nonce,
                     std::optional<std::int64_t> generation, const std::string& token,
                     Duration lease, Deadline deadline) const {
  return decode_check(run(connection, scripts::k_leave,
                          {m_keys.meta, m_keys.members, m_keys.outcomes, m_keys.arrival(nonce)},
                          {id, generation ? std::to_string(*generation) : "",
                           generation ? token : "", std::to_string(lease.count())},
                          deadline));
}

std::optional<std::int64_t> Barrier::reset(redis::Connection& connection, Deadline deadline) const {
  const auto v = strings(run(connection, scripts::k_reset,
                             {m_keys.meta, m_keys.members, m_keys.outcomes}, {}, deadline),
                         "reset", 1);
  if (v[0] == "none") {
    return std::nullopt;
  }
  if (v[0] != "reset" || v.size() < 2) {
    throw ProtocolError(fmt::format("unexpected reply for reset: \"{}\"", v[0]));
  }
  return to_int(v[1], "generation");
}

Check Barrier::abort(redis::Connection& connection, const std::string& reason,
                     const std::string& new_token, std::optional<std::int64_t> generation,
                     const std::string& token, Deadline deadline) const {
  return decode_check(run(
      connection, scripts::k_abort, {m_keys.meta, m_keys.members, m_keys.outcomes},
      {reason, new_token, generation ? std::to_string(*generation) : "", generation ? token : ""},
      deadline));
}

std::optional<Snapshot> Barrier::status(redis::Connection& connection, Deadline deadline) const {
  return decode_snapshot(run(connection, scripts::k_status,
                             {m_keys.meta, m_keys.members, m_keys.outcomes}, {}, deadline));
}

} // namespace rbarrier
