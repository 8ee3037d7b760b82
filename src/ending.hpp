// SPDX-License-Identifier: Apache-2.0
// How a subcommand ended: the one table of endings, each with its exit status and --json name.
#pragma once

#include <string>
#include <string_view>

#include "util/exit_code.hpp"

namespace rbarrier {

enum class Ending {
  done, // a subcommand that is not a party (reset, abort, status) did what it was asked
  released, // the party's generation was released
  passed, // a latch already released: the party passed at once
  arrived, // arrive: counted (its generation not released yet)
  reset,
  aborted, // by `abort` or a failed party, with the reason
  broken, // the barrier was broken when the party came, or a party's lease lapsed
  mismatch, // --parties, --once, --members or --id disagree with the barrier's
  lost, // the barrier's state was lost (a restart without persistence)
  timeout,
  expired, // the generation's --deadline passed before its release
  interrupted, // SIGINT
  terminated, // SIGTERM
  failed, // run's command failed: the ending carries the command's status
  error, // the server, the connection or the command line: the ending carries its status
};

// The exit status of an ending; failed and error have none of their own (ExitCode::internal).
ExitCode exit_code_of(Ending ending);

// Its name in --json ("outcome").
std::string_view json_name(Ending ending);

// The ending of a party stopped by signal `signo` (SIGINT or SIGTERM).
Ending ending_of_signal(int signo);

// What a subcommand returns: how it ended, its exit status, and the line printed as
// "rbarrier: <message>" (none when empty).
struct Result {
  Result() = default;
  Result(Ending how, std::string line)
      : ending(how), exit_code(to_int(exit_code_of(how))), message(std::move(line)) {}
  // failed (the command's status), error (the error's), or a signal's ending (130, 143).
  Result(Ending how, int status, std::string line)
      : ending(how), exit_code(status), message(std::move(line)) {}

  Ending ending = Ending::done;
  int exit_code = 0;
  std::string message;
};

// A subcommand stopped by signal `signo` while `doing` (for the message): "interrupted while
// waiting at barrier "x"" (130), or "terminated ..." (143).
Result stopped_by(int signo, std::string_view doing);

} // namespace rbarrier
