// SPDX-License-Identifier: Apache-2.0
#include "util/signals.hpp"

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

#include "util/exit_code.hpp"

namespace rbarrier::signals {

namespace {

int g_pipe[2] = {-1, -1};
volatile std::sig_atomic_t g_received = 0;

void on_signal(int signo) {
  if (g_received == 0) {
    g_received = signo;
  }
  const char byte = 1;
  [[maybe_unused]] auto written = ::write(g_pipe[1], &byte, 1);
}

} // namespace

void install() {
  if (g_pipe[0] != -1) {
    return;
  }
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    return;
  }
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int wake_fd() { return g_pipe[0]; }

int received() { return g_received; }

int exit_status(int signo) {
  return to_int(signo == SIGINT ? ExitCode::interrupted : ExitCode::terminated);
}

} // namespace rbarrier::signals
