// SPDX-License-Identifier: Apache-2.0
// run's command: a child process, and the words for how it ended.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

// run's command: a child process, and the words for how it ended.
namespace rbarrier {

class Child {
public:
  // Starts `argv` (found on PATH, no shell; stdin, stdout and stderr inherited). The child gets
  // SIGTERM should this process die first. Throws SpawnError when it cannot be run.
  explicit Child(const std::vector<std::string>& argv);
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // Leaves a child that still runs to the parent-death signal.
  ~Child() = default;

  // Its wait status once it ended (then reaped), nullopt while it runs.
  std::optional<int> ended();
  // Sends `signo`, unless it ended.
  void signal(int signo) const;

private:
  pid_t m_pid;
  std::optional<int> m_status;
};

struct SpawnError {
  int error; // errno of the exec
  // 127 when the command was not found, else 126 (as a shell says).
  int exit_status() const;
};

// "exited 7", "killed by SIGSEGV" for a wait status.
std::string describe_wait_status(int status);

// A wait status as a shell's $?: the exit status, or 128 + the signal.
int exit_status_of(int status);

} // namespace rbarrier
