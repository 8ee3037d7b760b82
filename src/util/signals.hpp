// SPDX-License-Identifier: Apache-2.0
// SIGINT, SIGTERM and SIGCHLD: recorded, and made readable on a pipe that wakes every wait.
#pragma once

// SIGINT and SIGTERM while waiting, and SIGCHLD while run's command runs: the handler records the
// signal and makes a pipe readable, so that every poll(2) of the connection layer wakes up and
// the waiter can withdraw its arrival, or the worker pass the signal on or see its command end.
namespace rbarrier::signals {

// Installs the handlers of SIGINT and SIGTERM. They stay installed: a signal repeated while the
// party withdraws (as timeout(1), a CI runner or a double Ctrl-C send them) cannot cut the
// bounded withdrawal short and leave an arrival counted; SIGKILL still ends the process at once.
void install();

// Also SIGCHLD (run): a child that ended interrupts waits as a signal does.
void watch_children();

// The read end of the self-pipe, or -1 before install().
int wake_fd();

// What interrupts a wait: the first SIGINT or SIGTERM received (since take()), else SIGCHLD when
// a child ended (since take()), else 0.
int interrupting();

// For a wait whose signal pipe became readable: what interrupts it (as interrupting()). A pipe
// that woke with nothing recorded (a signal take() took meanwhile) is emptied first, so that it
// does not wake the wait again and again.
int woken();

// The signals received since the last take().
struct Taken {
  int first = 0; // the first SIGINT or SIGTERM
  // Sent to this process alone, not by a terminal to its whole foreground process group (Ctrl-C),
  // which the command got too: to be passed on to it.
  bool pass_interrupt = false;
  bool pass_terminate = false;
  bool child = false; // a child ended
};

// Returns what came since the last take(), and starts over: the pipe is emptied, so that only
// signals to come wake waits again.
Taken take();

} // namespace rbarrier::signals
