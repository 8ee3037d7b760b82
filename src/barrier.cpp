// SPDX-License-Identifier: Apache-2.0
// The protocol over a connection: a barrier's keys, its scripts run, their replies decoded.
#include "barrier.hpp"

#include <algorithm>
#include <span>
#include <map>
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

void scan_keys(redis::Connection& connection, const std::string& pattern, Duration each,
               const std::function<void(const std::vector<std::string>&)>& page) {
  std::string cursor = "0";
  do {
    ScanPage next = scan_page(connection, pattern, cursor, Clock::now() + each);
    page(next.keys);
    cursor = std::move(next.cursor);
  } while (cursor != "0");
}

ScanPage scan_page(redis::Connection& connection, const std::string& pattern,
                   const std::string& cursor, Deadline deadline) {
  const redis::Reply reply =
      connection.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}, deadline).check();
  const auto& parts = reply.as_array("SCAN");
  if (parts.size() != 2) {
    throw ProtocolError("unexpected reply for SCAN");
  }
  ScanPage page{parts[0].as_string("SCAN cursor"), {}};
  for (const auto& key : parts[1].as_array("SCAN keys")) {
    page.keys.push_back(key.as_string("key"));
  }
  return page;
}

std::optional<std::string> name_of_key(std::string_view prefix, std::string_view key) {
  if (!key.starts_with(prefix) || key.size() < prefix.size() + 2 || key[prefix.size()] != '{' ||
      key.back() != '}') {
    return std::nullopt;
  }
  const std::string_view tag = key.substr(prefix.size() + 1, key.size() - prefix.size() - 2);
  std::string name;
  for (std::size_t i = 0; i < tag.size(); ++i) {
    if (tag[i] == '}') {
      return std::nullopt; // a derived key whose suffix ends with "}"
    }
    if (tag[i] == '%') {
      const std::string_view escape = tag.substr(i, 3);
      if (escape != "%25" && escape != "%7D") {
        return std::nullopt;
      }
      name += escape == "%25" ? '%' : '}';
      i += 2;
    } else {
      name += tag[i];
    }
  }
  return name;
}

BarrierKeys::BarrierKeys(std::string_view prefix, std::string_view name)
    : meta(fmt::format("{}{{{}}}", prefix, hash_tag(name))), members(meta + ":members"),
      outcomes(meta + ":outcomes"), events(meta + ":events"), progress(meta + ":progress"),
      data(meta + ":data"), working(meta + ":working") {}

std::string BarrierKeys::arrival(std::string_view nonce) const {
  return fmt::format("{}:arrival:{}", meta, nonce);
}

std::string BarrierKeys::ranked(std::int64_t generation) const {
  return fmt::format("{}:roster:{}:ranked", meta, generation);
}

std::string BarrierKeys::derived_pattern() const { return glob_escape(meta) + ":*"; }

std::string glob_escape(std::string_view text) {
  std::string pattern;
  for (const char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
      pattern += '\\';
    }
    pattern += c;
  }
  return pattern;
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
  if (text.starts_with("expired:")) {
    return {Outcome::expired, std::string(text.substr(8))};
  }
  throw ProtocolError(fmt::format("unknown outcome \"{}\"", text));
}

Expiry parse_expiry(std::string_view reason) {
  Expiry out;
  const auto line = reason.substr(0, reason.find('\n'));
  const auto slash = line.find('/');
  if (slash == std::string_view::npos) {
    throw ProtocolError(fmt::format("unexpected expiry \"{}\"", reason));
  }
  out.entered = to_int(line.substr(0, slash), "count");
  out.needed = to_int(line.substr(slash + 1), "parties");
  for (auto rest = reason.substr(line.size()); !rest.empty();) {
    rest.remove_prefix(1); // the line end
    const auto end = std::min(rest.find('\n'), rest.size());
    out.never.emplace_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  return out;
}

namespace {
constexpr std::string_view k_rank_orders[] = {"id", "natural", "arrival"};
} // namespace

std::string_view name_of(RankBy rank_by) { return k_rank_orders[static_cast<int>(rank_by)]; }

bool bytewise_less(const std::string& a, const std::string& b) {
  return std::string_view(a) < std::string_view(b); // char_traits<char>: as unsigned char
}

bool natural_less(const std::string& a, const std::string& b) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  // A run of digits from `at`, without its leading zeros; `at` moves past it.
  const auto number = [&](const std::string& s, std::size_t& at) {
    const std::size_t begin = at;
    while (at < s.size() && digit(s[at])) {
      ++at;
    }
    std::string_view run(s.data() + begin, at - begin);
    run.remove_prefix(std::min(run.find_first_not_of('0'), run.size()));
    return run;
  };
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      const auto x = number(a, i);
      const auto y = number(b, j);
      if (x.size() != y.size()) {
        return x.size() < y.size();
      }
      if (x != y) {
        return x < y;
      }
    } else {
      if (a[i] != b[j]) {
        return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      }
      ++i;
      ++j;
    }
  }
  if (i == a.size() && j == b.size()) {
    return bytewise_less(a, b); // equal as numbers ("a01", "a1")
  }
  return i == a.size();
}

std::string parties_text(std::int64_t min, std::int64_t max) {
  return min < max ? fmt::format("{}:{}", min, max) : std::to_string(max);
}

std::optional<RankBy> parse_rank_by(std::string_view text) {
  const auto found = std::find(std::begin(k_rank_orders), std::end(k_rank_orders), text);
  if (found == std::end(k_rank_orders)) {
    return std::nullopt;
  }
  return static_cast<RankBy>(found - std::begin(k_rank_orders));
}

std::optional<Event> decode_event(const Reply& fields) {
  const auto v = strings(fields, "a stream entry", 0);
  if (v.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string_view kind;
  std::string_view generation;
  std::string_view count;
  std::string_view parties;
  std::string_view closes_in;
  Event event;
  for (std::size_t i = 0; i < v.size(); i += 2) {
    const std::string& field = v[i];
    const std::string& value = v[i + 1];
    if (field == "event") {
      kind = value;
    } else if (field == "gen") {
      generation = value;
    } else if (field == "token") {
      event.token = value;
    } else if (field == "count") {
      count = value;
    } else if (field == "parties") {
      parties = value;
    } else if (field == "reason") {
      event.reason = value;
    } else if (field == "in") {
      closes_in = value;
    }
  }
  try {
    if (kind == "arrived" || kind == "left" || kind == "entered" || kind == "working" ||
        kind == "last-call") {
      event.kind = kind == "arrived"   ? Event::Kind::arrived
                   : kind == "left"    ? Event::Kind::left
                   : kind == "working" ? Event::Kind::working
                   : kind == "entered" ? Event::Kind::entered
                                       : Event::Kind::last_call;
      event.count = to_int(count, "count");
      event.parties = to_int(parties, "parties");
      if (event.kind == Event::Kind::last_call) {
        event.closes_in = Duration(to_int(closes_in, "last call"));
      }
    } else if (kind == "deleted") {
      event.kind = Event::Kind::deleted;
    } else if (kind == "released" || kind == "reset" || kind == "aborted" || kind == "expired") {
      event.kind = kind == "released"  ? Event::Kind::released
                   : kind == "reset"   ? Event::Kind::reset
                   : kind == "aborted" ? Event::Kind::aborted
                                       : Event::Kind::expired;
      if (!parties.empty()) { // the generation's parties (absent from older writers)
        event.parties = to_int(parties, "parties");
      }
    } else {
      return std::nullopt;
    }
    event.generation = to_int(generation, "generation");
  } catch (const ProtocolError&) {
    return std::nullopt;
  }
  if (event.token.empty()) {
    return std::nullopt;
  }
  return event;
}

namespace {

std::optional<Duration> optional_ms(const std::string& text, std::string_view what) {
  return text.empty() ? std::nullopt : std::optional(Duration(to_int(text, what)));
}

// The five fields of `timing` (common.lua) from v[at]; none in a reply of an older script.
Timing decode_timing(const std::vector<std::string>& v, std::size_t at) {
  Timing out;
  if (v.size() < at + 5) {
    return out;
  }
  out.min = to_int(v[at], "min");
  out.closes_in = optional_ms(v[at + 1], "last call");
  out.deadline_in = optional_ms(v[at + 2], "deadline");
  out.deadline = optional_ms(v[at + 3], "deadline");
  out.rank_by = parse_rank_by(v[at + 4]).value_or(RankBy::id);
  out.action = v.size() > at + 5 && v[at + 5] == "1";
  return out;
}

// The reply of arrive, enter and observe: {status, gen, count, parties, token, detail,
// events_from, progress_from, ...}, with the status one of `statuses`, in the order of
// T::Status, and the timing from `timing_at`; returns the detail, which `decode_detail` reads by
// the status.
template <typename T>
std::string decode_view(T& out, const Reply& reply, std::string_view what,
                        std::span<const std::string_view> statuses, std::size_t timing_at) {
  const auto v = strings(reply, what, 8);
  out.timing = decode_timing(v, timing_at);
  const auto found = std::find(statuses.begin(), statuses.end(), v[0]);
  if (found == statuses.end()) {
    throw ProtocolError(fmt::format("unknown {} status \"{}\"", what, v[0]));
  }
  out.status = static_cast<typename T::Status>(found - statuses.begin());
  out.generation = to_int(v[1], "generation");
  out.count = to_int(v[2], "count");
  out.parties = to_int(v[3], "parties");
  out.token = v[4];
  out.from = {v[6], v[7]};
  return v[5];
}

// What the detail of arrive's and enter's replies means, by their status.
void decode_detail(Standing& out, std::string_view status, const std::string& detail) {
  if (status == "broken" || status == "lost") {
    out.reason = detail;
    if (status == "broken") {
      out.refused = Refused::broken;
    }
  } else if (status == "mismatch") {
    out.refused = Refused::mismatch;
    out.once = detail == "1";
    out.command = detail == "command";
  } else if (status == "members") {
    out.refused = Refused::members;
    out.members = to_int(detail, "members");
  } else if (status == "stopped") {
    out.ended = work_ended(detail);
  } else if (status == "waiting") {
    out.late = detail == "late";
  }
}

// In the order of Arrival::Status, Entry::Status and Observation::Status.
constexpr std::string_view k_arrival_statuses[] = {"waiting",  "released", "passed",  "broken",
                                                   "mismatch", "members",  "stopped", "lost",
                                                   "full",     "act"};
constexpr std::string_view k_entry_statuses[] = {
    "working", "entered", "broken", "mismatch", "members", "stopped", "lost", "full", "duplicate"};
constexpr std::string_view k_observation_statuses[] = {"none",   "waiting", "decided",
                                                       "broken", "passed",  "lost"};

} // namespace

Arrival decode_arrival(const Reply& reply) {
  Arrival out;
  const std::string detail = decode_view(out, reply, "arrival", k_arrival_statuses, 8);
  decode_detail(out, k_arrival_statuses[static_cast<int>(out.status)], detail);
  return out;
}

Entry decode_entry(const Reply& reply) {
  Entry out;
  const std::string detail = decode_view(out, reply, "entry", k_entry_statuses, 8);
  decode_detail(out, k_entry_statuses[static_cast<int>(out.status)], detail);
  if (out.status == Entry::Status::duplicate) {
    out.lease_left = Duration(to_int(detail, "lease"));
  }
  return out;
}

Observation decode_observation(const Reply& reply) {
  Observation out;
  out.detail = decode_view(out, reply, "observe", k_observation_statuses, 9);
  if (const auto v = strings(reply, "observe", 8); v.size() > 8 && !v[8].empty()) {
    out.lapse = Duration(to_int(v[8], "lapse"));
  }
  return out;
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
    if (v.size() >= 4) { // a release's: how many it released
      check.parties = to_int(v[3], "parties");
    }
  } else if (v[0] == "lost") {
    check.status = Check::Status::lost;
    check.why = v[1];
  } else if ((v[0] == "waiting" || v[0] == "act") && v.size() >= 3) {
    check.status = v[0] == "act" ? Check::Status::act : Check::Status::waiting;
    check.count = to_int(v[1], "count");
    check.parties = to_int(v[2], "parties");
    check.timing = decode_timing(v, 3);
  } else if (v[0] == "left") {
    check.status = Check::Status::left;
    check.count = to_int(v[1], "count");
    if (v.size() >= 4) { // leave's: the generation and its parties
      check.generation = to_int(v[2], "generation");
      check.parties = to_int(v[3], "parties");
    }
    check.kept = v.size() >= 5 && v[4] == "1";
  } else if (v[0] == "aborted") {
    check.status = Check::Status::aborted;
  } else {
    throw ProtocolError(fmt::format("unknown check status \"{}\"", v[0]));
  }
  return check;
}

Turn decode_turn(const Reply& reply) {
  static constexpr std::string_view k_statuses[] = {"run",     "running",  "done", "decided",
                                                    "broken",  "mismatch", "lost", "renewed",
                                                    "stopped", "finished"};
  const auto v = strings(reply, "once", 8);
  Turn out;
  const auto found = std::find(std::begin(k_statuses), std::end(k_statuses), v[0]);
  if (found == std::end(k_statuses)) {
    throw ProtocolError(fmt::format("unknown once status \"{}\"", v[0]));
  }
  out.status = static_cast<Turn::Status>(found - std::begin(k_statuses));
  out.generation = to_int(v[1], "generation");
  out.token = v[2];
  out.who = v[3];
  out.ago = optional_ms(v[4], "time");
  out.lease_left = optional_ms(v[5], "lease");
  out.detail = v[6];
  out.events_from = v[7];
  if (out.status == Turn::Status::decided || out.status == Turn::Status::stopped) {
    if (!out.detail.empty()) {
      out.decision = parse_decision(out.detail);
    }
  }
  return out;
}

Removal decode_removal(const Reply& reply) {
  const auto v = strings(reply, "delete", 2);
  Removal out;
  if (v[0] == "none") {
    return out;
  }
  if ((v[0] != "busy" && v[0] != "deleted") || v.size() < 3) {
    throw ProtocolError(fmt::format("unknown delete status \"{}\"", v[0]));
  }
  out.status = v[0] == "busy" ? Removal::Status::busy : Removal::Status::deleted;
  out.waiting = to_int(v[1], "waiting parties");
  out.working = to_int(v[2], "working parties");
  return out;
}

Status decode_status(const Reply& reply) {
  const auto v = strings(reply, "status", 2);
  Status status{std::nullopt, {v[0], v[1]}};
  if (v.size() == 2) {
    return status;
  }
  // The positions and the barrier's, then the working parties and the members.
  constexpr std::size_t k_fields = 25;
  constexpr std::size_t k_member_fields = 3;
  if (v.size() < k_fields) {
    throw ProtocolError(fmt::format("unexpected reply for status: {} elements", v.size()));
  }
  const auto working = static_cast<std::size_t>(to_int(v[k_fields - 1], "working parties"));
  const std::size_t first_member = k_fields + 2 * working;
  if (v.size() < first_member || (v.size() - first_member) % k_member_fields != 0) {
    throw ProtocolError(fmt::format("unexpected reply for status: {} elements", v.size()));
  }
  Snapshot& s = status.snapshot.emplace();
  s.generation = to_int(v[2], "generation");
  if (!v[3].empty()) {
    s.parties = to_int(v[3], "parties");
  }
  s.state = v[4];
  s.reason = v[5];
  s.once = v[6] == "1";
  s.created_ms = to_int(v[7], "creation time");
  s.now_ms = to_int(v[8], "server time");
  s.ttl = Duration(to_int(v[9], "ttl"));
  if (!v[10].empty()) {
    s.last = parse_decision(v[10]);
  }
  for (std::size_t begin = 0, end = 0; begin < v[11].size(); begin = end + 1) {
    end = std::min(v[11].find('\n', begin), v[11].size());
    s.expected.push_back(v[11].substr(begin, end - begin));
  }
  s.last_call = Duration(to_int(v[12], "last call"));
  s.timing = decode_timing(v, 13);
  s.command = v[19] == "once";
  s.done_by = v[20];
  s.done_at_ms = v[21].empty() ? std::nullopt : std::optional(to_int(v[21], "done at"));
  s.runner_since_ms = v[22].empty() ? std::nullopt : std::optional(to_int(v[22], "runner since"));
  s.failed = v[23];
  for (std::size_t i = k_fields; i < first_member; i += 2) {
    s.working.push_back({v[i], Duration(to_int(v[i + 1], "lease")), {}});
  }
  for (std::size_t i = first_member; i < v.size(); i += k_member_fields) {
    s.members.push_back(
        {v[i], v[i + 1].empty() ? std::nullopt : std::optional(Duration(to_int(v[i + 1], "lease"))),
         v[i + 2]});
  }
  return status;
}

namespace {

// Netstrings: "<length>:<bytes>", an id and then its value, again and again.
std::vector<RosterEntry> decode_roster_text(std::string_view text) {
  const auto next = [&]() {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
      throw ProtocolError("a roster cut short");
    }
    const auto length = static_cast<std::size_t>(to_int(text.substr(0, colon), "roster length"));
    if (text.size() - colon - 1 < length) {
      throw ProtocolError("a roster cut short");
    }
    std::string out(text.substr(colon + 1, length));
    text.remove_prefix(colon + 1 + length);
    return out;
  };
  std::vector<RosterEntry> roster;
  while (!text.empty()) {
    auto id = next();
    roster.push_back({std::move(id), next()});
  }
  return roster;
}

} // namespace

std::optional<std::vector<RosterEntry>> decode_roster(const Reply& reply) {
  const auto v = strings(reply, "roster", 1);
  if (v[0] == "unknown") {
    return std::nullopt;
  }
  if (v[0] != "roster" || v.size() != 2) {
    throw ProtocolError(
        fmt::format("unexpected reply for roster: \"{}\", {} elements", v[0], v.size()));
  }
  return decode_roster_text(v[1]);
}

std::vector<std::string> missing_members(const Snapshot& snapshot) {
  auto out = snapshot.expected;
  std::erase_if(out, [&](const std::string& id) {
    return std::any_of(snapshot.members.begin(), snapshot.members.end(),
                       [&](const Member& member) { return member.id == id; });
  });
  std::sort(out.begin(), out.end());
  return out;
}

std::string canonical_members(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  std::string out;
  for (const auto& id : ids) {
    out += out.empty() ? id : "\n" + id;
  }
  return out;
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

std::vector<std::string> Barrier::with_arrival(std::string_view nonce) const {
  auto keys = m_keys.common();
  keys.push_back(m_keys.arrival(nonce));
  return keys;
}

namespace {

// The arguments of shape_of (common.lua) after parties, once and expected: MIN, the last call,
// the rank order and the deadline.
void append_shape(std::vector<std::string>& args, const Shape& shape) {
  args.insert(args.end(), {std::to_string(shape.fewest()), std::to_string(shape.last_call.count()),
                           std::string(name_of(shape.rank_by)),
                           std::to_string(shape.deadline.value_or(Duration(0)).count()),
                           shape.action ? "1" : "0"});
}

} // namespace

Arrival Barrier::arrive(redis::Connection& connection, const std::string& id,
                        const std::string& nonce, const Shape& shape, Duration lease,
                        const std::string& new_token, const std::string& value,
                        const std::optional<Work>& from_work, Deadline deadline) const {
  std::vector<std::string> args{id,
                                std::to_string(shape.parties),
                                std::to_string(lease.count()),
                                shape.once ? "1" : "0",
                                new_token,
                                shape.expected,
                                value,
                                from_work ? "1" : "0",
                                from_work ? std::to_string(from_work->generation) : "",
                                from_work ? from_work->token : ""};
  append_shape(args, shape);
  return decode_arrival(
      run(connection, scripts::k_arrive, with_arrival(nonce), std::move(args), deadline));
}

Entry Barrier::enter(redis::Connection& connection, const std::string& id, const Shape& shape,
                     Duration lease, const std::string& token, const std::string& new_token,
                     std::int64_t generation, Deadline deadline) const {
  std::vector<std::string> args{id,
                                std::to_string(shape.parties),
                                std::to_string(lease.count()),
                                shape.expected,
                                token,
                                new_token,
                                generation ? std::to_string(generation) : ""};
  append_shape(args, shape);
  // A first entry's record is named by its new token, the same in each retry of it.
  return decode_entry(run(connection, scripts::k_enter,
                          token.empty() ? with_arrival(new_token) : m_keys.common(),
                          std::move(args), deadline));
}

Check Barrier::quit(redis::Connection& connection, const std::string& id, const std::string& token,
                    const std::string& reason, std::int64_t generation, Deadline deadline) const {
  return decode_check(run(connection, scripts::k_quit, m_keys.common(),
                          {id, token, reason, generation ? std::to_string(generation) : ""},
                          deadline));
}

Check Barrier::poll(redis::Connection& connection, const std::string& id, std::int64_t generation,
                    const std::string& token, Duration lease, const std::string& value,
                    Deadline deadline) const {
  return decode_check(
      run(connection, scripts::k_poll, m_keys.common(),
          {id, std::to_string(generation), token, std::to_string(lease.count()), value}, deadline));
}

Check Barrier::leave(redis::Connection& connection, const std::string& id, const std::string& nonce,
                     std::optional<std::int64_t> generation, const std::string& token,
                     Duration lease, Deadline deadline) const {
  return decode_check(run(connection, scripts::k_leave, with_arrival(nonce),
                          {id, generation ? std::to_string(*generation) : "",
                           generation ? token : "", std::to_string(lease.count())},
                          deadline));
}

Observation Barrier::observe(redis::Connection& connection, std::optional<std::int64_t> generation,
                             const std::string& token, Deadline deadline) const {
  return decode_observation(run(connection, scripts::k_observe, m_keys.common(),
                                {generation ? std::to_string(*generation) : "", token}, deadline));
}

std::optional<std::vector<RosterEntry>>
Barrier::roster(redis::Connection& connection, std::int64_t generation, Deadline deadline) const {
  // Made by the first reader: the others read it with a GET, which copies it once.
  if (const Reply made = connection.command({"GET", m_keys.ranked(generation)}, deadline).check();
      !made.is_nil()) {
    return decode_roster_text(made.as_string("roster"));
  }
  return decode_roster(
      run(connection, scripts::k_roster, m_keys.common(), {std::to_string(generation)}, deadline));
}

std::optional<std::int64_t> Barrier::reset(redis::Connection& connection, Deadline deadline) const {
  const auto v =
      strings(run(connection, scripts::k_reset, m_keys.common(), {}, deadline), "reset", 1);
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
      connection, scripts::k_abort, m_keys.common(),
      {reason, new_token, generation ? std::to_string(*generation) : "", generation ? token : ""},
      deadline));
}

Status Barrier::status(redis::Connection& connection, Deadline deadline) const {
  return decode_status(run(connection, scripts::k_status, m_keys.common(), {}, deadline));
}

Removal Barrier::remove(redis::Connection& connection, bool force, Deadline deadline) const {
  const Removal removal = decode_removal(
      run(connection, scripts::k_delete, m_keys.common(), {force ? "1" : "0"}, deadline));
  if (removal.status == Removal::Status::busy) {
    return removal;
  }
  // What the script cannot name: the arrival records and rosters older than those kept, found
  // on the node of the barrier's slot (where the script ran). The outcome stream stays when it
  // tells parties of the deletion (it expires in seconds).
  const bool told = removal.waiting > 0 || removal.working > 0;
  // (within what is left of this attempt)
  scan_keys(connection, m_keys.derived_pattern(),
            std::chrono::ceil<Duration>(deadline - Clock::now()),
            [&](const std::vector<std::string>& keys) {
              std::vector<std::string> unlink{"UNLINK"};
              for (const auto& key : keys) {
                if (!(told && key == m_keys.events)) {
                  unlink.push_back(key);
                }
              }
              if (unlink.size() > 1) {
                connection.command(unlink, deadline).check();
              }
            });
  return removal;
}

Turn Barrier::once(redis::Connection& connection, TurnOp op, const std::string& id,
                   const std::string& token, const std::string& new_token,
                   std::optional<std::int64_t> generation, Duration lease,
                   const std::string& failure, Deadline deadline) const {
  static constexpr const char* k_ops[] = {"claim", "renew", "finish"};
  return decode_turn(
      run(connection, scripts::k_once, m_keys.common(),
          {k_ops[static_cast<int>(op)], id, token, new_token,
           generation ? std::to_string(*generation) : "", std::to_string(lease.count()), failure},
          deadline));
}

std::vector<std::string> Barrier::departed(redis::Connection& connection, std::int64_t generation,
                                           const std::string& token, Deadline deadline) const {
  constexpr std::string_view what = "XRANGE";
  const redis::Reply reply =
      connection.command({"XRANGE", m_keys.progress, "-", "+"}, deadline).check();
  std::vector<std::string> ids;
  const std::string gen = std::to_string(generation);
  for (const auto& entry : reply.as_array(what)) {
    const auto& id_fields = entry.as_array(what);
    if (id_fields.size() != 2 || id_fields[1].is_nil()) {
      continue;
    }
    const auto v = strings(id_fields[1], what, 0);
    std::map<std::string_view, std::string_view> fields;
    for (std::size_t i = 0; i + 1 < v.size(); i += 2) {
      fields[v[i]] = v[i + 1];
    }
    if (fields["event"] != "left" || fields["gen"] != gen || fields["token"] != token) {
      continue;
    }
    for (std::string_view left = fields["ids"]; !left.empty();) {
      const auto end = std::min(left.find('\n'), left.size());
      ids.emplace_back(left.substr(0, end));
      left.remove_prefix(std::min(end + 1, left.size()));
    }
  }
  return ids;
}

} // namespace rbarrier
