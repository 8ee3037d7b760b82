# SPDX-License-Identifier: Apache-2.0
# The nemesis (tests/nemesis/run): random histories of every kind of party under random faults,
# checked round by round, for RBARRIER_NEMESIS_SECONDS (default 180) with today's seed; and the
# checker shown able to fail, against parties that are deliberately wrong: one that exits 0 at
# once, a wait that does not wait, a run --enter that does not wait for the others to enter, one
# that drops --action, a once that forgets what was done, and an await of several barriers that
# awaits only the first.
source "$(dirname "$0")/lib.sh"
NEMESIS="$RBARRIER_SOURCE/tests/nemesis/run"

begin_case "the checker finds the violations of a wrong party"
# One that exits 0 at once without a word, as a stub would.
printf '#!/bin/sh\nexit 0\n' >"$TMP/silent"
# One whose wait does not wait: an arrive under its name (its wait-only options dropped).
cat >"$TMP/no-wait" <<SH
#!/bin/bash
args=() waits=
while [ \$# -gt 0 ]; do
  case \$1 in
  wait) args+=(arrive) waits=1 ;;
  -t | --lease | --on-timeout) [ -n "\$waits" ] || args+=("\$1" "\$2"); shift ;;
  *) args+=("\$1") ;;
  esac
  shift
done
exec "$RBARRIER" "\${args[@]}"
SH
# One whose run --enter does not wait for the others to enter.
cat >"$TMP/no-enter" <<SH
#!/bin/bash
args=()
for arg in "\$@"; do [ "\$arg" = --enter ] || args+=("\$arg"); done
exec "$RBARRIER" "\${args[@]}"
SH
# One that drops --action: its generations are released without their action.
cat >"$TMP/no-action" <<SH
#!/bin/bash
args=() skip=
for arg in "\$@"; do
  if [ -n "\$skip" ]; then skip=; elif [ "\$arg" = --action ]; then skip=1; else args+=("\$arg"); fi
done
exec "$RBARRIER" "\${args[@]}"
SH
# One whose once forgets what was done: each caller its own name, so each runs the command.
cat >"$TMP/once-each" <<SH
#!/bin/bash
args=()
for arg in "\$@"; do
  [ "\${#args[@]}" -gt 0 ] && [ "\${args[-1]}" = once ] && arg=\$arg.\$\$
  args+=("\$arg")
done
exec "$RBARRIER" "\${args[@]}"
SH
# One whose await of several barriers awaits only the first, and says the others went as it did.
cat >"$TMP/first-only" <<PY
#!/usr/bin/env python3
import json, os, subprocess, sys
args = sys.argv[1:]
at = args.index("await") + 1 if "await" in args else 0
names = []
while at and at + len(names) < len(args) and not args[at + len(names)].startswith("-"):
    names.append(args[at + len(names)])
if len(names) < 2:
    os.execv("$RBARRIER", ["$RBARRIER"] + args)
done = subprocess.run(["$RBARRIER"] + args[:at] + names[:1] + args[at + len(names):],
                      stdout=subprocess.PIPE, text=True)
first = json.loads(done.stdout)
ok = first["outcome"] in ("released", "passed")
whole = first["outcome"]
if whole in ("timeout", "interrupted", "terminated"):
    first["outcome"] = None  # undecided, as await of several says
others = [{"name": n, "generation": 1, "parties": 1 if ok else 0,
           "outcome": "released" if ok else None} for n in names[1:]]
print(json.dumps({"outcome": "released" if ok else whole, "barriers": [first] + others}))
sys.exit(done.returncode)
PY
chmod +x "$TMP/silent" "$TMP/no-wait" "$TMP/no-enter" "$TMP/no-action" "$TMP/once-each" \
  "$TMP/first-only"
for wrong in silent no-wait no-enter no-action once-each first-only; do
  # (the first rounds of seed 35 have run --enter parties that others join later; of seed 24,
  # rounds with an action released; of seed 21, rounds of once; of seed 4, an await of two
  # barriers before the second is released)
  seed=$(case $wrong in no-enter) echo 35 ;; no-action) echo 24 ;; once-each) echo 21 ;;
    first-only) echo 4 ;; *) echo 7 ;; esac)
  python3 "$NEMESIS" --rounds 4 --seed "$seed" --binary "$TMP/$wrong" --server "$REDIS_SERVER" \
    >"$TMP/$wrong.log" 2>&1
  code=$?
  check "the nemesis passed $wrong: $(tail -3 "$TMP/$wrong.log")" [ "$code" -eq 1 ]
  expect_file "$TMP/$wrong.log" "^nemesis: VIOLATION in round [0-9]+ of seed $seed:\$"
  expect_file "$TMP/$wrong.log" "^  replay: tests/nemesis/run --seed $seed --round [0-9]+ --binary "
done
expect_file "$TMP/silent.log" 'exited 0 without a --json report'
expect_file "$TMP/no-wait.log" 'exited 0 reporting arrived'
expect_file "$TMP/no-enter.log" '\(--enter\) started its command before member'
expect_file "$TMP/no-action.log" 'released without an action that succeeded before it'
expect_file "$TMP/once-each.log" 'ran the command after caller [0-9]+ had done it'
expect_file "$TMP/first-only.log" 'says the second barrier was released; it was not'

begin_case "the nemesis finds no violation"
python3 "$NEMESIS" --seconds "${RBARRIER_NEMESIS_SECONDS:-180}" --binary "$RBARRIER" \
  --server "$REDIS_SERVER" >"$TMP/nemesis.log" 2>&1
code=$?
tail -1 "$TMP/nemesis.log"
check "the nemesis found violations: $(grep -A3 VIOLATION "$TMP/nemesis.log" | head -40)" [ "$code" -eq 0 ]
expect_file "$TMP/nemesis.log" '^nemesis: seed [0-9]+, [0-9]+ rounds, [0-9]+ parties, faults .*, 0 violations'
finish
