// SPDX-License-Identifier: Apache-2.0
// The protocol of PROTOCOL.md: a barrier's keys, the scripts that change it, their replies.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lua/scripts.hpp"
#include "redis/connection.hpp"
#include "util/duration.hpp"

// The protocol of PROTOCOL.md: the keys of a barrier, the scripts that change it and the
// decoding of their replies and of the events in the barrier's streams.
namespace rbarrier {

// The name as it stands between the braces of the keys' hash tag: "%" and "}" written "%25" and
// "%7D", so that the tag is never empty or cut short and all of a barrier's keys share one
// Cluster slot, and distinct names stay distinct.
std::string hash_tag(std::string_view name);

// `text` as a SCAN pattern that matches it alone: its glob characters escaped.
std::string glob_escape(std::string_view text);

// One SCAN on `connection` from `cursor` with MATCH `pattern`: its keys, and the cursor to go on
// from ("0" at the end), which stays valid on another connection to the same server.
struct ScanPage {
  std::string cursor;
  std::vector<std::string> keys;
};
ScanPage scan_page(redis::Connection& connection, const std::string& pattern,
                   const std::string& cursor, Deadline deadline);

// Runs SCAN on `connection` with MATCH `pattern` to the end, each command within `each`, handing
// each page's keys to `page`.
void scan_keys(redis::Connection& connection, const std::string& pattern, Duration each,
               const std::function<void(const std::vector<std::string>&)>& page);

// The name of the barrier whose metadata key is `key` ("<prefix>{<tag>}"), or nullopt for another
// key (a derived one, another prefix's, or a tag that hash_tag() would not write).
std::optional<std::string> name_of_key(std::string_view prefix, std::string_view key);

// The keys of barrier `name`: "<prefix>{<hash_tag(name)>}" and names derived from it. The prefix
// holds no "{" (the command line refuses one), so the tag is the name's.
struct BarrierKeys {
  BarrierKeys(std::string_view prefix, std::string_view name);
  std::string meta; // hash
  std::string members; // sorted set: id -> lease deadline (server ms)
  std::string outcomes; // hash: generation -> outcome
  std::string events; // stream of outcomes
  std::string progress; // stream of arrivals and departures
  std::string data; // hash: id -> its --data value, for the current generation
  std::string working; // sorted set: id -> lease deadline (server ms) of the parties working (run)
  std::string arrival(std::string_view nonce) const;
  // The roster of released generation `generation` as roster.lua makes it, once made.
  std::string ranked(std::int64_t generation) const;
  // A SCAN pattern that matches every key of the barrier but the metadata (its derived keys).
  std::string derived_pattern() const;
  // The keys every script takes first, in their order.
  std::vector<std::string> common() const {
    return {meta, members, outcomes, events, progress, data, working};
  }
};

// Where a reader stands in a barrier's two streams: the id of the last entry it has seen of each
// ("0-0": none yet), from which it reads on.
struct StreamPositions {
  std::string events = "0-0";
  std::string progress = "0-0";
};

// The work of a party of run whose command succeeded: the generation it entered and the instance
// (token), for its arrival, which ends its work.
struct Work {
  std::int64_t generation = 0;
  std::string token;
  Duration waited{0}; // waiting for the others to enter: it counts against --timeout
};

// expired: the generation's --deadline passed before its release.
enum class Outcome { released, reset, aborted, expired };

struct Decision {
  Outcome outcome = Outcome::released;
  std::string reason; // aborted: the reason; expired: who came, as Expiry reads it
};

// "released", "reset", "aborted:<reason>", "expired:<who>"; throws ProtocolError otherwise.
Decision parse_decision(std::string_view text);

// Who an expired generation had: "<entered>/<needed>", then a line for each of its --members
// that never entered.
struct Expiry {
  std::int64_t entered = 0;
  std::int64_t needed = 0; // the parties (MIN of MIN:MAX) that would have sufficed
  std::vector<std::string> never; // --members only
};
Expiry parse_expiry(std::string_view reason);

// How the ids of a released generation are ranked (--rank-by): bytewise, bytewise with runs of
// digits compared as numbers (node2 before node10), or in the order they arrived.
enum class RankBy { id, natural, arrival };
std::string_view name_of(RankBy rank_by);
std::optional<RankBy> parse_rank_by(std::string_view text);
// The orders of id and natural, as roster.lua ranks a roster (for a gang whose --members are its
// ranks before anyone arrived).
bool bytewise_less(const std::string& a, const std::string& b);
bool natural_less(const std::string& a, const std::string& b);

// How --parties reads: "N", or "MIN:MAX" when MIN < MAX.
std::string parties_text(std::int64_t min, std::int64_t max);

// What a joining party asks of the barrier (PROTOCOL.md, `admit`): the first party fixes it,
// and a party that asks otherwise is refused -- but for the last call and the deadline, which
// the first one to give them fixes.
struct Shape {
  std::int64_t parties = 0; // the most a generation holds (MAX)
  std::int64_t min = 0; // the fewest released once the last call ended (MIN; 0: parties)
  Duration last_call{0};
  bool once = false;
  std::string expected; // canonical_members() of --members; empty: any
  RankBy rank_by = RankBy::id;
  std::optional<Duration> deadline; // for the whole generation, from its first arrival
  bool action = false; // a barrier action runs before each release (--action)
  std::int64_t fewest() const { return min > 0 ? min : parties; }
  bool elastic() const { return fewest() < parties; }
};

// What replies say of a generation's time and shape (PROTOCOL.md, `timing`): the fewest it is
// released with, when its last call ends, when its deadline passes and the --deadline that
// fixed it, and its rank order.
struct Timing {
  std::int64_t min = 0; // 0: none known (no barrier, or an older script's reply)
  std::optional<Duration> closes_in;
  std::optional<Duration> deadline_in;
  std::optional<Duration> deadline; // the --deadline that fixed it
  RankBy rank_by = RankBy::id;
  bool action = false; // the barrier runs an action before each release

  // The fewest a generation of a barrier of `parties` is released with: MIN, or `parties`.
  std::int64_t fewest(std::int64_t parties) const { return min > 0 ? min : parties; }
  // Whether a barrier of `parties` is elastic (MIN:MAX, MIN < MAX).
  bool elastic(std::int64_t parties) const { return fewest(parties) < parties; }
};

// What ended a working party's work, from a `stopped` reply's detail: its generation's outcome,
// or a reset when the reply names none (a script that was not told the generation).
inline Decision work_ended(std::string_view detail) {
  return detail.empty() ? Decision{Outcome::reset, {}} : parse_decision(detail);
}

// The lease of a party that holds none (arrive): it counts until its generation ends.
inline constexpr Duration k_no_lease{0};

// The ways the barrier refuses an arrival or an entry, as refusal.hpp ends a party with them.
enum class Refused { broken, mismatch, members };

// What the replies of arrive and enter say besides their status (PROTOCOL.md, "Scripts"): where
// the barrier stands, and what their sixth field, the detail, means for the status it came with.
struct Standing {
  std::optional<Refused> refused; // broken, mismatch, members: the refusal
  std::int64_t generation = 0;
  std::int64_t count = 0;
  std::int64_t parties = 0; // the barrier's
  std::string token;
  StreamPositions from; // the streams as they stood after the script
  std::string reason; // broken: the barrier's reason; lost: why
  bool once = false; // mismatch: the barrier's --once
  bool command = false; // mismatch: the barrier is rbarrier once's
  std::int64_t members = 0; // members: how many member ids the barrier expects (0: none)
  Decision ended; // stopped: the outcome that ended the party's work (reset when not named)
  Timing timing;
  // waiting: counted after the previous generation, elastic, was released without it less than
  // a last call before
  bool late = false;
};

// The reply of arrive (a waiting party's arrival, or a working party's at the end of its work), as
// src/lua/arrive.lua's opening comment gives its shape.
struct Arrival : Standing {
  enum class Status {
    waiting,
    released,
    passed,
    broken,
    mismatch,
    members,
    stopped, // from work: the outcome of its generation ended the party's work
    lost, // from work: the barrier it worked in is gone
    full, // not counted: as many entered as the barrier has, one still working
    act, // counted, and completed the generation: this party runs its barrier action now
  };
  Status status = Status::waiting;
};

// The reply of enter (a working party's entry or the renewal of its lease; run), as
// src/lua/enter.lua's opening comment gives its shape.
struct Entry : Standing {
  enum class Status {
    working,
    entered, // as many parties as the barrier's entered (count)
    broken,
    mismatch,
    members,
    stopped, // the outcome of its generation ended the party's work
    lost,
    full, // not counted: as many entered as the barrier has, one still working
    duplicate, // another party works under this id
  };
  Status status = Status::working;
  Duration lease_left{0}; // duplicate: what is left of the other party's lease
};

// What observe found, for a party that waits without being counted (await).
struct Observation {
  enum class Status { none, waiting, decided, broken, passed, lost };
  Status status = Status::none;
  std::int64_t generation = 0; // the one observed (none: the one to wait for)
  std::int64_t count = 0;
  std::int64_t parties = 0;
  std::string token;
  std::string detail; // decided: the outcome; broken: the reason; lost: why
  StreamPositions from;
  // When the first working party's lease lapses (which breaks the barrier), if one works.
  std::optional<Duration> lapse;
  Timing timing;
};

// What poll, leave and a conditional abort found.
struct Check {
  // act: poll found the generation complete, and this party runs its barrier action now
  enum class Status { waiting, decided, lost, left, aborted, act };
  Status status = Status::waiting;
  Decision decision; // decided
  std::optional<std::int64_t> generation; // decided, left: when the caller did not know it
  std::string why; // lost
  std::int64_t count = 0;
  std::int64_t parties = 0; // waiting, left; decided: how many a release released, if known
  bool kept = false; // left: the member still counts (members without a lease, an action runs)
  Timing timing; // waiting (poll)
};

// What once.lua says to a caller of rbarrier once (PROTOCOL.md, `once`): each attempt to run the
// command is a generation, released when it succeeded and aborted with the runner's failure.
struct Turn {
  enum class Status {
    run, // this caller runs it now (who: the runner whose lease lapsed, if any)
    running, // another runs it: who, for `ago`, with `lease_left` on its lease
    done, // it was done: by who, `ago`
    decided, // the attempt the caller waited for was decided: `decision` (done's fields if done)
    broken, // the barrier is broken: `detail` is the reason
    mismatch, // a barrier of parties has this name
    lost, // `detail`: why
    renewed,
    stopped, // this party no longer runs it: `decision` ended its attempt, or none (taken over)
    finished,
  };
  Status status = Status::lost;
  std::int64_t generation = 0;
  std::string token;
  std::string who;
  std::optional<Duration> ago;
  std::optional<Duration> lease_left;
  std::string detail; // run: the last failure; broken: the reason; lost: why
  std::optional<Decision> decision; // decided, stopped
  std::string events_from;
};
Turn decode_turn(const redis::Reply& reply);

// What delete.lua did: nothing (busy: parties were there, and no force), or deleted the barrier
// (none: there was none); how many parties waited and worked.
struct Removal {
  enum class Status { none, busy, deleted };
  Status status = Status::none;
  std::int64_t waiting = 0;
  std::int64_t working = 0;
};
Removal decode_removal(const redis::Reply& reply);

// What a caller of once asks of once.lua.
enum class TurnOp { claim, renew, finish };

struct Member {
  std::string id;
  std::optional<Duration> lease_left; // none: arrived without a lease (arrive)
  std::string value; // its --data; empty: none
};

// A member of a released generation, with its --data (empty: none).
struct RosterEntry {
  std::string id;
  std::string value;
};

// The expected member ids (--members) as the protocol stores and compares them: sorted bytewise,
// joined by newlines; empty for none.
std::string canonical_members(std::vector<std::string> ids);

struct Snapshot {
  std::int64_t generation = 0;
  std::optional<std::int64_t> parties; // unset after a reset, until the next arrival
  Duration last_call{0};
  Timing timing;
  std::string state; // open, broken, passed
  std::string reason;
  bool once = false;
  std::int64_t created_ms = 0; // server clock
  std::int64_t now_ms = 0; // server clock
  Duration ttl{-1}; // -1: no expiry
  std::optional<Decision> last; // the previous generation's outcome
  std::vector<std::string> expected; // --members, sorted; empty: any
  std::vector<Member> working; // the parties working (run), with the lease left (<= 0: lapsed)
  // A barrier of rbarrier once: who did it and when (server ms), since when its runner (working)
  // runs it, and the last failure.
  bool command = false;
  std::string done_by;
  std::optional<std::int64_t> done_at_ms;
  std::optional<std::int64_t> runner_since_ms;
  std::string failed;
  std::vector<Member> members;
};

// The expected members (--members) not among the live ones, sorted.
std::vector<std::string> missing_members(const Snapshot& snapshot);

// What status found: the barrier (nullopt when there is none), and the streams as they stood.
struct Status {
  std::optional<Snapshot> snapshot;
  StreamPositions from;
};

// An entry of one of the barrier's streams.
struct Event {
  // entered: as many parties as the barrier's entered (run --enter waits for it)
  // working: a run party started or stopped working (count: how many entered), for those that
  // show the barrier (status --watch).
  // last_call: MIN parties entered an elastic generation, whose last call ends in `closes_in`.
  // deleted: the barrier was deleted (rbarrier delete --force) while parties were there.
  enum class Kind {
    arrived,
    left,
    released,
    reset,
    aborted,
    expired,
    entered,
    working,
    last_call,
    deleted
  };
  Kind kind = Kind::arrived;
  std::int64_t generation = 0;
  std::string token;
  std::int64_t count = 0; // arrived, left, entered, working, last_call
  // arrived, left, entered, working, last_call; an outcome's generation's (a release's: how many
  // it released)
  std::int64_t parties = 0;
  std::string reason; // aborted; expired: who came (parse_expiry)
  Duration closes_in{0}; // last_call

  // An outcome of a generation: released, reset, aborted or expired.
  bool is_outcome() const {
    return kind == Kind::released || kind == Kind::reset || kind == Kind::aborted ||
           kind == Kind::expired;
  }
};

// An entry's fields (field, value, field, value...); nullopt for an entry that is not one of
// ours.
std::optional<Event> decode_event(const redis::Reply& fields);

// Decoders of the scripts' replies, separate so that they are tested without a server.
Arrival decode_arrival(const redis::Reply& reply);
Entry decode_entry(const redis::Reply& reply);
Observation decode_observation(const redis::Reply& reply);
// nullopt: the generation was not released, or its roster is no longer kept.
std::optional<std::vector<RosterEntry>> decode_roster(const redis::Reply& reply);
Check decode_check(const redis::Reply& reply);
Status decode_status(const redis::Reply& reply);

class Barrier {
public:
  Barrier(std::string_view prefix, std::string_view name, Duration ttl);

  const BarrierKeys& keys() const { return m_keys; }

  // `value`: --data (empty: none); `from_work`: a working party (run) that finished its work
  // arrives, and stops working.
  Arrival arrive(redis::Connection& connection, const std::string& id, const std::string& nonce,
                 const Shape& shape, Duration lease, const std::string& new_token,
                 const std::string& value, const std::optional<Work>& from_work,
                 Deadline deadline) const;
  // A party starts working (`token` empty), or renews its lease while it works (`token`: the
  // instance it entered); with an empty `token`, `new_token` names the barrier if it is new.
  // A renewal names the `generation` it entered: when the party no longer works, the reply is
  // that generation's outcome.
  Entry enter(redis::Connection& connection, const std::string& id, const Shape& shape,
              Duration lease, const std::string& token, const std::string& new_token,
              std::int64_t generation, Deadline deadline) const;
  // A working party stops working: with a `reason` (its command failed), aborting the current
  // generation with it (aborted); without, only withdrawing (left). decided: it was no longer
  // working, the barrier broke (aborted) or its generation was decided (reset) before.
  // `generation`: the one it entered, 0 when its entry was never answered.
  Check quit(redis::Connection& connection, const std::string& id, const std::string& token,
             const std::string& reason, std::int64_t generation, Deadline deadline) const;
  // `value`: the party's --data (empty: none), kept again should it be added again.
  Check poll(redis::Connection& connection, const std::string& id, std::int64_t generation,
             const std::string& token, Duration lease, const std::string& value,
             Deadline deadline) const;
  // Withdraws `id` from `generation`; without it, from the generation its arrival `nonce` joined,
  // if the server counted that arrival, and else makes sure that arrival will not count for a
  // lease to come.
  Check leave(redis::Connection& connection, const std::string& id, const std::string& nonce,
              std::optional<std::int64_t> generation, const std::string& token, Duration lease,
              Deadline deadline) const;
  // Reads, changing nothing, what became of `generation` (nullopt: the current one) of the
  // instance `token` (empty: whichever there is).
  Observation observe(redis::Connection& connection, std::optional<std::int64_t> generation,
                      const std::string& token, Deadline deadline) const;
  // The members released `generation` was released with, and their --data; see decode_roster.
  std::optional<std::vector<RosterEntry>> roster(redis::Connection& connection,
                                                 std::int64_t generation, Deadline deadline) const;
  // Returns the generation that was reset, or nullopt when there was no barrier.
  std::optional<std::int64_t> reset(redis::Connection& connection, Deadline deadline) const;
  // Aborts the current generation, or only `generation` if it is still undecided.
  Check abort(redis::Connection& connection, const std::string& reason,
              const std::string& new_token, std::optional<std::int64_t> generation,
              const std::string& token, Deadline deadline) const;
  Status status(redis::Connection& connection, Deadline deadline) const;
  // Deletes every key of the barrier: refused (busy) while parties wait or work, unless `force`,
  // which tells them (a `deleted` event).
  Removal remove(redis::Connection& connection, bool force, Deadline deadline) const;
  // once: a caller claims the command (`token` and `generation` empty for a first claim, with
  // `new_token` to name a new barrier; else the attempt it waited for), or its runner renews
  // its lease or says how the command ended (`failure`: empty when it succeeded).
  Turn once(redis::Connection& connection, TurnOp op, const std::string& id,
            const std::string& token, const std::string& new_token,
            std::optional<std::int64_t> generation, Duration lease, const std::string& failure,
            Deadline deadline) const;
  // The ids that left `generation` of instance `token` (withdrew, or lapsed), as the progress
  // stream still has them (it keeps about the last 1000 events).
  std::vector<std::string> departed(redis::Connection& connection, std::int64_t generation,
                                    const std::string& token, Deadline deadline) const;

private:
  // The common keys and the record of the arrival `nonce`, for arrive and leave.
  std::vector<std::string> with_arrival(std::string_view nonce) const;
  redis::Reply run(redis::Connection& connection, const scripts::Script& script,
                   std::vector<std::string> keys, std::vector<std::string> args,
                   Deadline deadline) const;

  BarrierKeys m_keys;
  std::string m_ttl_ms;
};

} // namespace rbarrier
