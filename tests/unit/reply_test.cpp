// SPDX-License-Identifier: Apache-2.0
// Unit tests: RESP replies, and the scripts' replies and events decoded.
#include <algorithm>
#include <doctest/doctest.h>

#include "barrier.hpp"
#include "redis/reply.hpp"
#include "redis/reply_reader.hpp"
#include "util/error.hpp"

using namespace rbarrier;
using redis::Reply;
using redis::ReplyReader;

namespace {

// Parses raw RESP as the connection does.
Reply parse(std::string_view resp) {
  ReplyReader reader;
  reader.feed(resp.data(), resp.size());
  auto reply = reader.next();
  REQUIRE(reply);
  return *reply;
}

std::string refusal(std::string_view resp) {
  ReplyReader reader;
  try {
    reader.feed(resp.data(), resp.size());
    while (reader.next()) {
    }
  } catch (const ProtocolError& error) {
    return error.what();
  }
  return "accepted";
}

Reply strings(std::initializer_list<const char*> items) {
  Reply reply;
  reply.type = Reply::Type::array;
  for (const char* item : items) {
    Reply element;
    element.type = Reply::Type::string;
    element.str = item;
    reply.elements.push_back(element);
  }
  return reply;
}

} // namespace

TEST_CASE("RESP replies decode into values") {
  CHECK(parse(":42\r\n").as_integer("x") == 42);
  CHECK(parse(std::string_view("$3\r\na\0b\r\n", 9)).as_string("x") == std::string("a\0b", 3));
  CHECK(parse("+OK\r\n").as_string("x") == "OK");
  CHECK(parse("$-1\r\n").is_nil());
  const Reply array = parse("*2\r\n$1\r\na\r\n:7\r\n");
  REQUIRE(array.as_array("x").size() == 2);
  CHECK(array.elements[1].as_integer("x") == 7);
  const Reply error = parse("-WRONGPASS invalid\r\n");
  CHECK(error.is_error());
  CHECK_THROWS_WITH_AS(error.check(), "WRONGPASS invalid", RedisError);
  try {
    parse("-LOADING wait\r\n").check();
  } catch (const RedisError& e) {
    CHECK(e.transient());
  }
}

TEST_CASE("replies arrive in pieces and in pipelines") {
  ReplyReader reader;
  const std::string_view bytes = "*2\r\n$5\r\nhello\r\n:1\r\n+OK\r\n";
  for (char c : bytes.substr(0, 10)) {
    reader.feed(&c, 1);
    CHECK_FALSE(reader.next());
  }
  reader.feed(bytes.data() + 10, bytes.size() - 10);
  const auto first = reader.next();
  REQUIRE(first);
  CHECK(first->elements.at(0).str == "hello");
  CHECK(first->elements.at(1).integer == 1);
  const auto second = reader.next();
  REQUIRE(second);
  CHECK(second->str == "OK");
  CHECK_FALSE(reader.next());
  const Reply nested = parse("*2\r\n*1\r\n$-1\r\n*0\r\n");
  CHECK(nested.elements.at(0).elements.at(0).is_nil());
  CHECK(nested.elements.at(1).elements.empty());
}

TEST_CASE("hostile replies are refused, not waited for") {
  CHECK(refusal("!garbage\r\n").starts_with("malformed reply"));
  CHECK(refusal("HTTP/1.1 400 Bad Request\r\n").starts_with("malformed reply"));
  CHECK(refusal("$99999999999\r\n") == "reply too large: a string of 99999999999 bytes announced");
  CHECK(refusal("*1\r\n$100000000\r\n") ==
        "reply too large: a string of 100000000 bytes announced");
  CHECK(refusal("*1\r\n$99999999999999999999999\r\n").starts_with("malformed reply"));
  CHECK(refusal("*99999999\r\n") == "reply too large: an array of 99999999 elements");
  CHECK(refusal("*1\r\n*2000000\r\n") == "reply too large: an array of 2000000 elements");
  CHECK(refusal("$5\r\nab") == "accepted"); // truncated: waits for the rest
  CHECK(refusal(":12x\r\n") != "accepted");
}

TEST_CASE("a reply of the wrong type is a protocol error naming what was expected") {
  CHECK_THROWS_WITH_AS(parse(":1\r\n").as_array("arrive"),
                       "unexpected reply for arrive: wanted an array, got (integer) 1",
                       ProtocolError);
  CHECK_THROWS_WITH_AS(parse("*0\r\n").as_string("x"),
                       "unexpected reply for x: wanted a string, got (array of 0)", ProtocolError);
  CHECK_THROWS_AS(parse("$2\r\nab\r\n").as_integer("x"), ProtocolError);
  CHECK(parse("$2\r\n12\r\n").as_integer("x") == 12);
  CHECK(parse("$3\r\na\x01\"\r\n").describe() == "\"a\\x01\\\"\"");
}

TEST_CASE("enter replies: a working party's entry and renewals") {
  CHECK(decode_entry(strings({"entered", "2", "3", "3", "t", "", "0-0", "0-0"})).status ==
        Entry::Status::entered);
  CHECK(decode_entry(strings({"working", "2", "1", "3", "t", "", "0-0", "0-0"})).count == 1);
  const Entry duplicate =
      decode_entry(strings({"duplicate", "2", "0", "3", "t", "1500", "0-0", "0-0"}));
  CHECK(duplicate.status == Entry::Status::duplicate);
  CHECK(duplicate.lease_left == Duration(1500));
  const Entry broken = decode_entry(strings({"broken", "2", "0", "3", "t", "why", "0-0", "0-0"}));
  CHECK(broken.refused == Refused::broken);
  CHECK(broken.reason == "why");
  CHECK(decode_entry(strings({"stopped", "2", "0", "3", "t", "released", "0-0", "0-0"}))
            .ended.outcome == Outcome::released);
  CHECK_THROWS_AS(decode_entry(strings({"passed", "1", "0", "1", "t", "", "0-0", "0-0"})),
                  ProtocolError);
  CHECK_THROWS_AS(decode_entry(strings({"duplicate", "2", "0", "3", "t", "soon", "0-0", "0-0"})),
                  ProtocolError);
}

TEST_CASE("arrive replies") {
  Arrival a = decode_arrival(strings({"waiting", "3", "2", "8", "tok", "", "17-0", "0-0"}));
  CHECK(a.status == Arrival::Status::waiting);
  CHECK(a.generation == 3);
  CHECK(a.count == 2);
  CHECK(a.parties == 8);
  CHECK(a.token == "tok");
  CHECK(a.from.events == "17-0");
  CHECK(a.from.progress == "0-0");
  a = decode_arrival(strings({"broken", "1", "0", "0", "tok", "build failed", "0-0", "0-0"}));
  CHECK(a.status == Arrival::Status::broken);
  CHECK(a.refused == Refused::broken);
  CHECK(a.reason == "build failed");
  CHECK(decode_arrival(strings({"released", "1", "1", "1", "t", "", "1-0", "2-0"})).status ==
        Arrival::Status::released);
  CHECK(decode_arrival(strings({"passed", "1", "0", "1", "t", "", "0-0", "0-0"})).status ==
        Arrival::Status::passed);
  a = decode_arrival(strings({"mismatch", "1", "0", "3", "t", "1", "0-0", "0-0"}));
  CHECK(a.status == Arrival::Status::mismatch);
  CHECK(a.refused == Refused::mismatch);
  CHECK(a.once);
  a = decode_arrival(strings({"members", "1", "0", "3", "t", "3", "0-0", "0-0"}));
  CHECK(a.refused == Refused::members);
  CHECK(a.members == 3);
  CHECK_FALSE(decode_arrival(strings({"waiting", "1", "1", "2", "t", "", "0-0", "0-0"})).refused);
  // a working party's arrival at the end of its work
  a = decode_arrival(
      strings({"stopped", "2", "0", "3", "t", "aborted:job-1: exited 7", "0-0", "0-0"}));
  CHECK(a.status == Arrival::Status::stopped);
  CHECK(a.ended.outcome == Outcome::aborted);
  CHECK(a.ended.reason == "job-1: exited 7");
  CHECK(decode_arrival(strings({"stopped", "2", "0", "3", "t", "", "0-0", "0-0"})).ended.outcome ==
        Outcome::reset);
  CHECK(decode_arrival(strings({"lost", "0", "0", "0", "", "gone", "0-0", "0-0"})).reason ==
        "gone");
  // enter's statuses are not arrive's
  CHECK_THROWS_AS(decode_arrival(strings({"entered", "2", "3", "3", "t", "", "0-0", "0-0"})),
                  ProtocolError);
  CHECK_THROWS_AS(decode_arrival(strings({"joined", "1", "1", "1", "t", "", "0-0", "0-0"})),
                  ProtocolError);
  CHECK_THROWS_AS(decode_arrival(strings({"waiting", "x", "1", "1", "t", "", "0-0", "0-0"})),
                  ProtocolError);
  // the reply of the previous protocol, without stream positions
  CHECK_THROWS_AS(decode_arrival(strings({"waiting", "1", "1", "2", "t", ""})), ProtocolError);
  CHECK_THROWS_AS(decode_arrival(strings({"waiting", "1"})), ProtocolError);
  CHECK_THROWS_AS(decode_arrival(parse(":1\r\n")), ProtocolError);
}

TEST_CASE("observe replies") {
  Observation o = decode_observation(strings({"none", "1", "0", "0", "", "", "0-0", "0-0"}));
  CHECK(o.status == Observation::Status::none);
  CHECK(o.generation == 1);
  CHECK(o.token.empty());
  o = decode_observation(strings({"waiting", "4", "2", "3", "tok", "", "9-0", "8-1"}));
  CHECK(o.status == Observation::Status::waiting);
  CHECK(o.count == 2);
  CHECK(o.parties == 3);
  CHECK(o.from.progress == "8-1");
  o = decode_observation(strings({"decided", "4", "0", "3", "tok", "aborted:x", "9-0", "8-1"}));
  CHECK(o.status == Observation::Status::decided);
  CHECK(o.detail == "aborted:x");
  CHECK(decode_observation(strings({"broken", "4", "0", "3", "t", "r", "0-0", "0-0"})).status ==
        Observation::Status::broken);
  CHECK(decode_observation(strings({"passed", "4", "0", "3", "t", "", "0-0", "0-0"})).status ==
        Observation::Status::passed);
  CHECK(decode_observation(strings({"lost", "1", "0", "3", "t", "gone", "0-0", "0-0"})).status ==
        Observation::Status::lost);
  CHECK_THROWS_AS(decode_observation(strings({"released", "1", "0", "3", "t", "", "0-0", "0-0"})),
                  ProtocolError);
}

TEST_CASE("poll, leave and abort replies") {
  Check c = decode_check(strings({"decided", "aborted:disk: full"}));
  CHECK(c.status == Check::Status::decided);
  CHECK(c.decision.outcome == Outcome::aborted);
  CHECK(c.decision.reason == "disk: full");
  CHECK(decode_check(strings({"decided", "released"})).decision.outcome == Outcome::released);
  CHECK_FALSE(decode_check(strings({"decided", "released"})).generation);
  CHECK(decode_check(strings({"decided", "released", "12"})).generation == 12);
  CHECK(decode_check(strings({"decided", "reset"})).decision.outcome == Outcome::reset);
  c = decode_check(strings({"waiting", "2", "5"}));
  CHECK(c.status == Check::Status::waiting);
  CHECK(c.count == 2);
  CHECK(c.parties == 5);
  c = decode_check(strings({"lost", "gone"}));
  CHECK(c.status == Check::Status::lost);
  CHECK(c.why == "gone");
  CHECK(decode_check(strings({"left", "0"})).status == Check::Status::left);
  CHECK_FALSE(decode_check(strings({"left", "2", "1", "2", "0"})).kept);
  c = decode_check(strings({"left", "2", "1", "2", "1"}));
  CHECK(c.kept);
  CHECK(c.count == 2);
  CHECK(c.generation == 1);
  CHECK(decode_check(strings({"aborted", "4"})).status == Check::Status::aborted);
  CHECK_THROWS_AS(decode_check(strings({"decided", "maybe"})), ProtocolError);
  CHECK_THROWS_AS(decode_check(strings({"waiting", "2"})), ProtocolError);
}

TEST_CASE("status replies") {
  const auto none = decode_status(strings({"5-1", "0-0"}));
  CHECK_FALSE(none.snapshot);
  CHECK(none.from.events == "5-1");
  CHECK(none.from.progress == "0-0");
  const auto status =
      decode_status(strings({"5-1",  "6-0",  "4",        "8",           "open",    "",      "0",
                             "1000", "2000", "86400000", "released",    "a\nb\nc", "60000", "4",
                             "1500", "",     "",         "natural",     "1",       "",      "",
                             "",     "",     "",         "2",           "w1",      "900",   "w2",
                             "-5",   "a",    "1500",     "10.0.0.1:80", "b",       "20",    ""}));
  CHECK(status.from.progress == "6-0");
  const auto& s = status.snapshot;
  REQUIRE(s);
  CHECK(s->generation == 4);
  CHECK(s->parties == 8);
  CHECK(s->state == "open");
  CHECK_FALSE(s->once);
  CHECK(s->ttl == Duration(86'400'000));
  REQUIRE(s->last);
  CHECK(s->last->outcome == Outcome::released);
  REQUIRE(s->members.size() == 2);
  CHECK(s->members[0].id == "a");
  CHECK(s->members[0].lease_left == Duration(1500));
  CHECK(s->members[0].value == "10.0.0.1:80");
  CHECK(s->members[1].value.empty());
  CHECK(s->expected == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(s->working.size() == 2); // run's parties, their leases (lapsed: <= 0)
  CHECK(s->working[0].id == "w1");
  CHECK(s->working[0].lease_left == Duration(900));
  CHECK(s->working[1].lease_left == Duration(-5));
  CHECK(s->last_call == Duration(60'000)); // -n 4:8 --last-call 60s, called 1.5 s ago
  CHECK(s->timing.min == 4);
  CHECK(s->timing.closes_in == Duration(1500));
  CHECK_FALSE(s->timing.deadline_in);
  CHECK(s->timing.rank_by == RankBy::natural);
  CHECK(s->timing.action); // a barrier action runs before each release
  const auto arrived = decode_status(strings(
      {"0-0", "0-0", "1", "2",  "open", "", "0", "1000", "2000", "-1", "",  "",    "0", "2",
       "",    "",    "",  "id", "0",    "", "",  "",     "",     "",   "0", "job", "",  ""}));
  REQUIRE(arrived.snapshot);
  REQUIRE(arrived.snapshot->members.size() == 1);
  CHECK_FALSE(arrived.snapshot->members[0].lease_left); // arrived without a lease
  CHECK(arrived.snapshot->expected.empty());
  const auto after_reset = decode_status(
      strings({"0-0", "0-0", "5", "", "open", "",  "0", "1000", "2000", "-1", "reset", "", "0",
               "0",   "",    "",  "", "id",   "0", "",  "",     "",     "",   "",      "0"}));
  REQUIRE(after_reset.snapshot);
  CHECK_FALSE(after_reset.snapshot->parties);
  CHECK_FALSE(after_reset.snapshot->command);
  const auto once = decode_status(
      strings({"0-0",  "0-0", "3",        "",     "passed", "",     "0", "1000",
               "9000", "-1",  "released", "",     "0",      "0",    "",  "",
               "",     "id",  "0",        "once", "pod-a",  "8000", "",  "pod-b: exited 3",
               "0"}));
  REQUIRE(once.snapshot);
  CHECK(once.snapshot->command); // a name of rbarrier once, done by pod-a a second ago
  CHECK(once.snapshot->done_by == "pod-a");
  CHECK(once.snapshot->done_at_ms == 8000);
  CHECK_FALSE(once.snapshot->runner_since_ms);
  CHECK(once.snapshot->failed == "pod-b: exited 3");
  CHECK_THROWS_AS(decode_status(strings({})), ProtocolError);
  CHECK_THROWS_AS(decode_status(strings({"0-0", "0-0", "5", "", "open"})), ProtocolError);
  CHECK_THROWS_AS(decode_status(strings({"0-0", "0-0", "5", "",  "open", "", "0", "1",      "2",
                                         "3",   "",    "",  "0", "0",    "", "",  "",       "id",
                                         "0",   "",    "",  "",  "",     "", "0", "lonely", ""})),
                  ProtocolError);
  CHECK_THROWS_AS(
      decode_status(strings({"0-0", "0-0", "5", "",  "open", "",   "0",  "1",  "2", "3",
                             "",    "",    "0", "0", "",     "",   "",   "id", "0", "",
                             "",    "",    "",  "",  "2",    "w1", "900"})), // fewer working
                                                                             // than said
      ProtocolError);
}

TEST_CASE("delete replies") {
  CHECK(decode_removal(strings({"none", "0"})).status == Removal::Status::none);
  const auto busy = decode_removal(strings({"busy", "3", "1"}));
  CHECK(busy.status == Removal::Status::busy);
  CHECK(busy.waiting == 3);
  CHECK(busy.working == 1);
  CHECK(decode_removal(strings({"deleted", "0", "0"})).status == Removal::Status::deleted);
  CHECK_THROWS_AS(decode_removal(strings({"gone", "0", "0"})), ProtocolError);
  CHECK_THROWS_AS(decode_removal(strings({"busy", "3"})), ProtocolError);
}

TEST_CASE("once replies") {
  const auto run =
      decode_turn(strings({"run", "2", "tok", "pod-a", "", "", "pod-b: exited 3", "7-0"}));
  CHECK(run.status == Turn::Status::run);
  CHECK(run.generation == 2);
  CHECK(run.who == "pod-a"); // its lease lapsed: taken over
  CHECK(run.detail == "pod-b: exited 3");
  CHECK(run.events_from == "7-0");
  const auto running =
      decode_turn(strings({"running", "2", "tok", "pod-a", "1500", "28500", "", "7-0"}));
  CHECK(running.status == Turn::Status::running);
  CHECK(running.ago == Duration(1500));
  CHECK(running.lease_left == Duration(28500));
  const auto decided =
      decode_turn(strings({"decided", "2", "tok", "", "", "", "aborted:pod-a: exited 1", "8-0"}));
  REQUIRE(decided.decision);
  CHECK(decided.decision->outcome == Outcome::aborted);
  CHECK(decided.decision->reason == "pod-a: exited 1");
  const auto taken = decode_turn(strings({"stopped", "2", "tok", "", "", "", "", "8-0"}));
  CHECK(taken.status == Turn::Status::stopped);
  CHECK_FALSE(taken.decision); // another caller took over
  CHECK_THROWS_AS(decode_turn(strings({"maybe", "2", "tok", "", "", "", "", "8-0"})),
                  ProtocolError);
  CHECK_THROWS_AS(decode_turn(strings({"run", "2"})), ProtocolError);
}

TEST_CASE("roster replies, and ranks") {
  CHECK_FALSE(decode_roster(strings({"unknown"})));
  const auto roster = decode_roster(strings({"roster", "5:pod-b0:5:pod-a14:10.0.0.1:29500"}));
  REQUIRE(roster);
  REQUIRE(roster->size() == 2);
  CHECK((*roster)[0].id == "pod-b");
  CHECK((*roster)[0].value.empty());
  CHECK((*roster)[1].id == "pod-a");
  CHECK((*roster)[1].value == "10.0.0.1:29500");
  CHECK(decode_roster(strings({"roster", "3:a:b0:"}))->front().id == "a:b"); // binary-safe
  CHECK_THROWS_AS(decode_roster(strings({"roster", "5:pod"})), ProtocolError);
  CHECK_THROWS_AS(decode_roster(strings({"roster", "x:pod"})), ProtocolError);
  CHECK_THROWS_AS(decode_roster(strings({"roster", "3:abc"})), ProtocolError); // no value
  // the orders a gang's --members are ranked in before they arrive, as roster.lua ranks them:
  // bytewise, not by locale; natural: runs of digits as numbers, ties bytewise
  std::vector<std::string> ids{"b", "B", "a", "\xc3\xa9", "a0", "10"};
  std::sort(ids.begin(), ids.end(), bytewise_less);
  CHECK(ids == std::vector<std::string>{"10", "B", "a", "a0", "b", "\xc3\xa9"});
  ids = {"node10", "node2", "node1", "node02", "node", "node2a", "nod3", "9", "10"};
  std::sort(ids.begin(), ids.end(), natural_less);
  CHECK(ids == std::vector<std::string>{"9", "10", "nod3", "node", "node1", "node02", "node2",
                                        "node2a", "node10"});
  CHECK(canonical_members({"b", "a", "c"}) == "a\nb\nc");
  CHECK(canonical_members({}).empty());
  CHECK_THROWS_AS(decode_roster(strings({"roster", "a", "b"})), ProtocolError);
  CHECK_THROWS_AS(decode_roster(strings({"what"})), ProtocolError);
}

TEST_CASE("stream events") {
  auto e = decode_event(
      strings({"event", "arrived", "gen", "3", "token", "tok", "count", "2", "parties", "8"}));
  REQUIRE(e);
  CHECK(e->kind == Event::Kind::arrived);
  CHECK(e->generation == 3);
  CHECK(e->count == 2);
  CHECK(e->parties == 8);
  CHECK(e->token == "tok");
  e = decode_event(
      strings({"event", "aborted", "gen", "3", "token", "tok", "reason", "the disk is full"}));
  REQUIRE(e);
  CHECK(e->kind == Event::Kind::aborted);
  CHECK(e->reason == "the disk is full");
  CHECK(decode_event(strings({"gen", "7", "token", "t", "event", "released"}))->kind ==
        Event::Kind::released);
  CHECK(decode_event(strings({"event", "reset", "gen", "7", "token", "t"}))->kind ==
        Event::Kind::reset);
  CHECK(decode_event(
            strings({"event", "left", "gen", "1", "token", "t", "count", "0", "parties", "2"}))
            ->kind == Event::Kind::left);
  e = decode_event(
      strings({"event", "entered", "gen", "3", "token", "t", "count", "4", "parties", "4"})); // run
  REQUIRE(e);
  CHECK(e->kind == Event::Kind::entered);
  CHECK(e->count == 4);
  CHECK_FALSE(decode_event(strings({"event", "entered", "gen", "3", "token", "t"})));
  CHECK_FALSE(decode_event(strings({"event", "hello", "gen", "1", "token", "t"})));
  CHECK_FALSE(decode_event(strings({"event", "released", "gen", "x", "token", "t"})));
  CHECK_FALSE(decode_event(strings({"event", "released", "gen", "7"})));
  CHECK_FALSE(decode_event(strings({"event", "arrived", "gen", "1", "token", "t", "count", "2"})));
  CHECK_FALSE(decode_event(strings({"event", "released", "gen"})));
  CHECK_FALSE(decode_event(strings({})));
}

TEST_CASE("keys share the barrier's hash tag") {
  const BarrierKeys keys("rbarrier:", "jobs:stage2");
  CHECK(keys.meta == "rbarrier:{jobs:stage2}");
  CHECK(keys.progress == "rbarrier:{jobs:stage2}:progress");
  CHECK(keys.members == "rbarrier:{jobs:stage2}:members");
  CHECK(keys.outcomes == "rbarrier:{jobs:stage2}:outcomes");
  CHECK(keys.arrival("n1") == "rbarrier:{jobs:stage2}:arrival:n1");
}
