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
  outside=$(git -C "$SRC" grep -nE '\.\./shared|DESIGN\.md' -- . ':!tests/integration/test_docs.sh')
  check "pointers outside the repository: $outside" [ -z "$outside" ]
fi
for document in README.md PROTOCOL.md CONTRIBUTING.md; do
  check "$document is missing" [ -s "$SRC/$document" ]
done
finish
