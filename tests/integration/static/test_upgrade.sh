# SPDX-License-Identifier: Apache-2.0
# An upgrade in progress: parties of rbarrier 0.1.0, which publish outcomes on a pub/sub channel,
# and of this version, which reads them from a stream, meet at one barrier. Both keep the same
# stored state, which is the truth for both, so they interoperate: a party learns of an outcome
# that a party of the other version decided from its next check (every lease/3, at most 5 s)
# instead of at once. 0.1.0 is built from the repository's history (skipped without it).
source "$(dirname "$0")/../lib.sh"
SRC=${RBARRIER_SOURCE:?}
previous=43d653d5197ef51f97fe2868f1188db2784a9b8d # the last commit of 0.1.0
git -C "$SRC" cat-file -e "$previous^{commit}" 2>/dev/null ||
  { echo "SKIPPED: no history of 0.1.0 in $SRC"; exit 77; }
OLD=$(dirname "$RBARRIER")/previous-0.1.0
if [ ! -x "$OLD/build/rbarrier" ]; then
  rm -rf "$OLD" && mkdir -p "$OLD/src"
  git -C "$SRC" archive "$previous" | tar -x -C "$OLD/src"
  { cmake -S "$OLD/src" -B "$OLD/build" -DCMAKE_BUILD_TYPE=Release -DRBARRIER_TESTS=OFF \
      -DRBARRIER_STATIC=OFF && cmake --build "$OLD/build" --target rbarrier; } >"$TMP/old.log" 2>&1 ||
    { fail "cannot build 0.1.0: $(tail -5 "$TMP/old.log")"; finish; }
fi
check "not 0.1.0" [ "$("$OLD/build/rbarrier" --version)" = 0.1.0 ]
start_redis redis

# old TAG ARGS...: a party of 0.1.0 in the background, like spawn.
old() {
  local tag=$1
  shift
  "$OLD/build/rbarrier" -u "$URL" "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err" &
  PID[$tag]=$!
  CASE_TAGS[$tag]=1
}

begin_case "A party of 0.1.0 waits; one of this version completes the barrier"
old a wait mixed -n 2 --lease 600ms -t 30s
wait_arrived mixed 1
expect 0 wait mixed -n 2 --lease 600ms -t 30s
expect_exit a 0

begin_case "A party of this version waits; one of 0.1.0 completes the barrier"
spawn b -v wait mixed -n 2 --lease 600ms -t 30s
wait_arrived mixed 1
old c wait mixed -n 2 --lease 600ms -t 30s
expect_exit c 0
expect_exit b 0
expect_file "$TMP/b.err" 'released \(generation 2\)'

begin_case "Several of each at one generation"
for i in 1 2 3; do old "o$i" wait many -n 6 --lease 600ms -t 30s; done
for i in 1 2; do spawn "n$i" wait many -n 6 --lease 600ms -t 30s; done
wait_arrived many 5
old o4 wait many -n 6 --lease 600ms -t 30s
for tag in o1 o2 o3 o4 n1 n2; do expect_exit "$tag" 0; done

begin_case "Reset and abort by one version reach the waiters of the other"
spawn d wait broken -n 2 --lease 600ms -t 30s
wait_arrived broken 1
"$OLD/build/rbarrier" -u "$URL" reset broken
expect_exit d 3
old e wait broken -n 2 --lease 600ms -t 30s
wait_arrived broken 1
expect 0 abort broken --reason upgrade
expect_exit e 4
expect_file "$TMP/e.err" 'upgrade'

begin_case "status of either version reads what the other wrote"
expect 0 status --json mixed
expect_file "$TMP/last.out" '"generation": 3'
check "0.1.0's status: $("$OLD/build/rbarrier" -u "$URL" status mixed 2>&1)" \
  "$OLD/build/rbarrier" -u "$URL" status mixed
finish
