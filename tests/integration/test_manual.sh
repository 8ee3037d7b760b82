# The manual page renders without warnings and documents every option that --help shows.
source "$(dirname "$0")/lib.sh"
MAN="$RBARRIER_SOURCE/man/rbarrier.1"

warnings=$(groff -man -ww -z "$MAN" 2>&1)
[ -z "$warnings" ] && pass || fail "groff warns: $warnings"
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS ENVIRONMENT 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
  grep -q "^\.SH \"\?$section\"\?\$" "$MAN" && pass || fail "no section $section"
done
# The rendered page, with roff's \- turned into plain dashes.
text=$(groff -man -Tutf8 "$MAN" 2>/dev/null | sed 's/.\x08//g; s/‐/-/g; s/−/-/g')
for help in "" wait reset abort status; do
  options=$("$RBARRIER" $help --help | grep -oE -- '(^|[ ,])--?[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u)
  [ -n "$options" ] && pass || fail "rbarrier $help --help lists no options"
  for option in $options; do
    grep -qe "$option\b" <<<"$text" && pass || fail "the manual lacks $option (rbarrier $help --help)"
  done
done
# Every exit status of the README's table is in the manual.
for code in $(sed -n 's/^| \([0-9]*\) |.*/\1/p' "$RBARRIER_SOURCE/README.md"); do
  grep -qE "^ *$code\b" <<<"$text" && pass || fail "the manual lacks exit status $code"
done
finish
