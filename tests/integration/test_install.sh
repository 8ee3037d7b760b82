# SPDX-License-Identifier: Apache-2.0
# cmake --install and cpack -G DEB place the binary, the manual page, the shell completions and
# the notices, all of one version, and the package passes lintian; the completions are the
# binary's own output (rbarrier completion), and offer the subcommands, every option --help
# shows, and the values of --on-timeout.
source "$(dirname "$0")/lib.sh"
SRC=$RBARRIER_SOURCE

begin_case "Installed into a temporary root"
# Installed into a temporary root.
DESTDIR="$TMP/root" cmake --install "$(dirname "$RBARRIER")" --prefix /usr/local >"$TMP/install.log" 2>&1
got=$?
check "cmake --install: $(cat "$TMP/install.log")" [ $got -eq 0 ]
for file in bin/rbarrier share/man/man1/rbarrier.1.gz share/bash-completion/completions/rbarrier \
  share/zsh/vendor-completions/_rbarrier share/doc/rbarrier/examples/kubernetes-job.yaml \
  share/doc/rbarrier/copyright share/doc/rbarrier/THIRD-PARTY-NOTICES.gz \
  share/doc/rbarrier/changelog.gz share/doc/rbarrier/changelog.Debian.gz; do
  check "not installed: $file" [ -f "$TMP/root/usr/local/$file" ]
done
check "batch.sh not executable" [ -x "$TMP/root/usr/local/share/doc/rbarrier/examples/batch.sh" ]
check "the installed binary" [ "$("$TMP/root/usr/local/bin/rbarrier" --version)" = "$("$RBARRIER" --version)" ]
check "man -l on the installed page" grep -q 'meet other processes' \
  <(man -l "$TMP/root/usr/local/share/man/man1/rbarrier.1.gz" 2>&1)
# One version: the project's, in --version, the manual page, the changelogs and the package.
version=$(project_version)
check "no version in CMakeLists.txt" [ -n "$version" ]
check "--version is not $version" grep -qx "rbarrier $version" <("$RBARRIER" --version | head -1)
check "the manual page's version is not $version" grep -q "^\.TH RBARRIER 1 .* \"rbarrier $version\"" \
  <(zcat "$TMP/root/usr/local/share/man/man1/rbarrier.1.gz")
check "CHANGELOG.md has no section for $version" grep -q "^## \[$version\]" "$SRC/CHANGELOG.md"
check "changelog.Debian is not of $version" grep -q "^rbarrier ($version-1) " \
  <(zcat "$TMP/root/usr/local/share/doc/rbarrier/changelog.Debian.gz")

begin_case "cpack -G DEB"
# cpack -G DEB: a package with the same files, and dependencies that fit the binary: none for
# the static one, libc (and more) for a dynamic one.
BUILD=$(dirname "$RBARRIER")
(cd "$BUILD" && cpack -G DEB -B "$TMP/package" >"$TMP/cpack.log" 2>&1)
got=$?
check "cpack: $(cat "$TMP/cpack.log")" [ $got -eq 0 ]
deb=$(ls "$TMP"/package/rbarrier_*.deb 2>/dev/null | head -1)
check "no .deb: $(ls "$TMP/package")" [ -n "$deb" ]
check "dpkg-deb -x" dpkg-deb -x "$deb" "$TMP/debroot"
check "the packaged binary" [ "$("$TMP/debroot/usr/bin/rbarrier" --version)" = "$("$RBARRIER" --version)" ]
check "man -l on the packaged page" grep -q 'meet other processes' \
  <(man -l "$TMP/debroot/usr/share/man/man1/rbarrier.1.gz" 2>&1)
check "the package's version is not $version-1" [ "$(dpkg-deb -f "$deb" Version)" = "$version-1" ]
check "the package has no notices" [ -f "$TMP/debroot/usr/share/doc/rbarrier/THIRD-PARTY-NOTICES.gz" ]
check "packaged completion" [ -f "$TMP/debroot/usr/share/bash-completion/completions/rbarrier" ]
check "packaged examples" [ -f "$TMP/debroot/usr/share/doc/rbarrier/examples/batch.sh" ]
depends=$(dpkg-deb -f "$deb" Depends)
if ldd "$RBARRIER" >/dev/null 2>&1; then
  check "a dynamic binary's package lacks libc6: '$depends'" grep -q 'libc6' <<<"$depends"
else
  check "the static binary's package depends on '$depends'" [ -z "$depends" ]
  # The released package: no lintian error or warning (overrides in packaging/, with reasons).
  lintian --fail-on error,warning "$deb" >"$TMP/lintian.log" 2>&1
  got=$?
  check "lintian: $(grep -v 'root privileges' "$TMP/lintian.log")" [ $got -eq 0 ]
fi

begin_case "the installed completions are rbarrier completion's output"
"$RBARRIER" completion bash >"$TMP/rbarrier.bash"
check "completion bash failed" [ $? -eq 0 ]
"$RBARRIER" completion zsh >"$TMP/_rbarrier"
check "completion zsh failed" [ $? -eq 0 ]
check "installed bash completion differs" cmp "$TMP/rbarrier.bash" "$TMP/root/usr/local/share/bash-completion/completions/rbarrier"
check "installed zsh completion differs" cmp "$TMP/_rbarrier" "$TMP/root/usr/local/share/zsh/vendor-completions/_rbarrier"

begin_case "bash completion offers the subcommands, options and values"
# bash: what the completion offers for a command line, the cursor at its end.
complete_bash() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
           _rbarrier; printf "%s\n" "${COMPREPLY[@]}"' _ "$TMP/rbarrier.bash" "$@"
}
offers() { # offers WANTED... -- WORDS...: every WANTED is offered for WORDS
  local wanted=() got
  while [ "$1" != -- ]; do wanted+=("$1"); shift; done
  shift
  got=$(complete_bash "$@")
  for w in "${wanted[@]}"; do
    check "completing '$*' does not offer $w: $got" grep -qx -- "$w" <<<"$got"
  done
}
check "--help lists no subcommands: $(subcommands)" [ "$(subcommands | wc -l)" -ge 4 ]
offers $(subcommands) -- rbarrier ''
offers wait -- rbarrier wa
offers leave break -- rbarrier wait x --on-timeout ''
offers --on-timeout --once -- rbarrier wait x --o
offers --json -- rbarrier status x --j
offers --watch -- rbarrier status x --w
offers --reason -- rbarrier abort x --r
offers --url -- rbarrier --u
offers --tls -- rbarrier status x --tl
offers bash zsh -- rbarrier completion ''
offers --help -- rbarrier completion --he
check "completed CMD's options" [ -z "$(complete_bash rbarrier wait x -n 2 -- ls --on)" ]

begin_case "Every option that --help shows is in both completions"
# Every option that --help shows is in both completions.
for help in "" $(subcommands); do
  for option in $("$RBARRIER" $help --help | grep -oE -- '(^|[ ,])--?[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u); do
    check "bash completion lacks $option" grep -qe "$option\b" "$TMP/rbarrier.bash"
    check "zsh completion lacks $option" grep -qe "$option\b" "$TMP/_rbarrier"
  done
done
check "zsh: syntax" zsh -n "$TMP/_rbarrier"
finish
