#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""rbarrier's benchmarks (run by scripts/bench): every figure a median over rounds, with its
spread, and a ratio against a baseline measured in the same run. Processes are started with
posix_spawn and reaped with a blocking waitpid; every timed start follows the same idle pause.

    harness.py --rbarrier BIN --floor BIN --party BIN --peer SCRIPT --port PORT --out FILE
               --plot-data FILE [--quick] [--before BIN] [--crowd N]
"""
import argparse
import datetime
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from resp import redis  # noqa: E402

SETTLE = 0.05  # idle time before every timed start, the floor's included
HOST = "127.0.0.1"
LAST_CALL = 0.5  # seconds: the elastic rounds' --last-call
DEVNULL = os.open(os.devnull, os.O_RDWR)
QUIET = [(os.POSIX_SPAWN_DUP2, DEVNULL, 1), (os.POSIX_SPAWN_DUP2, DEVNULL, 2)]


def spawn(argv):
    return os.posix_spawn(argv[0], argv, os.environ, file_actions=QUIET)


def reap(pid, want=0):
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != want:
        raise SystemExit("bench: %s exited %d, expected %d" % (pid, code, want))


def summary(samples):
    """(median, low, high): the quartiles with 4 samples or more, else the extremes."""
    med = statistics.median(samples)
    if len(samples) >= 4:
        q = statistics.quantiles(samples, n=4)
        return med, q[0], q[2]
    return med, min(samples), max(samples)


class Bench:
    def __init__(self, args):
        self.args = args
        self.address = (HOST, args.port)
        self.url = "redis://%s:%d" % (HOST, args.port)
        self.round = 0

    def argv(self, kind, name, n, i=0):
        """Party i of n at barrier `name`."""
        if kind in ("rbarrier", "before", "rendezvous", "elastic"):
            binary = self.args.before if kind == "before" else self.args.rbarrier
            argv = [binary, "-u", self.url, "wait", name, "-n", str(n), "-t", "600s"]
            if kind == "elastic":  # released by the end of its last call: MIN = n, MAX = 2n
                argv[6] = "%d:%d" % (n, 2 * n)
                argv += ["--last-call", "%dms" % (LAST_CALL * 1000)]
            if kind == "rendezvous":  # an id, an address as data, and the JSON with every rank
                argv += ["--id", "worker-%d" % i, "--data", "10.0.%d.%d:29500" % (i // 256, i % 256),
                         "--json"]
            return argv
        if kind == "floor-party":
            return [self.args.party, HOST, str(self.args.port), name, str(n)]
        if kind == "redis-cli":
            return [self.args.peer, HOST, str(self.args.port), name, str(n)]
        raise ValueError(kind)

    def waiting(self, kind, name):
        """How many parties of barrier `name` are blocked waiting (one barrier at a time; the
        idle waiter, on database 1, is not counted)."""
        if kind == "floor-party":
            return int(redis(self.address, "GET", name + ":count") or 0)
        command = "blpop" if kind == "redis-cli" else "xread"
        clients = redis(self.address, "CLIENT", "LIST").splitlines()
        blocked = sum(1 for c in clients
                      if "db=0" in c.split() and ("cmd=" + command) in c.split())
        if kind == "before":  # 0.1.0's waiters subscribe; later ones block in XREAD
            blocked += int(redis(self.address, "PUBSUB", "NUMSUB", "rbarrier:{%s}" % name)[1])
        return blocked

    def wait_until(self, kind, name, n):
        deadline = time.monotonic() + 300
        while self.waiting(kind, name) < n:
            if time.monotonic() > deadline:
                raise SystemExit("bench: %s parties of %s never blocked" % (kind, name))
            time.sleep(0.002 if n < 1000 else 0.2)  # CLIENT LIST is long with thousands

    def name(self, kind, n):
        self.round += 1
        return "bench-%s-%d-%d" % (kind, n, self.round)

    def floor(self, rounds):
        samples = []
        for _ in range(rounds):
            time.sleep(SETTLE)
            t = time.perf_counter()
            reap(spawn([self.args.floor, HOST, str(self.args.port)]))
            samples.append(time.perf_counter() - t)
        return samples

    def release(self, kind, n, rounds, work=None):
        """Start n-1 parties, let them block, then time the last one until all have exited."""
        samples = []
        for _ in range(rounds):
            name = self.name(kind, n)
            before = commandstats(self.address) if work is not None else None
            clients = connected_clients(self.address)
            pids = [spawn(self.argv(kind, name, n, i)) for i in range(n - 1)]
            self.wait_until(kind, name, n - 1)
            time.sleep(SETTLE)
            blocked = commandstats(self.address) if work is not None else None
            clients = (connected_clients(self.address) - clients) / (n - 1)
            t = time.perf_counter()
            reap(spawn(self.argv(kind, name, n, n - 1)))
            for pid in pids:
                reap(pid)
            samples.append(time.perf_counter() - t)
            if work is not None:
                after = commandstats(self.address)
                work.append(((blocked - before) / (n - 1), after - blocked, clients))
        return samples

    def elastic(self, n, rounds):
        """An elastic round: n-1 parties of -n n:2n started and left to block, then the n-th,
        which opens the last call: the time from the end of the last call until all have exited
        (the round's time less the last call)."""
        return [t - LAST_CALL for t in self.release("elastic", n, rounds)]

    def once(self, n, rounds):
        """n callers of `once`: one runs a command that waits on a FIFO, the n-1 others block
        waiting for its outcome; the time from the command's end (the FIFO written) until every
        caller has exited."""
        samples = []
        directory = tempfile.mkdtemp(prefix="rbarrier-bench.")
        try:
            for _ in range(rounds):
                name = self.name("once", n)
                fifo = os.path.join(directory, name)
                os.mkfifo(fifo)
                argv = [self.args.rbarrier, "-u", self.url, "once", name, "-t", "600s", "--",
                        "/bin/sh", "-c", 'read line <"$0"', fifo]
                pids = [spawn(argv) for _ in range(n)]
                self.wait_until("once", name, n - 1)
                time.sleep(SETTLE)
                t = time.perf_counter()
                with open(fifo, "w") as f:
                    f.write("go\n")
                for pid in pids:
                    reap(pid)
                samples.append(time.perf_counter() - t)
        finally:
            shutil.rmtree(directory)
        return samples

    def crowd(self, n):
        """n parties at one barrier: n−1 started and left to block, then the last; what the
        server holds while they wait, and what the generation costs it."""
        name = self.name("rbarrier", n)
        clients, memory, cpu = connected_clients(self.address), used_memory(self.address), \
            server_cpu(self.address)
        t = time.perf_counter()
        pids = [spawn(self.argv("rbarrier", name, n)) for _ in range(n - 1)]
        self.wait_until("rbarrier", name, n - 1)
        gathered = time.perf_counter() - t
        time.sleep(1)
        result = {
            "n": n,
            "gathered": gathered,
            "clients": connected_clients(self.address) - clients,
            "memory": used_memory(self.address) - memory,
            "arrival_cpu": server_cpu(self.address) - cpu,
        }
        cpu = server_cpu(self.address)
        t = time.perf_counter()
        reap(spawn(self.argv("rbarrier", name, n)))
        for pid in pids:
            reap(pid)
        result["release"] = time.perf_counter() - t
        result["release_cpu"] = server_cpu(self.address) - cpu
        return result

    def fan_in(self, kind, n, rounds, cpu=None):
        """Start n parties at once; time until all have exited."""
        samples = []
        for _ in range(rounds):
            name = self.name(kind, n)
            time.sleep(SETTLE)
            before = server_cpu(self.address)
            t = time.perf_counter()
            pids = [spawn(self.argv(kind, name, n)) for _ in range(n)]
            for pid in pids:
                reap(pid)
            samples.append(time.perf_counter() - t)
            if cpu is not None:
                cpu.append(server_cpu(self.address) - before)
        return samples

    def startup(self, rounds):
        true, version = [], []
        for _ in range(rounds):
            for argv, out in (([self.args.true], true), ([self.args.rbarrier, "--version"], version)):
                time.sleep(SETTLE / 5)
                t = time.perf_counter()
                reap(spawn(argv))
                out.append(time.perf_counter() - t)
        return true, version


def commandstats(address):
    """Commands that clients sent (not those that scripts ran): the client-facing ones."""
    info = redis(address, "INFO", "commandstats")
    total = 0
    for line in info.splitlines():
        if line.startswith("cmdstat_"):
            command = line[len("cmdstat_"):].split(":")[0].split("|")[0]  # cluster|slots
            if command in ("evalsha", "eval", "xread", "auth", "select", "ping", "script",
                           "cluster"):
                total += int(line.split("calls=")[1].split(",")[0])
    return total


def connected_clients(address):
    info = redis(address, "INFO", "clients")
    return int(info.split("connected_clients:")[1].split()[0])


def used_memory(address):
    info = redis(address, "INFO", "memory")
    return int(info.split("used_memory:")[1].split()[0])


def server_cpu(address):
    info = redis(address, "INFO", "cpu")
    fields = dict(line.split(":") for line in info.splitlines() if ":" in line)
    return float(fields["used_cpu_user"]) + float(fields["used_cpu_sys"])


def ms(seconds):
    return "%.2f" % (seconds * 1000) if seconds < 0.1 else "%.0f" % (seconds * 1000)


def cell(samples):
    med, low, high = summary(samples)
    return "%s (%s–%s)" % (ms(med), ms(low), ms(high))


def main():
    p = argparse.ArgumentParser()
    for option in ("rbarrier", "floor", "party", "peer", "out", "plot-data", "redis-version"):
        p.add_argument("--" + option, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--quick", action="store_true", help="fewer rounds, no N=1000, short idle")
    p.add_argument("--true", default="/bin/true")
    p.add_argument("--idle-seconds", type=float,
                   help="how long the idle waiter waits at least (60, or 6 with --quick)")
    p.add_argument("--notes", help="a Markdown file appended after the targets")
    p.add_argument("--before", help="another rbarrier binary, whose release latency is "
                   "measured in the same run (its waiters subscribe to pub/sub)")
    p.add_argument("--crowd", type=int,
                   help="parties of the one large barrier (9000, or none with --quick)")
    args = p.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
    b = Bench(args)
    sizes = [2, 8, 100] if args.quick else [2, 8, 100, 1000]
    rounds = {2: 21, 8: 21, 100: 7, 1000: 3} if not args.quick else {2: 5, 8: 5, 100: 2}
    idle_seconds = args.idle_seconds or (60 if not args.quick else 6)
    started = time.monotonic()

    # One idle waiter runs through everything else, for at least idle_seconds, and is stopped
    # at the end: its memory is read while it still runs, however long the rest took.
    # It waits on database 1, so that it is not counted among the parties blocked on database 0.
    idle_pid = spawn([args.rbarrier, "-u", b.url + "/1", "wait", "bench-idle", "-n", "2"])

    try:
        floor = b.floor(101 if not args.quick else 11)
        release, practical, peer, fan, fan_practical, work, cpu = {}, {}, {}, {}, {}, {}, {}
        before, rendezvous, rendezvous_work, elastic, once = {}, {}, {}, {}, {}
        for n in sizes:
            work[n] = []
            cpu[n] = []
            if args.before:
                before[n] = b.release("before", n, rounds[n])
            release[n] = b.release("rbarrier", n, rounds[n], work[n])
            if n >= 100:
                rendezvous_work[n] = []
                rendezvous[n] = b.release("rendezvous", n, rounds[n], rendezvous_work[n])
            elastic[n] = b.elastic(n, rounds[n])
            if n == 100:
                once[n] = b.once(n, rounds[n])
            practical[n] = b.release("floor-party", n, rounds[n])
            peer[n] = b.release("redis-cli", n, max(2, rounds[n] // 3))
            fan[n] = b.fan_in("rbarrier", n, rounds[n], cpu[n])
            fan_practical[n] = b.fan_in("floor-party", n, rounds[n])
        true, version = b.startup(201 if not args.quick else 21)
    except BaseException:  # a failed run leaves no waiter behind
        os.kill(idle_pid, signal.SIGKILL)
        raise

    # Peak RSS from the kernel's own high-water mark of the party's memory, read before it is
    # stopped: wait4's ru_maxrss would count the harness, whose memory a posix_spawned child
    # shares until it execs. Its CPU includes the withdrawal that SIGTERM starts.
    time.sleep(max(0.0, started + idle_seconds - time.monotonic()))
    with open("/proc/%d/status" % idle_pid) as f:
        idle_rss_kb = int(next(l for l in f if l.startswith("VmHWM:")).split()[1])
    idle_seconds = time.monotonic() - started
    os.kill(idle_pid, signal.SIGTERM)
    _, status, usage = os.wait4(idle_pid, 0)
    if os.waitstatus_to_exitcode(status) != 143:
        raise SystemExit("bench: the idle waiter exited %d" % os.waitstatus_to_exitcode(status))
    idle_cpu = usage.ru_utime + usage.ru_stime
    crowd_n = args.crowd if args.crowd is not None else (0 if args.quick else 9000)
    crowd = b.crowd(crowd_n) if crowd_n else None

    floor_med = statistics.median(floor)
    med = lambda xs: statistics.median(xs)  # noqa: E731
    lines = []
    w = lines.append
    w("# rbarrier benchmarks")
    w("")
    w("Made by `scripts/bench` on %s. Every figure is a median over rounds, with its "
      "interquartile range (or min–max under 4 rounds) in brackets, in milliseconds unless said; "
      "every ratio is against a baseline measured in the same run." %
      datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    w("")
    w("- machine: %s, %d cores, Linux %s" % (cpu_model(), os.cpu_count(), platform.release()))
    w("- %s (the self-contained static Release build), %s, Python %s harness" % (
        subprocess.run([args.rbarrier, "--version"], capture_output=True,
                       text=True).stdout.splitlines()[0],
        args.redis_version, platform.python_version()))
    w("- redis-server on 127.0.0.1 (TCP), `--save ''`; every party connects to it over TCP")
    w("- the harness starts processes with posix_spawn and reaps them with a blocking waitpid; "
      "every timed start, the floor's included, follows the same %d ms idle pause" % (SETTLE * 1000))
    w("")
    w("## Baselines")
    w("")
    w("- **floor**: `bench/floor.c` on hiredis — start, connect, `PING`, exit: %s ms" % cell(floor))
    w("- **practical floor**: `bench/party.c` on hiredis — a one-shot barrier party that "
      "subscribes, `INCR`s, and publishes if last, else reads one message; no ids, leases, "
      "generations, timeouts or recovery")
    w("- **redis-cli peer**: `bench/peer.sh` — the hand-rolled shell barrier: `INCR`; the last "
      "arrival `RPUSH`es one token per party; everyone `BLPOP`s one")
    w("")
    w("## Release latency")
    w("")
    w("N−1 parties are started and left to block; then the last one is started, and the time is "
      "taken until every party has exited 0.")
    w("")
    w("| N | rbarrier | ÷ floor | practical floor | rbarrier ÷ practical | redis-cli peer | peer ÷ rbarrier | peer ÷ practical floor |")
    w("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        w("| %d | %s | %.2f | %s | %.2f | %s | %.1f | %.1f |" % (
            n, cell(release[n]), med(release[n]) / floor_med, cell(practical[n]),
            med(release[n]) / med(practical[n]), cell(peer[n]), med(peer[n]) / med(release[n]),
            med(peer[n]) / med(practical[n])))
    w("")
    w("![release latency against N](bench/release-latency.png)")
    w("")
    if before:
        w("The same, in the same run, for the binary given as the one before (%s), each against "
          "the practical floor:" % subprocess.run([args.before, "--version"], capture_output=True,
                                                 text=True).stdout.splitlines()[0])
        w("")
        w("| N | before | before ÷ practical | this one | this one ÷ practical |")
        w("|---|---|---|---|---|")
        for n in sizes:
            w("| %d | %s | %.2f | %s | %.2f |" % (
                n, cell(before[n]), med(before[n]) / med(practical[n]), cell(release[n]),
                med(release[n]) / med(practical[n])))
        w("")
    w("## Fan-in")
    w("")
    w("N parties started at once; the time until all have exited.")
    w("")
    w("| N | rbarrier | practical floor | rbarrier ÷ practical |")
    w("|---|---|---|---|")
    for n in sizes:
        w("| %d | %s | %s | %.2f |" % (n, cell(fan[n]), cell(fan_practical[n]),
                                       med(fan[n]) / med(fan_practical[n])))
    w("")
    w("## Redis work")
    w("")
    w("Commands sent by clients (`EVALSHA`, `EVAL`, `XREAD`, …; not the commands the scripts "
      "run) from `INFO commandstats`, and the server's CPU time (user + system) for one whole "
      "fan-in generation.")
    w("")
    w("| N | commands per waiting party | commands after all waited (the last party, and any waiter that needed one more) | connections per waiting party | server CPU per generation (ms) |")
    w("|---|---|---|---|---|")
    for n in sizes:
        w("| %d | %.2f | %.0f | %.2f | %.1f |" % (
            n, med([x[0] for x in work[n]]), med([x[1] for x in work[n]]),
            med([x[2] for x in work[n]]), med(cpu[n]) * 1000))
    w("")
    w("## Rendezvous: --data and --json")
    w("")
    w("The same release, each party with `--id`, an address as `--data` and `--json` (so that "
      "each prints every member's rank and data): what ranks and data cost a party that asks "
      "for them.")
    w("")
    w("| N | plain | with --data --json | ratio | commands per party, all told (plain) | with --data --json |")
    w("|---|---|---|---|---|---|")
    per_party = lambda x, n: (x[0] * (n - 1) + x[1]) / n  # noqa: E731
    for n in sorted(rendezvous):
        w("| %d | %s | %s | %.2f | %.2f | %.2f |" % (
            n, cell(release[n]), cell(rendezvous[n]), med(rendezvous[n]) / med(release[n]),
            med([per_party(x, n) for x in work[n]]),
            med([per_party(x, n) for x in rendezvous_work[n]])))
    w("")
    w("## Elastic: -n MIN:MAX with a last call")
    w("")
    w("N parties at a barrier of `-n N:2N --last-call %dms`: N−1 started and left to block, "
      "then the N-th, which opens the last call; the time from the end of the last call until "
      "every party has exited (the round's time less the last call), against the plain release "
      "of N parties. At the end of the last call each party checks the stored state (`poll`): "
      "the first check releases the generation, the others find it released." %
      (LAST_CALL * 1000))
    w("")
    w("| N | plain release | after the last call | ratio |")
    w("|---|---|---|---|")
    for n in sorted(elastic):
        w("| %d | %s | %s | %.2f |" % (n, cell(release[n]), cell(elastic[n]),
                                       med(elastic[n]) / med(release[n])))
    w("")
    w("## once: a command run once among N callers")
    w("")
    w("N callers of `rbarrier once`: one runs a command that waits on a FIFO, the N−1 others "
      "block waiting for its outcome; the time from the command's end (the FIFO written) until "
      "every caller has exited, against the plain release of N parties. The runner records the "
      "outcome (one script), the others read it from the outcome stream and claim once more, "
      "to learn who ran it.")
    w("")
    w("| N | plain release | once | ratio |")
    w("|---|---|---|---|")
    for n in sorted(once):
        w("| %d | %s | %s | %.2f |" % (n, cell(release[n]), cell(once[n]),
                                       med(once[n]) / med(release[n])))
    w("")
    if crowd:
        w("## %d parties at one barrier" % crowd["n"])
        w("")
        w("One round: %d parties started one after the other and left to block, then the last "
          "one; one redis-server with its default `maxclients` (10000)." % (crowd["n"] - 1))
        w("")
        w("- started and all blocked after %.1f s; the server then held %d more connections "
          "(%.2f per waiting party) and %.1f MB more memory (%.0f bytes per waiting party), and "
          "had spent %.0f ms of CPU on the arrivals (%.1f µs each)" % (
              crowd["gathered"], crowd["clients"], crowd["clients"] / (crowd["n"] - 1),
              crowd["memory"] / 1e6, crowd["memory"] / (crowd["n"] - 1),
              crowd["arrival_cpu"] * 1000, crowd["arrival_cpu"] * 1e6 / crowd["n"]))
        w("- release: %s ms from the last party's start until all %d had exited; the server "
          "spent %.0f ms of CPU on it" % (ms(crowd["release"]), crowd["n"],
                                          crowd["release_cpu"] * 1000))
        w("")
    w("## An idle waiter, and start-up")
    w("")
    w("- one party waiting %.0f s: %.1f ms of CPU (%.1f ms per minute), peak RSS %.2f MB" % (
        idle_seconds, idle_cpu * 1000, idle_cpu * 1000 * 60 / idle_seconds, idle_rss_kb / 1024))
    w("- `rbarrier --version`: %s ms; `/bin/true`: %s ms; ratio %.2f" % (
        cell(version), cell(true), med(version) / med(true)))
    w("")
    w("## Targets")
    w("")
    targets = []
    targets.append(("release latency at N = 8 ≤ 3× the floor",
                    med(release[8]) / floor_med, 3.0, "%.2f×"))
    for n in (8, 100, 1000):
        if n in sizes:
            targets.append(("release latency at N = %d ≤ 1.1× the practical floor" % n,
                            med(release[n]) / med(practical[n]), 1.1, "%.2f×"))
    targets.append(("≥ 8× faster than the redis-cli peer at N = 8 (ratio peer ÷ rbarrier)",
                    -med(peer[8]) / med(release[8]), -8.0, "%.1f×"))
    targets.append(("≤ 2 commands per waiting party", max(x[0] for x in work[8]), 2.0, "%.2f"))
    targets.append(("1 connection per waiting party", max(x[2] for x in work[8]), 1.0, "%.2f"))
    targets.append(("1 command for the party that completes the barrier",
                    max(x[1] for x in work[8]), 1.0, "%.0f"))
    targets.append(("idle waiter under 10 ms CPU per minute", idle_cpu * 1000 * 60 / idle_seconds,
                    10.0, "%.1f ms"))
    targets.append(("idle waiter under 4 MB RSS", idle_rss_kb / 1024, 4.0, "%.2f MB"))
    targets.append(("`rbarrier --version` within 1.5× `/bin/true`", med(version) / med(true),
                    1.5, "%.2f×"))
    w("| target | measured | met |")
    w("|---|---|---|")
    for text, value, limit, fmt in targets:
        shown = fmt % abs(value)
        miss = (100 * (abs(value) / abs(limit) - 1) if limit > 0 else
                100 * (1 - abs(value) / abs(limit)))
        w("| %s | %s | %s |" % (text, shown, "yes" if value <= limit else
                                "**no**, by %s" % ("%.0f%%" % miss if miss >= 1 else "under 1%")))
    w("")
    if args.notes:
        with open(args.notes) as f:
            w(f.read().rstrip())
        w("")
    w("The whole run took %.0f s." % (time.monotonic() - started))
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(args.plot_data, "w") as f:
        f.write("# N rbarrier practical-floor redis-cli-peer floor (ms)\n")
        for n in sizes:
            f.write("%d %.3f %.3f %.3f %.3f\n" % (n, med(release[n]) * 1000,
                                                  med(practical[n]) * 1000,
                                                  med(peer[n]) * 1000, floor_med * 1000))
    print("\n".join(lines))


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


if __name__ == "__main__":
    main()
