// SPDX-License-Identifier: Apache-2.0
// poll(2) on one descriptor until a deadline, woken by the signal pipe.
#include "redis/wait_fd.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <poll.h>

#include "util/error.hpp"
#include "util/signals.hpp"

namespace rbarrier::redis {

bool wait_fd(int fd, short events, int wake_fd, Deadline deadline) {
  for (;;) {
    pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
    const int count = wake_fd >= 0 ? 2 : 1;
    const int rc = ::poll(fds, count, poll_timeout_ms(deadline));
    if (rc < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw ConnectionError(fmt::format("poll failed: {}", std::strerror(errno)));
    }
    if (count == 2 && (fds[1].revents & POLLIN) != 0) {
      if (const int signo = signals::woken()) {
        throw Interrupted(signo);
      }
    }
    if (fds[0].revents != 0) {
      return true;
    }
    if (rc == 0 && Clock::now() >= deadline) {
      return false;
    }
  }
}

} // namespace rbarrier::redis
