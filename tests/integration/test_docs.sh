# SPDX-License-Identifier: Apache-2.0
# The repository documents itself: every Lua script has its section in PROTOCOL.md, and nothing
# points to documents outside the repository.
source "$(dirname "$0")/lib.sh"
SRC=${RBARRIER_SOURCE:?}

begin_case "every script of src/lua is described in PROTOCOL.md"
for script in "$SRC"/src/lua/*.lua; do
  name=$(basename "$script" .lua)
  check "PROTOCOL.md lacks a section for src/lua/$name.lua" grep -qx "### \`$name\`" "$SRC/PROTOCOL.md"
done

begin_case "nothing points outside the repository"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
  # (.ci/run alone may: CI lays the sources of other servers beside the repository.)
  outside=$(git -C "$SRC" grep -nE '\.\./shared|DESIGN\.md' -- . ':!tests/integration/test_docs.sh' \
    ':!.ci/run')
  check "pointers outside the repository: $outside" [ -z "$outside" ]
fi
for document in README.md PROTOCOL.md CONTRIBUTING.md; do
  check "$document is missing" [ -s "$SRC/$document" ]
done
begin_case "the image tags in the README and the examples are this version's"
version=$(project_version)
stale=$(grep -rnoE 'rbarrier:[0-9]+\.[0-9]+\.[0-9]+' "$SRC/README.md" "$SRC/examples" | grep -v ":rbarrier:$version\$")
check "not $version: $stale" [ -z "$stale" ]
# and so are the packages they install
stale=$(grep -rnoE 'rbarrier_[0-9]+\.[0-9]+\.[0-9]+_' "$SRC/README.md" "$SRC/examples" | grep -v ":rbarrier_${version}_\$")
check "packages not $version: $stale" [ -z "$stale" ]
begin_case "every source file carries its license"
check "no LICENSE" grep -q 'Apache License' "$SRC/LICENSE"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
  while read -r file; do
    check "$file lacks an SPDX-License-Identifier line" \
      grep -q 'SPDX-License-Identifier: Apache-2.0' <(head -3 "$SRC/$file")
  done < <(git -C "$SRC" ls-files '*.cpp' '*.hpp' '*.c' '*.lua' '*.sh' '*.py' '*.cmake' \
    'CMakeLists.txt' 'scripts/*' 'man/*' 'Containerfile' '.ci/run')
fi
finish
