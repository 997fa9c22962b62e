#!/usr/bin/env bash
# Build the Debian packages from this tree with dpkg-buildpackage (binary
# only, unsigned) and run lintian on them. The tree's files (what git
# tracks, plus new files it does not ignore) are copied to OUT/src first;
# the packages are reused when none of those files changed since they were
# built (key: a hash of the files' contents).
#
# usage: pkg/deb.sh OUT_DIR     prints the two .deb paths on stdout
# Lintian's verdict goes to OUT_DIR/lintian.txt; an error or warning that
# debian/*.lintian-overrides does not explain fails the build.
set -euo pipefail
out=${1:?usage: deb.sh OUT_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p "$out"
out=$(cd "$out" && pwd)

mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done)
key=$(for f in "${files[@]}"; do printf '%s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$f"; done |
	sha256sum | cut -c1-16)
ver=$(dpkg-parsechangelog -SVersion)
if [ "$ver" != "$(cat VERSION)" ]; then
	echo "deb: debian/changelog's version $ver is not VERSION's $(cat VERSION): add a changelog entry (dch -v $(cat VERSION))" >&2
	exit 1
fi
debs=("$out/iomap-check_${ver}_amd64.deb" "$out/iomap-check-dkms_${ver}_all.deb")
if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ] &&
	[ -f "${debs[0]}" ] && [ -f "${debs[1]}" ]; then
	echo "deb: packages up to date (tree $key)" >&2
	printf '%s\n' "${debs[@]}"
	exit 0
fi

rm -rf "$out/src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo "$out/key"
src=$out/src/iomap-check-$ver
mkdir -p "$src"
printf '%s\0' "${files[@]}" | tar -c --null -T - | tar -x -C "$src"
echo "deb: dpkg-buildpackage in $src" >&2
(cd "$src" && dpkg-buildpackage -b -us -uc -j2 >"$out/build.log" 2>&1) || {
	tail -n 40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out/"

# lintian exits non-zero on errors; warnings are made fatal here too.
rc=0
lintian --fail-on error,warning --info --display-info "$out"/*.changes \
	>"$out/lintian.txt" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
	cat "$out/lintian.txt" >&2
	echo "deb: lintian found errors or warnings (exit $rc)" >&2
	exit 1
fi
echo "deb: lintian: $(grep -c . "$out/lintian.txt") line(s) of info/pedantic output, no error or warning" >&2
echo "$key" >"$out/key"
rm -rf "$out/src"
printf '%s\n' "${debs[@]}"
