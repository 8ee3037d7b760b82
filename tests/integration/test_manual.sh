# SPDX-License-Identifier: Apache-2.0
# The manual page renders without warnings and documents every option that --help shows.
source "$(dirname "$0")/lib.sh"
MAN="$RBARRIER_SOURCE/man/rbarrier.1"

warnings=$(groff -man -ww -z "$MAN" 2>&1)
check "groff warns: $warnings" [ -z "$warnings" ]
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS ENVIRONMENT 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
  check "no section $section" grep -q "^\.SH \"\?$section\"\?\$" "$MAN"
done
begin_case "the manual documents every option that --help shows"
# The rendered page, with roff's \- turned into plain dashes.
text=$(groff -man -Tutf8 "$MAN" 2>/dev/null | sed 's/.\x08//g; s/‐/-/g; s/−/-/g')
for help in "" $(subcommands); do
  options=$("$RBARRIER" $help --help | grep -oE -- '(^|[ ,])--?[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u)
  check "rbarrier $help --help lists no options" [ -n "$options" ]
  for option in $options; do
    check "the manual lacks $option (rbarrier $help --help)" grep -qe "$option\b" <<<"$text"
  done
done
begin_case "Every subcommand has its entry under COMMANDS, in the README's usage, and in both..."
# Every subcommand has its entry under COMMANDS, in the README's usage, and in both completions.
"$RBARRIER" completion bash >"$TMP/rbarrier.bash"
"$RBARRIER" completion zsh >"$TMP/_rbarrier"
for sub in $(subcommands); do
  check "the manual lacks the subcommand $sub" grep -qE "^\.BI $sub \" [A-Z]+(\"|\\\\fR\.\.\.)" "$MAN"
  check "the README's usage lacks $sub" grep -qE "^rbarrier \[GLOBAL OPTIONS\] $sub +\[?[A-Z]+" "$RBARRIER_SOURCE/README.md"
  for completion in rbarrier.bash _rbarrier; do
    check "$completion lacks $sub" grep -qw "$sub" "$TMP/$completion"
  done
done
begin_case "Every exit status of the README's table is in the manual"
# Every exit status of the README's table is in the manual.
for code in $(sed -n 's/^| \([0-9]*\) |.*/\1/p' "$RBARRIER_SOURCE/README.md"); do
  check "the manual lacks exit status $code" grep -qE "^ *$code\b" <<<"$text"
done
finish
