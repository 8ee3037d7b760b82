#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Soak: many generations of one barrier under random waits, arrivals (`arrive`, without waiting),
awaits (`await`, not counted) and working parties (`run`, whose commands succeed or fail), SIGKILLs,
SIGTERMs, resets and aborts, then checks of what every party saw against each other and against
the server.

    soak.py RBARRIER REDIS_SOCKET GENERATIONS LOG_DIR

Checks: all parties that saw an outcome of a generation, awaiting ones included, saw the same
one, and it is the one the server recorded; no generation was released with fewer than PARTIES
members present (released waiters, arrivals counted in it, and killed waiters whose lease may
still have counted); no more than PARTIES waiters and arrivals were released by one generation; no
party outlived its --timeout by more than the withdrawal grace. A run party is released only when
its command exited 0, exits with its command's status when that failed, and leaves no command
running behind it, SIGKILLed or not.
"""
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict

from resp import redis

PARTIES = 3
# How many parties run at once, chosen anew for each phase: too few for a while makes timeouts.
LIVE_CHOICES = [2, 3, 4, 4, 5]
LEASE = "1s"
GRACE = 5.0  # seconds a party may take past its timeout: withdrawal plus a loaded machine
NAME = "soak"
FAILED = 7  # the status of a run party's failing command


class Party:
    def __init__(self, rbarrier, url, index, log_dir, kind):
        self.index = index
        self.kind = kind  # wait, arrive, await or run
        self.log = "%s/party-%d.err" % (log_dir, index)
        self.timeout = random.choice([0.1, 0.2, 0.3, 0.6, 1.0, 2.0])
        self.started = time.monotonic()
        self.signal = None
        args = {
            "wait": ["wait", NAME, "-n", str(PARTIES), "--lease", LEASE, "-t", "%gs" % self.timeout,
                     "--id", "party-%d" % index],
            "arrive": ["arrive", NAME, "-n", str(PARTIES), "--id", "party-%d" % index],
            "await": ["await", NAME, "-t", "%gs" % (self.timeout * 2)],
            # a shorter lease, so that a SIGKILLed worker is found before a reset forgets it
            "run": ["run", NAME, "-n", str(PARTIES), "--lease", "300ms", "-t", "%gs" % self.timeout,
                    "--id", "party-%d" % index, "--grace", "1s"],
        }[kind]
        self.command_status = None
        self.pid_file = "%s/command-%d.pid" % (log_dir, index)
        if kind == "run":
            # The work: a while, then success or failure; its pid, to find it if left behind.
            work = random.choice([0, 0.05, 0.1, 0.2])
            self.command_status = random.choices([0, FAILED], [0.85, 0.15])[0]
            args += ["--", "sh", "-c", 'echo $$ >"$0"; sleep %g; exit %d' % (
                work, self.command_status), self.pid_file]
            self.timeout += work
        if kind != "wait":
            self.timeout = 2 * self.timeout if kind == "await" else 0
        self.proc = subprocess.Popen([rbarrier, "-u", url, "-v"] + args,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        self.code = None
        self.elapsed = None
        self.generation = None
        self.stderr = ""

    def arrived(self):
        """Whether the party has said that the server counted it (and in which generation)."""
        with open(self.log) as f:
            return "arrived at barrier" in f.read()

    def working(self):
        """Whether a run party has said that it works."""
        with open(self.log) as f:
            return "working at barrier" in f.read()

    def finish(self):
        with open(self.log) as f:
            self.stderr = f.read()
        self.code = self.proc.returncode
        self.elapsed = time.monotonic() - self.started
        # the generation it arrived in (a run party that never arrived: none, since the one it
        # entered may have been released, by others, before the outcome it reports)
        found = re.findall(r"generation (\d+)", self.stderr.split("succeeded: arriving")[1]
                           if self.kind == "run" and "succeeded: arriving" in self.stderr else
                           "" if self.kind == "run" else self.stderr)
        self.generation = int(found[0]) if found else None


def main():
    rbarrier, sock_path, generations, log_dir = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                                                 sys.argv[4])
    url = "unix://" + sock_path
    key = "rbarrier:{%s}" % NAME
    random.seed()
    live, done = [], []
    index = 0
    resets = aborts = 0
    broken_since = None
    deadline = time.monotonic() + 60 + generations * 0.5
    live_target, phase_end = 4, 0.0
    while True:
        if time.monotonic() > phase_end:
            live_target = random.choice(LIVE_CHOICES)
            phase_end = time.monotonic() + random.uniform(0.2, 1.0 if live_target < 3 else 0.3)
        gen = int(redis(sock_path, "HGET", key, "gen") or 0)
        if gen > generations:
            break
        if time.monotonic() > deadline:
            sys.exit("soak: stuck at generation %d of %d" % (gen, generations))
        while len(live) < live_target:
            index += 1
            kind = random.choices(["wait", "arrive", "await", "run"], [0.55, 0.1, 0.15, 0.2])[0]
            live.append(Party(rbarrier, url, index, log_dir, kind))
        r = random.random()
        if r < 0.02:
            # SIGTERM at any moment: the party withdraws (or reports the decided outcome). Once
            # only: a second signal ends a party at once, by design, without withdrawing.
            candidates = [p for p in live if p.signal is None and p.kind != "arrive"]
            if candidates:
                victim = random.choice(candidates)
                victim.signal = signal.SIGTERM
                victim.proc.send_signal(victim.signal)
        elif r < 0.04:
            # SIGKILL only once the party has logged its generation, so that a generation
            # released with its lease still counting can be told from a false release
            # (or, for a run party, once it works: it vanishes, and the barrier is aborted)
            counted = [p for p in live if p.signal is None and (
                p.kind == "wait" and p.arrived() or p.kind == "run" and p.working())]
            if counted:
                victim = random.choice(counted)
                victim.signal = signal.SIGKILL
                victim.proc.send_signal(victim.signal)
        elif r < 0.05:
            subprocess.run([rbarrier, "-u", url, "reset", NAME], check=True)
            resets += 1
        elif r < 0.055:
            subprocess.run([rbarrier, "-u", url, "abort", NAME, "--reason", "soak"], check=True)
            aborts += 1
            broken_since = time.monotonic()
        if not broken_since and redis(sock_path, "HGET", key, "state") == "broken":
            broken_since = time.monotonic()  # by a run party whose command failed or vanished
        if broken_since and time.monotonic() - broken_since > 0.05:
            subprocess.run([rbarrier, "-u", url, "reset", NAME], check=True)
            resets += 1
            broken_since = None
        time.sleep(0.005)
        for p in list(live):
            if p.proc.poll() is not None:
                p.finish()
                live.remove(p)
                done.append(p)
    # The waiting parties are ended; arrivals end by themselves (one killed after it was counted
    # would look like a generation released with a member too few).
    for p in live:
        if p.kind != "arrive":
            p.proc.send_signal(signal.SIGTERM)
    for p in live:
        p.proc.wait()
        p.finish()
        if p.kind != "arrive":
            p.signal = signal.SIGTERM
        done.append(p)

    errors = []
    outcome_of_code = {0: "released", 3: "reset", 4: "aborted"}
    seen = defaultdict(set)
    released = defaultdict(int)  # waiters released, and arrivals counted, by generation
    killed = defaultdict(int)
    arriving = 0  # run parties killed as they arrived, in a generation they did not name
    for p in done:
        if p.kind == "arrive":
            if p.code not in (0, 4):
                errors.append("arrival %d exited %s: %s" % (p.index, p.code, p.stderr.strip()))
            elif p.code == 0 and p.generation is not None:
                released[p.generation] += 1  # counted: it counts if its generation is released
            continue
        if p.kind in ("await", "run") and p.code == 4 and "is broken" in p.stderr:
            continue  # broken when it looked: no outcome of a generation seen
        if p.code == -signal.SIGKILL:
            if p.generation is not None:  # it said where it arrived: its lease may have counted
                killed[p.generation] += 1
            elif p.kind == "run" and "succeeded: arriving" in p.stderr:
                # A worker is killed once it works, which it may stop doing just then: killed as
                # it arrived, it may count in a generation it never named.
                arriving += 1
            continue
        if p.kind == "run":
            if p.code == 0 and p.command_status != 0:
                errors.append("run party %d released, its command failing: %s" % (
                    p.index, p.stderr.strip()))
            if p.code == FAILED:
                if p.command_status != FAILED:
                    errors.append("run party %d exited %d: %s" % (p.index, FAILED, p.stderr.strip()))
                elif "party-%d: exited %d" % (p.index, FAILED) not in p.stderr:
                    errors.append("run party %d's failure not said: %s" % (p.index, p.stderr))
                continue
        if p.code == -signal.SIGTERM:
            continue  # terminated before its handler was installed: it never arrived
        if p.code not in (0, 3, 4, 124, 130, 143) or (p.kind == "await" and p.code == 5):
            errors.append("party %d exited %s: %s" % (p.index, p.code, p.stderr.strip()))
        if p.code in outcome_of_code and p.generation == 0:
            errors.append("party %d: generation 0: %s" % (p.index, p.stderr.strip()))
        if p.code in outcome_of_code and p.generation is not None:
            seen[p.generation].add(outcome_of_code[p.code])
            if p.code == 0 and p.kind in ("wait", "run"):
                released[p.generation] += 1
        if p.signal is None and p.elapsed > p.timeout + GRACE:
            errors.append("party %d waited %.1fs with --timeout %gs" % (p.index, p.elapsed,
                                                                         p.timeout))
    recorded = redis(sock_path, "HGETALL", key + ":outcomes")
    recorded = dict(zip(recorded[::2], recorded[1::2]))
    for gen, outcomes in sorted(seen.items()):
        if len(outcomes) > 1:
            errors.append("generation %d: parties saw %s" % (gen, sorted(outcomes)))
        server = recorded.get(str(gen))
        if server is not None and server.split(":")[0] not in outcomes:
            errors.append("generation %d: server recorded %s, parties saw %s" % (
                gen, server, sorted(outcomes)))
    for gen, count in sorted(released.items()):
        if recorded.get(str(gen)) != "released":
            continue  # only arrivals counted in a generation that was reset or aborted
        if count > PARTIES:
            errors.append("generation %d released %d parties" % (gen, count))
        if count + killed[gen] == PARTIES - 1 and arriving > 0:
            arriving -= 1  # one member short: one of the workers killed as they arrived
        elif count + killed[gen] < PARTIES:
            errors.append("generation %d released with %d live and %d killed members: %s" % (
                gen, count, killed[gen], ", ".join(
                    "%s %d exited %s" % (p.kind, p.index, p.code)
                    for p in done if p.generation == gen)))
    # No run party leaves its command behind: ended, stopped, or (SIGKILLed) by the parent-death
    # signal.
    def running(pid):
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False
    commands = [int(open(p.pid_file).read()) for p in done
                if p.kind == "run" and os.path.exists(p.pid_file) and open(p.pid_file).read().strip()]
    give_up = time.monotonic() + 10
    while any(running(pid) for pid in commands) and time.monotonic() < give_up:
        time.sleep(0.05)
    for pid in commands:
        if running(pid):
            errors.append("a run party's command (pid %d) still runs" % pid)
    # run parties SIGKILLed while working, whose lapsed lease aborted the barrier, naming them
    vanished = len({who for p in done for who in re.findall(r"(party-\d+): vanished while working",
                                                           p.stderr)})
    outcome_counts = defaultdict(int)
    for outcomes in seen.values():
        for o in outcomes:
            outcome_counts[o] += 1
    print("soak: %d generations, %d parties (%d arrivals, %d awaits, %d runs, %d failed, %d "
          "vanished), %d resets, %d aborts, outcomes %s, killed %d, terminated %d, timed out %d" % (
              generations, len(done), sum(1 for p in done if p.kind == "arrive"),
              sum(1 for p in done if p.kind == "await"), sum(1 for p in done if p.kind == "run"),
              sum(1 for p in done if p.kind == "run" and p.code == FAILED), vanished,
              resets, aborts, dict(outcome_counts),
              sum(1 for p in done if p.code == -signal.SIGKILL),
              sum(1 for p in done if p.code == 143),
              sum(1 for p in done if p.code == 124)))
    for e in errors[:20]:
        print("FAIL:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
