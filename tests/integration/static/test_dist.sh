# SPDX-License-Identifier: Apache-2.0
# scripts/release, run on a clean clone of the repository with this build's binary: it refuses a
# tree with changes and a version without a changelog section; its artefacts work: the binary in
# an empty chroot, the package installed into a temporary root, the image archive loaded by
# podman, and the checksums match.
source "$(dirname "$0")/../lib.sh"
SRC=${RBARRIER_SOURCE:?}
git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1 || { echo "SKIPPED: $SRC is not a git checkout"; exit 77; }
git clone --quiet "$SRC" "$TMP/src"
release() {
  RBARRIER_RELEASE_BUILD=$(dirname "$RBARRIER") "$TMP/src/scripts/release" "$TMP/dist" \
    >"$TMP/release.out" 2>"$TMP/release.err"
}
version=$("$RBARRIER" --version | sed -n '1s/^rbarrier //p')

begin_case "a tree with changes is not released"
touch "$TMP/src/stray"
check_not "released a tree with changes" release
expect_file "$TMP/release.err" 'the tree has changes'
rm "$TMP/src/stray"

begin_case "a version without a changelog section is not released"
sed -i "s/^## \[$version\]/## [0.0.0]/" "$TMP/src/CHANGELOG.md"
git -C "$TMP/src" -c user.name=t -c user.email=t@t commit --quiet -am "no section"
check_not "released without a changelog section" release
expect_file "$TMP/release.err" "CHANGELOG.md has no section for $version"
git -C "$TMP/src" reset --quiet --hard HEAD~1

begin_case "the release"
check "scripts/release: $(tail -5 "$TMP/release.err")" release
check "the last line is not the directory: $(tail -1 "$TMP/release.out")" \
  [ "$(tail -1 "$TMP/release.out")" = "$TMP/dist" ]
check "the checksums do not match" bash -c "cd '$TMP/dist' && sha256sum --quiet -c SHA256SUMS"
for file in LICENSE THIRD-PARTY-NOTICES CHANGELOG.md SHA256SUMS "rbarrier-$version-image.tar"; do
  check "no $file" [ -s "$TMP/dist/$file" ]
done
check "not every artefact is in SHA256SUMS" [ "$(wc -l <"$TMP/dist/SHA256SUMS")" -eq \
  "$(($(ls "$TMP/dist" | wc -l) - 1))" ]

begin_case "the binary runs in an empty chroot"
mkdir -p "$TMP/empty"
cp "$TMP"/dist/rbarrier-"$version"-linux-* "$TMP/empty/rbarrier"
check "in the chroot: $(chroot "$TMP/empty" /rbarrier --version 2>&1)" \
  grep -qx "rbarrier $version" <(chroot "$TMP/empty" /rbarrier --version 2>&1 | head -1)

begin_case "the package installs into a temporary root"
root=$TMP/root
mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info"
touch "$root/var/lib/dpkg/status"
deb=$(ls "$TMP"/dist/rbarrier_*.deb)
dpkg --root="$root" --force-script-chrootless -i "$deb" >"$TMP/dpkg.log" 2>&1
got=$?
check "dpkg -i: $(cat "$TMP/dpkg.log")" [ $got -eq 0 ]
check "dpkg does not know it as installed" grep -q '^Status: install ok installed' "$root/var/lib/dpkg/status"
check "the installed binary" grep -qx "rbarrier $version" <("$root/usr/bin/rbarrier" --version | head -1)
check "no notices installed" [ -f "$root/usr/share/doc/rbarrier/THIRD-PARTY-NOTICES.gz" ]

begin_case "the image archive loads in podman"
loaded=$(podman load --quiet -i "$TMP/dist/rbarrier-$version-image.tar" 2>"$TMP/load.err")
check "podman load: $(cat "$TMP/load.err")" grep -q 'rbarrier' <<<"$loaded"
image=$(sed -n 's/^Loaded image: //p' <<<"$loaded" | head -1)
run_image() {
  podman run --rm --runtime runc --network none --ulimit nofile=1024:1024 \
    --ulimit nproc=1024:1024 "$image" --version
}
check "the loaded image: $(run_image 2>&1)" grep -qx "rbarrier $version" <(run_image 2>&1 | head -1)
finish
