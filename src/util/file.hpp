// SPDX-License-Identifier: Apache-2.0
// Files named on the command line, read with bounds.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/duration.hpp"

// Files named on the command line, read with bounds: a user may name /dev/zero, a FIFO nobody
// writes to, or a file far larger than the option can mean.
namespace rbarrier {

// The most --password-file may hold: a password and a line end.
constexpr std::size_t k_max_password_file = 4096;
// The most a certificate, key or CA file may hold.
constexpr std::size_t k_max_tls_file = 1024 * 1024;

// The contents of `path` (a file, a pipe or a FIFO), at most `max` bytes, read by `deadline`.
// Throws UsageError naming `option` when it cannot be opened or read, holds more than `max`
// bytes, or has not ended by the deadline.
std::string read_bounded(const std::string& path, std::size_t max, Deadline deadline,
                         std::string_view option);

// Throws UsageError naming `option` unless `path` is a regular file of at most `max` bytes (a
// file that another library is about to read without such bounds).
void check_regular_file(const std::string& path, std::size_t max, std::string_view option);

} // namespace rbarrier
