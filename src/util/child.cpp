// SPDX-License-Identifier: Apache-2.0
// run's command: a child process, and the words for how it ended.
#include "util/child.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace rbarrier {

Child::Child(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  // The child writes exec's errno here; the pipe closes with no byte when exec succeeded.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    throw SpawnError{errno};
  }
  const pid_t parent = ::getpid();
  // Signals are blocked across fork, so that none reaches this process's handlers in the child:
  // the child sets them back to their defaults first, and then gets any that came meanwhile.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, &old);
  m_pid = ::fork();
  if (m_pid < 0) {
    const int error = errno;
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    ::close(report[0]);
    ::close(report[1]);
    throw SpawnError{error};
  }
  if (m_pid == 0) { // only async-signal-safe calls from here on
    for (const int signo : {SIGINT, SIGTERM, SIGCHLD}) {
      ::signal(signo, SIG_DFL);
    }
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    ::close(report[0]);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) { // the parent died before prctl
      ::_exit(143);
    }
    ::execvp(args[0], args.data());
    const int error = errno;
    [[maybe_unused]] auto written = ::write(report[1], &error, sizeof error);
    ::_exit(127);
  }
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ::close(report[1]);
  int error = 0;
  ssize_t got;
  do {
    got = ::read(report[0], &error, sizeof error);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == sizeof error) {
    int status;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw SpawnError{error};
  }
}

std::optional<int> Child::ended() {
  if (!m_status) {
    int status;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_status = status;
    }
  }
  return m_status;
}

void Child::signal(int signo) const {
  if (!m_status) {
    ::kill(m_pid, signo);
  }
}

int SpawnError::exit_status() const { return error == ENOENT ? 127 : 126; }

namespace {

std::string signal_name(int signo) {
  static constexpr struct {
    int number;
    const char* name;
  } k_names[] = {{SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
                 {SIGILL, "SIGILL"},   {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},
                 {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
                 {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
                 {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},
                 {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"}};
  for (const auto& [number, name] : k_names) {
    if (number == signo) {
      return name;
    }
  }
  return fmt::format("signal {}", signo);
}

} // namespace

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) {
    return fmt::format("killed by {}{}", signal_name(WTERMSIG(status)),
                       WCOREDUMP(status) ? " (core dumped)" : "");
  }
  return fmt::format("exited {}", WEXITSTATUS(status));
}

int exit_status_of(int status) {
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

} // namespace rbarrier
