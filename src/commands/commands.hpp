// SPDX-License-Identifier: Apache-2.0
// What the subcommands share: option specs, --members and the options of a waiting party.
#pragma once

#include <optional>
#include <string>

#include "ending.hpp"
#include "options.hpp"
#include "refusal.hpp"
#include "subcommand.hpp"
#include "waiter.hpp"

// One file per subcommand, each defining its options struct, its Subcommand (extern, for the
// table in src/subcommands.cpp), how its options are built, and what runs them. That returns
// a Result (ending.hpp); failures of the connection and the server are thrown as
// rbarrier::Error. This header: what several subcommands share.
namespace rbarrier::commands {

// Options that several subcommands take, with one help text each.
inline constexpr OptionSpec k_name_option{"NAME", OptionSpec::Kind::positional, "",
                                          "the barrier's name"};
inline constexpr OptionSpec k_parties_option{
    "-n,--parties", OptionSpec::Kind::value, "N|MIN:MAX",
    "how many parties meet (the first arrival fixes it); MIN:MAX: at least MIN after "
    "--last-call, at once at MAX; required without --members"};
inline constexpr OptionSpec k_last_call_option{
    "--last-call", OptionSpec::Kind::value, "DUR",
    "with -n MIN:MAX: release DUR after the MIN-th party arrived (the first arrival fixes it)"};
inline constexpr OptionSpec k_deadline_option{
    "--deadline", OptionSpec::Kind::value, "DUR",
    "the generation expires for all (exit 124) DUR after its first arrival, unless released"};
inline constexpr OptionSpec k_rank_by_option{
    "--rank-by", OptionSpec::Kind::value, "id|natural|arrival",
    "rank ids bytewise (default), with numbers as numbers (node2 before node10), or by arrival"};
inline constexpr OptionSpec k_action_option{
    "--action", OptionSpec::Kind::value, "CMD",
    "a shell command line that one party runs once all arrived, before any is released; its "
    "failure aborts the generation for all"};
inline constexpr OptionSpec k_id_option{
    "--id", OptionSpec::Kind::value, "ID",
    "this party's member id; arriving twice with one id counts once (default host:pid:random)"};
inline constexpr OptionSpec k_once_option{
    "--once", OptionSpec::Kind::flag, "",
    "latch: after the first release later arrivals pass at once"};
inline constexpr OptionSpec k_members_option{
    "--members", OptionSpec::Kind::value, "ID,...|@FILE",
    "the member ids expected (or one per line in FILE): sets --parties, needs --id"};
inline constexpr OptionSpec k_data_option{
    "--data", OptionSpec::Kind::value, "VALUE",
    "a value (at most 4096 bytes) kept with this member for its generation, shown by --json"};
inline constexpr OptionSpec k_json_option{
    "--json", OptionSpec::Kind::flag, "",
    "print the outcome as one JSON object on stdout (ranks, members and data on a release)"};
inline constexpr OptionSpec k_timeout_option{"-t,--timeout", OptionSpec::Kind::value, "DUR",
                                             "give up after DUR (0, the default: wait for ever)"};

// The most --data may hold, and --members @FILE.
inline constexpr std::size_t k_max_data = 4096;
inline constexpr std::size_t k_max_members_file = 1024 * 1024;

// What wait, arrive and run are told of the members: --parties, --last-call, --rank-by,
// --deadline, --members, --id and --data, checked together (throws UsageError). The shape's once
// is left to the caller.
struct Membership {
  Shape shape;
  std::vector<std::string> members;
  std::optional<std::string> id;
  std::string data;
};
Membership membership(const Values& values, Deadline deadline);

// What wait and run's waiting party share of their options: the name, --parties, --members, --id,
// --data, --json, --timeout and --lease (throws UsageError).
WaitOptions waiting_options(const Values& values, const GlobalOptions& global);

} // namespace rbarrier::commands
