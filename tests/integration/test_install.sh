# cmake --install and cpack -G DEB place the binary, the manual page and the shell completions;
# the completions
# offer the subcommands, every option --help shows, and the values of --on-timeout.
source "$(dirname "$0")/lib.sh"
SRC=$RBARRIER_SOURCE

# Installed into a temporary root.
DESTDIR="$TMP/root" cmake --install "$(dirname "$RBARRIER")" --prefix /usr/local >"$TMP/install.log" 2>&1 &&
  pass || fail "cmake --install: $(cat "$TMP/install.log")"
for file in bin/rbarrier share/man/man1/rbarrier.1 share/bash-completion/completions/rbarrier \
  share/zsh/vendor-completions/_rbarrier share/doc/rbarrier/examples/kubernetes-job.yaml; do
  [ -f "$TMP/root/usr/local/$file" ] && pass || fail "not installed: $file"
done
[ -x "$TMP/root/usr/local/share/doc/rbarrier/examples/batch.sh" ] && pass || fail "batch.sh not executable"
[ "$("$TMP/root/usr/local/bin/rbarrier" --version)" = "$("$RBARRIER" --version)" ] && pass ||
  fail "the installed binary"
man -l "$TMP/root/usr/local/share/man/man1/rbarrier.1" 2>&1 | grep -q 'meet other processes' && pass ||
  fail "man -l on the installed page"

# cpack -G DEB: a package with the same files, and dependencies that fit the binary: none for
# the static one, libc (and more) for a dynamic one.
BUILD=$(dirname "$RBARRIER")
(cd "$BUILD" && cpack -G DEB -B "$TMP/package" >"$TMP/cpack.log" 2>&1) && pass ||
  fail "cpack: $(cat "$TMP/cpack.log")"
deb=$(ls "$TMP"/package/rbarrier_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] && pass || fail "no .deb: $(ls "$TMP/package")"
dpkg-deb -x "$deb" "$TMP/debroot" && pass || fail "dpkg-deb -x"
[ "$("$TMP/debroot/usr/bin/rbarrier" --version)" = "$("$RBARRIER" --version)" ] && pass ||
  fail "the packaged binary"
man -l "$TMP/debroot/usr/share/man/man1/rbarrier.1" 2>&1 | grep -q 'meet other processes' && pass ||
  fail "man -l on the packaged page"
[ -f "$TMP/debroot/usr/share/bash-completion/completions/rbarrier" ] && pass || fail "packaged completion"
[ -f "$TMP/debroot/usr/share/doc/rbarrier/examples/batch.sh" ] && pass || fail "packaged examples"
depends=$(dpkg-deb -f "$deb" Depends)
if ldd "$RBARRIER" >/dev/null 2>&1; then
  grep -q 'libc6' <<<"$depends" && pass || fail "a dynamic binary's package lacks libc6: '$depends'"
else
  [ -z "$depends" ] && pass || fail "the static binary's package depends on '$depends'"
fi

# bash: what the completion offers for a command line, the cursor at its end.
complete_bash() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
           _rbarrier; printf "%s\n" "${COMPREPLY[@]}"' _ "$SRC/completions/rbarrier.bash" "$@"
}
offers() { # offers WANTED... -- WORDS...: every WANTED is offered for WORDS
  local wanted=() got
  while [ "$1" != -- ]; do wanted+=("$1"); shift; done
  shift
  got=$(complete_bash "$@")
  for w in "${wanted[@]}"; do
    grep -qx -- "$w" <<<"$got" && pass || fail "completing '$*' does not offer $w: $got"
  done
}
offers wait reset abort status -- rbarrier ''
offers wait -- rbarrier wa
offers leave break -- rbarrier wait x --on-timeout ''
offers --on-timeout --once -- rbarrier wait x --o
offers --json -- rbarrier status x --j
offers --watch -- rbarrier status x --w
offers --reason -- rbarrier abort x --r
offers --url -- rbarrier --u
offers --tls -- rbarrier status x --tl
[ -z "$(complete_bash rbarrier wait x -n 2 -- ls --on)" ] && pass || fail "completed CMD's options"

# Every option that --help shows is in both completions.
for help in "" wait reset abort status; do
  for option in $("$RBARRIER" $help --help | grep -oE -- '(^|[ ,])--?[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u); do
    grep -qe "$option\b" "$SRC/completions/rbarrier.bash" && pass || fail "bash completion lacks $option"
    grep -qe "$option\b" "$SRC/completions/_rbarrier" && pass || fail "zsh completion lacks $option"
  done
done
zsh -n "$SRC/completions/_rbarrier" && pass || fail "zsh: syntax"
finish
