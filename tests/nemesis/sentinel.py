# SPDX-License-Identifier: Apache-2.0
"""The nemesis's Sentinel topology: a master, a replica and three sentinels on loopback, for the
rounds that end with a failover.

The sentinels are configured as if they had already met (each one's id, the others, the
replica), so a round need not wait the seconds their hello messages take; they call the master
down a second after it stops answering, and the failover that follows promotes the replica.
Replication is asynchronous: what the master wrote in its last moments may be missing on the
replica, so a failover is, for the checker, a window in which the state may have been lost: from
the kill until a sentinel names the promoted replica. A failover the nemesis did not cause (a
master too slow to answer on a loaded machine) cannot be placed in time: the round then counts as
one window from its start to its end.
"""
import os
import signal
import socket
import subprocess
import time

from resp import redis

MASTER = "nemesis"
DOWN_AFTER_MS = 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(address):
    try:
        return redis(address, "PING") == "PONG"
    except (OSError, RuntimeError):
        return False


def until(what, seconds, condition):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("nemesis: %s (sentinel topology)" % what)
        time.sleep(0.02)


class Sentinels:
    persistent = False

    def __init__(self, path, directory):
        self.path, self.dir = path, directory
        self.lost = []  # (from, to) ns: windows in which a failover may have lost writes
        self.killed = None  # the port of the master killed, until a sentinel names another
        self.ports = {"master": free_port(), "replica": free_port()}
        self.sentinels = [free_port() for _ in range(3)]
        self.procs = {}
        self.url = "redis+sentinel://%s/%s" % (
            ",".join("127.0.0.1:%d" % p for p in self.sentinels), MASTER)

    def spawn(self, name, args):
        log = os.path.join(self.dir, name + ".log")
        self.procs[name] = subprocess.Popen([self.path] + args + ["--logfile", log],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self.dir]
        self.spawn("master", ["--port", str(self.ports["master"]),
                              "--repl-diskless-sync-delay", "0"] + common)
        until("the master did not start", 10, lambda: answers(self.address("master")))
        self.spawn("replica", ["--port", str(self.ports["replica"]), "--replicaof", "127.0.0.1",
                               str(self.ports["master"])] + common)

        def synced():
            try:
                info = redis(("127.0.0.1", self.ports["replica"]), "INFO", "replication")
            except (OSError, RuntimeError):
                return False
            return "master_link_status:up" in info
        until("the replica did not sync", 20, synced)
        ids = ["%040x" % (i + 1) for i in range(3)]
        for i, port in enumerate(self.sentinels):
            conf = os.path.join(self.dir, "sentinel%d.conf" % i)
            lines = ["port %d" % port, "bind 127.0.0.1", "dir %s" % self.dir,
                     "sentinel myid %s" % ids[i],
                     "sentinel monitor %s 127.0.0.1 %d 2" % (MASTER, self.ports["master"]),
                     "sentinel down-after-milliseconds %s %d" % (MASTER, DOWN_AFTER_MS),
                     "sentinel failover-timeout %s 5000" % MASTER,
                     "sentinel known-replica %s 127.0.0.1 %d" % (MASTER, self.ports["replica"])]
            lines += ["sentinel known-sentinel %s 127.0.0.1 %d %s" % (MASTER, other, ids[j])
                      for j, other in enumerate(self.sentinels) if j != i]
            with open(conf, "w") as f:
                f.write("\n".join(lines) + "\n")
            self.spawn("sentinel%d" % i, [conf, "--sentinel"])
        for port in self.sentinels:
            until("a sentinel did not start", 10, lambda: answers(("127.0.0.1", port)))

    def master(self):
        """The address of the master the first sentinel that answers names."""
        for port in self.sentinels:
            try:
                host, master = redis(("127.0.0.1", port), "SENTINEL",
                                     "get-master-addr-by-name", MASTER)
                return (host, int(master))
            except (OSError, RuntimeError, TypeError, ValueError):
                continue
        raise SystemExit("nemesis: no sentinel answers")

    def kill_master(self):
        """SIGKILLs the master; the sentinels promote the replica. Returns a line for the history,
        or None when a failover already happened this round (one replica: one failover)."""
        master = self.master()[1]
        name = [n for n, p in self.ports.items() if p == master][0]
        if self.procs[name].poll() is not None:
            return None
        self.lost.append((time.time_ns(), None))
        self.killed = master
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait()
        return ": master %s (port %d) killed" % (name, master)

    def watch(self):
        """Closes the window of a failover once a sentinel names the promoted replica."""
        if self.killed is not None and self.master()[1] != self.killed:
            self.lost[-1] = (self.lost[-1][0], time.time_ns())
            self.killed = None

    def address(self, name=None):
        """The address of a server by name, or of the live master (after a failover, the promoted
        replica), waiting for the sentinels to name one."""
        if name is not None:
            return ("127.0.0.1", self.ports[name])

        def live():
            name = [n for n, p in self.ports.items() if p == self.master()[1]][0]
            return self.procs[name].poll() is None and answers(self.address(name))
        until("no failover", 30, live)
        self.watch()
        return self.master()

    def switches(self):
        """How many failovers the first sentinel saw."""
        try:
            return open(os.path.join(self.dir, "sentinel0.log")).read().count("+switch-master")
        except OSError:
            return 0

    def stop(self, kill=True):
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
