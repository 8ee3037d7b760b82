// SPDX-License-Identifier: Apache-2.0
// SIGINT, SIGTERM and SIGCHLD: recorded, and made readable on a pipe that wakes every wait.
#include "util/signals.hpp"

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace rbarrier::signals {

namespace {

// What a handler records: lock-free atomics, safe in a signal handler.
constexpr unsigned k_pass_interrupt = 1;
constexpr unsigned k_pass_terminate = 2;
constexpr unsigned k_child = 4;

int g_pipe[2] = {-1, -1};
std::atomic<int> g_first{0};
std::atomic<unsigned> g_flags{0};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<unsigned>::is_always_lock_free);

void on_signal(int signo, siginfo_t* info, void*) {
  if (signo == SIGCHLD) {
    g_flags |= k_child;
  } else {
    int none = 0;
    g_first.compare_exchange_strong(none, signo);
    if (info == nullptr || info->si_code != SI_KERNEL) {
      g_flags |= signo == SIGINT ? k_pass_interrupt : k_pass_terminate;
    }
  }
  const char byte = 1;
  [[maybe_unused]] auto written = ::write(g_pipe[1], &byte, 1);
}

void handle(int signo, int flags) {
  struct sigaction action = {};
  action.sa_sigaction = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_SIGINFO | flags;
  sigaction(signo, &action, nullptr);
}

} // namespace

void install() {
  if (g_pipe[0] != -1) {
    return;
  }
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    return;
  }
  handle(SIGINT, 0);
  handle(SIGTERM, 0);
}

void watch_children() {
  install();
  handle(SIGCHLD, SA_NOCLDSTOP);
}

int wake_fd() { return g_pipe[0]; }

int interrupting() {
  if (const int first = g_first) {
    return first;
  }
  return (g_flags & k_child) != 0 ? SIGCHLD : 0;
}

namespace {

void drain() {
  char bytes[64];
  while (::read(g_pipe[0], bytes, sizeof bytes) > 0) {
  }
}

} // namespace

int woken() {
  if (const int signo = interrupting()) {
    return signo;
  }
  // A handler records before it writes: one that comes after this drain wakes the wait again,
  // one that came before it is seen here.
  drain();
  return interrupting();
}

Taken take() {
  drain();
  // After the pipe is emptied: a signal that comes now is in both the flags and the pipe.
  const unsigned flags = g_flags.exchange(0);
  return {g_first.exchange(0), (flags & k_pass_interrupt) != 0, (flags & k_pass_terminate) != 0,
          (flags & k_child) != 0};
}

} // namespace rbarrier::signals
