// SPDX-License-Identifier: Apache-2.0
#pragma once

// SIGINT and SIGTERM while waiting: the handler records the signal and makes a pipe readable, so
// that every poll(2) of the connection layer wakes up and the waiter can withdraw its arrival.
namespace rbarrier::signals {

// Installs the handlers. They stay installed: a signal repeated while the party withdraws (as
// timeout(1), a CI runner or a double Ctrl-C send them) cannot cut the bounded withdrawal short
// and leave an arrival counted; SIGKILL still ends the process at once.
void install();

// The read end of the self-pipe, or -1 before install().
int wake_fd();

// The first signal received, or 0.
int received();

// The exit status for a signal of install()'s: 130 for SIGINT, 143 for SIGTERM.
int exit_status(int signo);

} // namespace rbarrier::signals
