// SPDX-License-Identifier: Apache-2.0
// Files named on the command line, read with bounds.
#include "util/file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/text.hpp"

namespace rbarrier {

namespace {

UsageError refused(std::string_view option, const std::string& path, std::string_view why) {
  return UsageError(fmt::format("cannot read {} {}: {}", option, quote(path), why));
}

std::string too_large(std::size_t max) { return fmt::format("larger than {} bytes", max); }

} // namespace

std::string read_bounded(const std::string& path, std::size_t max, Deadline deadline,
                         std::string_view option) {
  // Non-blocking, so that opening a FIFO without a writer does not wait for one.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    throw refused(option, path, std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  std::string contents;
  char buffer[1024];
  for (;;) {
    pollfd ready{fd, POLLIN, 0};
    const int rc = ::poll(&ready, 1, poll_timeout_ms(deadline));
    if (rc < 0 && errno == EINTR) {
      continue;
    }
    if (rc == 0) {
      throw refused(option, path, "it did not end in time (a FIFO without a writer?)");
    }
    const auto got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        continue;
      }
      throw refused(option, path, std::strerror(errno));
    }
    if (got == 0) {
      return contents;
    }
    if (contents.size() + static_cast<std::size_t>(got) > max) {
      throw refused(option, path, too_large(max));
    }
    contents.append(buffer, static_cast<std::size_t>(got));
  }
}

void check_regular_file(const std::string& path, std::size_t max, std::string_view option) {
  struct stat status = {};
  if (::stat(path.c_str(), &status) != 0) {
    throw refused(option, path, std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) {
    throw refused(option, path, "not a regular file");
  }
  if (static_cast<std::size_t>(status.st_size) > max) {
    throw refused(option, path, too_large(max));
  }
}

} // namespace rbarrier
