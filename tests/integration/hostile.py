#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generated hostile command lines: a password in every position a command line can put it,
options that swallow the next argument, control characters, unbounded and never-ending files.

    hostile.py RBARRIER SOCKET TMPDIR SEED COUNT

SOCKET is a redis-server that wants the password "rightpw". For every case it asserts the
promises of the manual: the password never appears on stdout, stderr or the termination log;
the exit status is a documented one; a failing command ends with one line "rbarrier: ..." (and
prints only that line with -q), with no raw control character; no sanitizer report; and the
process ends in time. Prints "N passed, N failed"; exits 1 on any failure.
"""
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

rbarrier, socket_path, tmp, seed, count = sys.argv[1:6]
rng = random.Random(int(seed))
DOCUMENTED = {0, 1, 3, 4, 5, 6, 64, 69, 75, 77, 78, 124, 126, 127, 130, 143}
CONTROLS = ["\n", "\x1b[31m", "\a", "\r", "\x1b]0;t\a", "\xc2\x9b2J", "\t"]
OPTIONS_WITH_VALUES = ["--ttl", "--prefix", "--connect-timeout", "--user", "--master",
                       "--sentinel", "--sni", "--wait-replicas", "--password-file", "--cacert"]
WAIT_OPTIONS_WITH_VALUES = ["-t", "--timeout", "-n", "--parties", "--id", "--lease",
                            "--on-timeout"]

fifo = os.path.join(tmp, "fifo")
os.mkfifo(fifo)
password_file = os.path.join(tmp, "password")


def secret():
    return "S3cretPw%06x" % rng.randrange(1 << 24)


def urls(p):
    return [
        "redis://user:%s@127.0.0.1:1" % p,
        "redis://%s@127.0.0.1:1" % p,
        "redis://a@b:%s@127.0.0.1:1" % p,
        "redis://:%s@127.0.0.1" % p,
        "redis://:%s/x@127.0.0.1:1" % p,
        "redis://:%s@[::1" % p,
        "redis://u:%s@127.0.0.1:99999" % p,
        "rediss://:%s@127.0.0.1:1" % p,
        "redis+sentinel://:%s@127.0.0.1:1/master" % p,
        "redis+sentinel://:%s@127.0.0.1:1" % p,
        "unix://%s?password=%s" % (socket_path, p),
        "unix://%s?db=x&password=%s" % (socket_path, p),
        "unix://%s?password=%s&db=99999999" % (socket_path, p),
        "http://:%s@h" % p,
    ]


def name():
    base = rng.choice(["x", "jobs:stage2", "a{b}", "}", "100%", "ünï"])
    if rng.random() < 0.3:
        base += rng.choice(CONTROLS)
    return base


def subcommand():
    kind = rng.choice(["wait", "run", "reset", "abort", "status", "wiat", "stauts"])
    args = [kind, name()]
    if kind in ("wait", "run"):
        args += ["-n", str(rng.choice([1, 2, 3])), "-t", rng.choice(["0.3s", "1ms", "0ms"])]
    if kind == "run" and rng.random() < 0.5:
        args += ["--grace", rng.choice(["1s", "-1s", "soon", "0", "9" * 30])]
    elif kind == "abort" and rng.random() < 0.5:
        args += ["--reason", "why" + rng.choice(CONTROLS)]
    elif kind == "status" and rng.random() < 0.5:
        args += ["--json"]
    return args


def hostile(p):
    """The password's way onto the command line, and any environment it needs."""
    url = rng.choice(urls(p))
    env = {}
    way = rng.randrange(12)
    if way == 0:
        return ["-u", url], env, "before"
    if way == 1:
        return ["--url=" + url], env, rng.choice(["before", "after"])
    if way == 2:  # an option missing its value swallows the URL option
        option = rng.choice(OPTIONS_WITH_VALUES)
        return [option] + rng.choice([["--url=" + url], ["-u", url]]), env, "before"
    if way == 3:
        option = rng.choice(WAIT_OPTIONS_WITH_VALUES)
        return [option] + rng.choice([["--url=" + url], ["-u", url]]), env, "after"
    if way == 4:
        return [url], env, "after"  # a stray positional
    if way == 5:
        return [rng.choice(["--rul", "--url-", "-U"]), url], env, rng.choice(["before", "after"])
    if way == 6:
        return ["--url"], env, "end"  # the URL option missing its value, then the URL elsewhere
    if way == 7:
        # (Not --reason: an abort reason is text the user gives to every party, kept exact in
        # status --json; a URL given as the reason is no password of rbarrier's.)
        return [rng.choice(["--id", "--prefix", "--sentinel", "--master"]), url], env, \
            rng.choice(["before", "after"])
    if way == 8:
        with open(password_file, "w") as f:
            f.write(p + "\n")
        return ["--password-file", password_file], env, "before"
    if way == 9:
        return ["--password-file", rng.choice(["/dev/zero", fifo, tmp])], env, "before"
    if way == 10:
        env["RBARRIER_PASSWORD" if rng.random() < 0.5 else "REDISCLI_AUTH"] = p
        return [], env, "before"
    return ["--user", url], env, "before"


def case(index):
    p = secret()
    sub = subcommand()
    words, env, where = hostile(p)
    log = os.path.join(tmp, "termination-%d" % index)
    head = ["--connect-timeout", "300ms", "--termination-log", log]
    quiet = rng.random() < 0.3
    if quiet:
        head.append("-q")
    elif rng.random() < 0.3:
        head.append("-v")
    if where == "before":
        argv = head + words + sub
    elif where == "after":
        argv = head + sub + words
    else:
        argv = head + sub + words + [rng.choice(urls(p))] if where == "end" else head + sub
    if sub[0] == "run":  # its command ends the command line, after everything else
        argv += ["--", rng.choice(["true", "false", "/nonexistent"])]
    environment = dict(os.environ, RBARRIER_URL="unix://%s?password=rightpw" % socket_path, **env)
    environment.pop("REDIS_URL", None)
    if "RBARRIER_PASSWORD" not in env and "REDISCLI_AUTH" not in env:
        environment.pop("RBARRIER_PASSWORD", None)
        environment.pop("REDISCLI_AUTH", None)
    try:
        done = subprocess.run([rbarrier] + argv, env=environment, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=20, cwd=tmp)
    except subprocess.TimeoutExpired:
        return ["did not end within 20 s"], argv
    out, err = done.stdout, done.stderr
    termination = open(log, "rb").read() if os.path.exists(log) else b""
    problems = []
    for where_, text in (("stdout", out), ("stderr", err), ("termination log", termination)):
        if p.encode() in text:
            problems.append("the password is on %s" % where_)
    code = done.returncode
    if code not in DOCUMENTED:
        problems.append("undocumented exit status %d" % code)
    lines = err.decode("utf-8", "replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if code != 0:
        if not lines or not lines[-1].startswith("rbarrier: "):
            problems.append("no closing line")
        if quiet and len(lines) != 1:
            problems.append("-q printed %d lines" % len(lines))
    if any(not line.startswith("rbarrier: ") for line in lines):
        problems.append("a line not from rbarrier (a message broken over lines?)")
    raw = [c for c in err if c < 0x20 and c != 0x0a or c == 0x7f]
    if raw or b"\xc2\x9b" in err:
        problems.append("raw control characters on stderr")
    if b"Sanitizer" in err or b"runtime error" in err:
        problems.append("sanitizer report")
    return [f"{x} (exit {code}; stderr {err[-600:]!r})" for x in problems], argv


with ThreadPoolExecutor(max_workers=4) as pool:
    results = list(pool.map(case, range(int(count))))
failed = 0
for problems, argv in results:
    if problems:
        failed += 1
        print("FAIL: rbarrier %r: %s" % (argv, "; ".join(problems)), file=sys.stderr)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
