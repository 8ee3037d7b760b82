# SPDX-License-Identifier: Apache-2.0
"""The nemesis's checker: reads the history of one round (every party's record and what the
server kept) and returns the violations of the rules rbarrier promises, as lines of text.

A record (a Party of run) has: kind (wait, arrive, await, run), index, id, data, timeout and lease
in seconds, the command's status and its start and end (ns, wall clock), start and end of the
party (ns), code (its exit status, negative for a signal), report (its --json object or None),
stderr, the signals the nemesis sent it with their times, and the time it spent stopped.
"""
import json
import re

# The generation outcomes a report can name; the others end a party, not a generation.
GENERATION_OUTCOMES = {"released", "reset", "aborted", "expired"}
# Slack for comparing the server's clock (stream ids) with the nemesis's: the same machine.
CLOCK_SLACK_NS = 30_000_000
# A party may take this long past its --timeout and its lease: a withdrawal on a loaded machine.
HANG_GRACE_S = 6.0


def counted_in(p):
    """The generation in which the server counted this party, as it said (-v), or None."""
    found = re.findall(r'arrived at barrier "[^"]*": \d+/[\d:]+ in generation (\d+)', p.stderr)
    if found:
        return int(found[-1])
    # an arrival that completed its generation says only that it was released
    if p.kind != "await" and p.report and p.report.get("outcome") in ("arrived", "released"):
        return p.report["generation"]
    return None


def entered_in(p):
    """The generation a run party entered (working), as it said (-v), or None."""
    found = re.findall(r'working at barrier "[^"]*": \d+/\d+ entered in generation (\d+)', p.stderr)
    return int(found[0]) if found else None


def killed_at(p):
    """When the nemesis SIGKILLed the party itself, or None."""
    for name, at in p.signals:
        if name == "KILL":
            return at
    return None


def instance(p, restarts):
    """Which instance of the barrier the party met: how many windows in which the state may have
    been lost came before it, or None when it overlapped one (it may have met either)."""
    before = sum(1 for _, to in restarts if to < p.start)
    during = any(p.start <= to and since <= p.end for since, to in restarts)
    return None if during else before


def natural_key(ident):
    """--rank-by natural: runs of digits as numbers, ties bytewise."""
    parts = re.findall(rb"\d+|\D", ident.encode())
    return ([(0, int(x), b"") if x.isdigit() else (1, 0, x) for x in parts], ident.encode())


def in_rank_order(ids, rank_by):
    """Whether `ids` are in the order of --rank-by (any order of arrival is one)."""
    if rank_by == "arrival":
        return True
    key = natural_key if rank_by == "natural" else (lambda s: s.encode())
    return sorted(ids, key=key) == ids


# The faults after which a once runner's lease may lapse (or its state be lost, or NAME reset),
# so that another caller runs the command again: at least once, not exactly once.
LAPSING_FAULTS = {"kill", "stop", "cmdstop", "runkill", "reset", "cut", "freeze", "restart",
                  "failover", "delete"}


def check_round(parties, server, parties_n, persistent, restarts, rank_by="id", calm=False,
                faults=(), side=None):
    """parties: the round's records; server: {"outcomes": {gen: text}, "releases": {gen: ns},
    "untimed": [keys], "alive": [pids]}; parties_n: the barrier's (MIN, MAX) (N, N for -n N);
    rank_by: the round's --rank-by; calm: no fault of the server or the connections, so that
    every party learns of an outcome at once; faults: the names of the round's faults; side: what
    the nemesis did to the second barrier of some awaits ({"released" or "aborted": (ns before,
    ns after)}); restarts: the windows (from,
    to in ns) in which the state may have been lost -- a restart without persistence, a failover:
    each makes a new instance, whose generations may count from 1 again or repeat ones decided
    before, so that generations are compared within one instance. Returns violations."""
    v = []
    fewest, most = parties_n
    volatile_restarts = len(restarts)
    # An await of several barriers: its report on the round's barrier is checked as any other's,
    # the whole by check_awaits.
    for p in parties:
        if p.kind == "await" and isinstance((p.report or {}).get("barriers"), list):
            p.several = p.report
            p.report = next((b for b in p.several["barriers"] if b.get("name") == "nemesis"),
                            {"outcome": "no report on the round's barrier"})
    expired = {}  # gen -> [party] that reported its expiry
    by_gen = {}  # gen -> set of generation outcomes reported
    released = {}  # gen -> [(party, members)]
    for p in parties:
        r = p.report
        signalled = {name for name, _ in p.signals}
        died_by = -p.code if p.code is not None and p.code < 0 else None
        # Every party ends with a status of the table, and says it on stdout once it parsed.
        if died_by and not (died_by == 9 and "KILL" in signalled):
            v.append("party %d (%s) died by signal %d" % (p.index, p.kind, died_by))
        duplicate = p.code == 78 and p.kind == "run" and "another party works" in p.stderr and \
            any(o is not p and o.kind == "run" and o.id == p.id for o in parties)
        if p.code in (1, 64, 77, 78) and not duplicate:
            v.append("party %d (%s) exited %d: %s" % (p.index, p.kind, p.code, p.tail()))
        if p.code == 5 and persistent and not volatile_restarts:
            v.append("party %d (%s) lost the state of a persistent server: %s" % (
                p.index, p.kind, p.tail()))
        if died_by is None and p.code is not None and r is None:
            v.append("party %d (%s) exited %d without a --json report" % (p.index, p.kind, p.code))
        if p.hung:
            v.append("party %d (%s) hung: still running %.1fs after it started (--timeout %gs, "
                     "lease %gs)" % (p.index, p.kind, p.elapsed(), p.timeout or 0, p.lease))
        elif p.timeout and p.elapsed() > p.timeout + p.lease + p.stopped + HANG_GRACE_S:
            v.append("party %d (%s) took %.1fs with --timeout %gs" % (
                p.index, p.kind, p.elapsed(), p.timeout))
        if r is None:
            continue
        outcome, gen = r.get("outcome"), r.get("generation")
        # A party that says released (0) was released, by a generation the server released.
        if p.code == 0 and p.kind in ("wait", "run", "await") and outcome not in (
                "released", "passed"):
            v.append("party %d (%s) exited 0 reporting %s" % (p.index, p.kind, outcome))
        if p.code == 0 and p.kind == "once" and outcome != "done":
            v.append("once caller %d exited 0 reporting %s" % (p.index, outcome))
        # A generation of one instance: (instance, gen), or the party's own when it spanned one.
        key = (instance(p, restarts), gen)
        if key[0] is None:
            key = ("party %d" % p.index, gen)
        if outcome in GENERATION_OUTCOMES:
            by_gen.setdefault(key, set()).add(outcome)
        if outcome == "expired" and not p.signals and p.stopped == 0:
            expired.setdefault(key, []).append(p)
        if outcome == "released" and r.get("members") is not None:
            released.setdefault(key, []).append((p, r["members"]))
        if p.kind == "run" and p.command_status not in (None, 0) and p.command_end is not None:
            if "KILL" in p.command_signals:
                pass  # its command killed by the nemesis: a failure too, checked below
            elif p.code != p.command_status or outcome != "failed":
                v.append("run party %d: its command exited %d, but the party exited %s (%s)" % (
                    p.index, p.command_status, p.code, outcome))
        # (a command that wrote its end had ended: the signal met a process about to be reaped)
        if p.kind == "run" and "KILL" in p.command_signals and p.command_end is None and \
                "KILL" not in signalled and "TERM" not in signalled and p.code == 0:
            v.append("run party %d released though its command was SIGKILLed" % p.index)

    # 2. One outcome per generation, the one the server recorded.
    for (which, gen), outcomes in sorted(by_gen.items(), key=str):
        if len(outcomes) > 1:
            v.append("generation %d: parties reported %s" % (gen, sorted(outcomes)))
        # the server's outcomes are those of its last instance
        stored = server["outcomes"].get(gen) if which == volatile_restarts else None
        if stored is not None and stored.split(":")[0] not in outcomes:
            v.append("generation %d: the server recorded %s, parties reported %s" % (
                gen, stored, sorted(outcomes)))

    # 5. An expired generation ends its parties together: within a renewal interval (and a
    # working party's grace to stop its command), when nothing delays what they learn.
    for (_, gen), ended_by in sorted(expired.items(), key=str) if calm else []:
        ends = sorted(p.end for p in ended_by)
        bound = max(min(p.lease / 3, 5.0) for p in ended_by) + 1.0 + HANG_GRACE_S / 3
        if ends[-1] - ends[0] > bound * 1e9:
            v.append("generation %d expired, but its parties ended %.1fs apart: %s" % (
                gen, (ends[-1] - ends[0]) / 1e9, [p.index for p in ended_by]))

    ids = {}
    for p in parties:
        ids.setdefault(p.id, []).append(p)
    for (which, gen), reports in sorted(released.items(), key=str):
        members = reports[0][1]
        # 3. Every party of it saw the same members; ranks 0..K-1 by bytewise order of the ids.
        for p, other in reports[1:]:
            if other != members:
                v.append("generation %d: party %d saw members %s, party %d saw %s" % (
                    gen, reports[0][0].index, members, p.index, other))
        member_ids = [m["id"] for m in members]
        if not in_rank_order(member_ids, rank_by) or \
                [m["rank"] for m in members] != list(range(len(members))):
            v.append("generation %d: ranks not 0..K-1 in %s order: %s" % (gen, rank_by, members))
        for p, _ in reports:
            if p.id is not None and p.report.get("rank") != (
                    member_ids.index(p.id) if p.id in member_ids else None):
                v.append("generation %d: party %d has rank %s" % (gen, p.index,
                                                                  p.report.get("rank")))
        # 1. Released with N (MIN to MAX) distinct members, each one that was there; every
        # party of it says that K.
        if len(set(member_ids)) != len(member_ids) or not fewest <= len(member_ids) <= most:
            v.append("generation %d released with %d members (%d distinct) of %d:%d: %s" % (
                gen, len(member_ids), len(set(member_ids)), fewest, most, member_ids))
        for p, _ in reports:
            if p.report.get("parties") != len(member_ids):
                v.append("generation %d: party %d says %s parties, released with %d" % (
                    gen, p.index, p.report.get("parties"), len(member_ids)))
        # the server's release times are those of its last instance
        release_ns = server["releases"].get(gen) if which == volatile_restarts else None
        # With a barrier action, the generation's members were fixed when it started.
        frozen_ns = min([o.action_start for o in parties if o.action_gen == gen and
                         o.action_start and instance(o, restarts) == which] or [None],
                        key=lambda t: t or 0)
        for m in members:
            v.extend(check_member(gen, m, ids.get(m["id"], []), frozen_ns or release_ns,
                                  frozen_ns))
        # 4. A run --enter party started its command only once all N had entered: every member
        # of its generation existed before the command began -- unless one that had entered left
        # (withdrew, was killed or lapsed), and a later party took its place.
        someone_left = any(gen in (counted_in(o), entered_in(o)) and (
            (o.report or {}).get("outcome") in ("timeout", "interrupted", "terminated") or
            any(name in ("KILL", "STOP") for name, _ in o.signals)) for o in parties)
        for p, _ in [] if someone_left else reports:
            if p.kind == "run" and "--enter" in p.args and p.command_start is not None:
                for m in members:
                    later = [o for o in ids.get(m["id"], []) if counted_in(o) == gen]
                    if later and all(o.start > p.command_start + CLOCK_SLACK_NS for o in later):
                        v.append("generation %d: party %d (--enter) started its command before "
                                 "member %r existed" % (gen, p.index, m["id"]))
        # 4. No worker of the generation still working at its release.
        if release_ns is not None:
            for p in parties:
                if p.kind == "run" and entered_in(p) == gen and p.command_end is not None and \
                        p.command_end > release_ns + CLOCK_SLACK_NS and \
                        killed_at(p) is None:
                    v.append("generation %d released %.0f ms before party %d's command ended" % (
                        gen, (p.command_end - release_ns) / 1e6, p.index))

    v.extend(check_actions(parties, server, restarts, released))
    v.extend(check_once(parties, faults))
    v.extend(check_awaits(parties, side or {}, calm and not restarts))

    # 7. Nothing left behind.
    for key in server["untimed"]:
        v.append("key %s has no TTL" % key)
    for pid in server["alive"]:
        v.append("process %d (a party or its command) still runs after the round" % pid)
    return v


def check_member(gen, member, candidates, release_ns, frozen_ns=None):
    """A member of released generation `gen` was there: some process with its id was counted in
    it and had not withdrawn, lapsed or died more than a lease before the release (`release_ns`;
    with a barrier action, when it started: `frozen_ns`, after which members stay)."""
    counted = [p for p in candidates if counted_in(p) == gen or (
        p.kind == "run" and entered_in(p) is not None and counted_in(p) is None)]
    if not candidates:
        return ["generation %d released with member %r, which no party of the round is" % (
            gen, member["id"])]
    data = {p.data for p in candidates}
    if member["data"] not in data and not (member["data"] is None and None in data):
        return ["generation %d: member %r has data %r, given: %s" % (
            gen, member["id"], member["data"], sorted(map(str, data)))]
    if not counted:
        # killed before it could say where it arrived, or an arrive signalled while its one
        # command was on its way (it says that whether it took effect is unknown): it may have
        # been counted anyway
        if any((p.code is not None and p.code < 0) or "whether it took effect is unknown" in
               p.stderr for p in candidates):
            return []
        return ["generation %d released with member %r, which no party said arrived in it" % (
            gen, member["id"])]
    lapsed = []
    for p in counted:
        r, killed = p.report, killed_at(p)
        if killed is not None and p.kind in ("wait", "run") and release_ns is not None and \
                release_ns > killed + p.lease * 1e9 + CLOCK_SLACK_NS:
            lapsed.append(p)  # its lease ended before the release: it was not there any more
            continue
        if r is None or r.get("outcome") not in ("timeout", "interrupted", "terminated"):
            return []  # released, still counted, or killed: it may have been there
        if frozen_ns is not None and (p.end >= frozen_ns - CLOCK_SLACK_NS or
                                      re.search(r'": (\d+)/\1 arrived', p.stderr) or
                                      "its arrival still counts" in p.stderr):
            # it gave up while the action ran (or once it saw the generation complete, which
            # fixed its members a moment before the action started; or its withdrawal found
            # them fixed, and it says so): it still counted
            return []
    if lapsed and len(lapsed) == len(counted):
        return ["generation %d released with member %r %.0f ms after its lease lapsed" % (
            gen, member["id"], (release_ns - killed_at(lapsed[0])) / 1e6 - lapsed[0].lease * 1e3)]
    # Every process with this id that was counted withdrew (leave found the generation undecided).
    return ["generation %d released with member %r, which had withdrawn (%s)" % (
        gen, member["id"], ", ".join("party %d %s" % (p.index, p.report["outcome"])
                                     for p in counted))]


# The outcomes that end an await of several barriers, each a barrier's own; the rest end it whole.
ENDING_OUTCOMES = {"reset", "aborted", "broken", "expired", "lost"}
RELEASES = {"released", "passed"}
# How long a party may take to learn of an outcome when nothing delays it.
PROMPTLY_S = 1.5


def check_awaits(parties, side, calm):
    """An await of several barriers ends as the first of them that is not released, or released
    once all are; a barrier reported released or aborted was; and, when nothing delays what it
    learns, it sees a release of the second barrier, and ends promptly at its abort."""
    v = []
    for p in parties:
        whole = getattr(p, "several", None)
        if whole is None:
            continue
        each = {b.get("name"): b for b in whole["barriers"]}
        outcomes = [b.get("outcome") for b in whole["barriers"]]
        names = [a for a in p.args[1:] if not a.startswith("-")][:len(outcomes)]
        if [b.get("name") for b in whole["barriers"]] != names:
            v.append("await %d of %s reported on %s" % (p.index, names, list(each)))
        ending = [o for o in outcomes if o not in RELEASES and o is not None]
        if p.code == 0 and (whole["outcome"] != "released" or
                            not all(o in RELEASES for o in outcomes)):
            v.append("await %d exited 0 reporting %s" % (p.index, json.dumps(whole)))
        if whole["outcome"] in ENDING_OUTCOMES and ending != [whole["outcome"]]:
            v.append("await %d ended %s, its barriers say %s" % (p.index, whole["outcome"],
                                                                 outcomes))
        if whole["outcome"] in ("timeout", "interrupted", "terminated") and ending:
            v.append("await %d ended %s, though %s" % (p.index, whole["outcome"], outcomes))
        mine = each.get("nemesis-side") or {}
        released, aborted = side.get("released"), side.get("aborted")
        if mine.get("outcome") == "released" and not (released and released[0] < p.end):
            v.append("await %d says the second barrier was released; it was not" % p.index)
        if mine.get("outcome") in ("aborted", "broken") and not (
                aborted and aborted[0] < p.end and mine.get("reason") == "side"):
            v.append("await %d says the second barrier %s (%r); it was not aborted" % (
                p.index, mine.get("outcome"), mine.get("reason")))
        # Awaiting its first generation, undisturbed: a release is seen, an abort ends it.
        if not calm or p.signals or p.stopped or mine.get("generation") != 1:
            continue
        if released and released[1] < p.end - PROMPTLY_S * 1e9 and p.start < released[0] and \
                mine.get("outcome") is None:
            v.append("await %d did not see the second barrier released %.1fs before it ended %s"
                     % (p.index, (p.end - released[1]) / 1e9, whole["outcome"]))
        if aborted and p.start < aborted[0] and p.end > aborted[1] + PROMPTLY_S * 1e9:
            v.append("await %d ended %.1fs after the second barrier was aborted" % (
                p.index, (p.end - aborted[1]) / 1e9))
    return v


def check_actions(parties, server, restarts, released):
    """A barrier action ran once per generation, and a generation was released only after its
    action succeeded."""
    v = []
    runs = {}  # (instance, gen) -> [party that started the action]
    for p in parties:
        if p.action_start is not None and p.action_gen is not None:
            runs.setdefault((instance(p, restarts), p.action_gen), []).append(p)
    if not restarts:
        for (_, gen), by in sorted(runs.items(), key=str):
            if len(by) > 1:
                v.append("generation %d: its action ran %d times (parties %s)" % (
                    gen, len(by), [p.index for p in by]))
    if not any(p.action_status is not None for p in parties):
        return v
    for (which, gen) in sorted(released, key=str):
        release_ns = server["releases"].get(gen) if which == len(restarts) else None
        if release_ns is None:
            continue
        done = [p for p in runs.get((which, gen), []) if p.action_status == 0 and
                p.action_end is not None and p.action_end <= release_ns + CLOCK_SLACK_NS and
                "ACTION KILL" not in p.command_signals]
        if not done:
            v.append("generation %d released without an action that succeeded before it (ran: "
                     "%s)" % (gen, [(p.index, p.action_status, p.action_end)
                                    for p in runs.get((which, gen), [])]))
    return v


def check_once(parties, faults):
    """rbarrier once: a caller says done only once a command succeeded (its own when it ran it),
    and the command succeeds at most once when no fault could lapse the runner's lease."""
    callers = [p for p in parties if p.kind == "once"]
    if not callers:
        return []
    v = []
    succeeded = [p for p in callers if p.command_end is not None and p.command_status == 0 and
                 "KILL" not in p.command_signals]  # (a command SIGSTOPped a while succeeds)
    for p in callers:
        r = p.report or {}
        if r.get("outcome") != "done":
            continue
        if r.get("ran") and p not in succeeded and p.command_status != 0:
            v.append("once caller %d says it ran the command, which failed" % p.index)
        if not r.get("ran") and not any(s.command_end <= p.end + CLOCK_SLACK_NS
                                        for s in succeeded):
            v.append("once caller %d says done by %s, but no command had succeeded" % (
                p.index, r.get("by")))
    if not (set(faults) & LAPSING_FAULTS) and len(succeeded) > 1:
        v.append("once: the command succeeded %d times without a fault (callers %s)" % (
            len(succeeded), [p.index for p in succeeded]))
    # Once a runner said it was done, nothing runs again but after a reset or a lost state.
    if not set(faults) & {"reset", "restart", "failover", "delete"}:
        recorded = [p for p in succeeded if (p.report or {}).get("outcome") == "done" and
                    (p.report or {}).get("ran")]
        for p in callers:
            if p.command_start is not None and any(
                    p.command_start > s.end + CLOCK_SLACK_NS for s in recorded):
                v.append("once caller %d ran the command after caller %d had done it" % (
                    p.index, recorded[0].index))
    return v
