// SPDX-License-Identifier: Apache-2.0
// Unit tests: run's child process and the words for its ending.
#include <cerrno>
#include <csignal>
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/wait.h>

#include "util/child.hpp"
#include "util/signals.hpp"

using namespace rbarrier;

namespace {

// Waits (at most 10 s) until the child ended: its wait status.
int wait_for(Child& child) {
  for (int i = 0; i < 1000; ++i) {
    if (const auto status = child.ended()) {
      return *status;
    }
    ::poll(nullptr, 0, 10);
  }
  FAIL("the child did not end");
  return -1;
}

} // namespace

TEST_CASE("a child's end, as run says it and as its exit status") {
  Child ok({"true"});
  const int success = wait_for(ok);
  CHECK(success == 0);
  CHECK(describe_wait_status(success) == "exited 0");
  Child failing({"sh", "-c", "exit 7"});
  const int failure = wait_for(failing);
  CHECK(describe_wait_status(failure) == "exited 7");
  CHECK(exit_status_of(failure) == 7);
  Child crashing({"sh", "-c", "kill -SEGV $$"});
  const int crash = wait_for(crashing);
  CHECK(describe_wait_status(crash).starts_with("killed by SIGSEGV"));
  CHECK(exit_status_of(crash) == 128 + SIGSEGV);
  CHECK(describe_wait_status(W_EXITCODE(0, 64)) == "killed by signal 64");
}

TEST_CASE("a signal reaches the child; an ended child gets none") {
  Child sleeper({"sleep", "30"});
  CHECK_FALSE(sleeper.ended());
  sleeper.signal(SIGTERM);
  const int status = wait_for(sleeper);
  CHECK(describe_wait_status(status) == "killed by SIGTERM");
  sleeper.signal(SIGTERM); // reaped: no process of that pid is signalled
  CHECK(sleeper.ended() == status);
}

TEST_CASE("a command that cannot be run: 127 when not found, 126 otherwise") {
  try {
    Child missing({"/nonexistent/command"});
    FAIL("a missing command ran");
  } catch (const SpawnError& error) {
    CHECK(error.error == ENOENT);
    CHECK(error.exit_status() == 127);
  }
  try {
    Child directory({"/"});
    FAIL("a directory ran");
  } catch (const SpawnError& error) {
    CHECK(error.error == EACCES);
    CHECK(error.exit_status() == 126);
  }
}

TEST_CASE("take() returns the signals since the last take, and which to pass on") {
  signals::install();
  signals::watch_children();
  signals::take();
  CHECK(signals::interrupting() == 0);
  ::raise(SIGTERM); // sent by this process, not a terminal: to pass on
  CHECK(signals::interrupting() == SIGTERM);
  const auto taken = signals::take();
  CHECK(taken.first == SIGTERM);
  CHECK(taken.pass_terminate);
  CHECK_FALSE(taken.pass_interrupt);
  CHECK(signals::interrupting() == 0);
  pollfd fd{signals::wake_fd(), POLLIN, 0};
  CHECK(::poll(&fd, 1, 0) == 0); // emptied: no wait wakes for it again
  Child child({"true"});
  wait_for(child);
  CHECK(signals::interrupting() == SIGCHLD); // a child's end interrupts a wait too
  CHECK(signals::take().child);
  CHECK(signals::woken() == 0);
}
