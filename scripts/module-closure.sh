#!/usr/bin/env bash
# The in-kernel modules that a driver needs, in load order.
#
# usage: module-closure.sh MODDIR KO...
#   MODDIR  the guest kernel's modules directory, ROOT/lib/modules/RELEASE
#           (unpacked by scripts/fetch-kernel.sh); when it has no
#           modules.dep (the Debian image packages ship none), it is
#           computed with `depmod -b ROOT RELEASE` first
#   KO      the driver's modules (one build: they may depend on each other)
#
# Reads each KO's `depends=` (modinfo), leaves out the driver's own modules
# and iomap_check (loaded by vmcheck itself), and resolves the rest against
# MODDIR/modules.dep, which lists every module's whole closure in an order
# that loads from its end. Prints one absolute path per line, dependencies
# before the modules that need them, each once; the files may be compressed
# (.ko.xz, .ko.zst, .ko.gz) as the package ships them.
#
# Exit status: 0 (an empty output: no dependency), 1 a dependency is not a
# module of this kernel (each one named on stderr), 2 usage or set-up error
# (no MODDIR, depmod failed, a KO modinfo cannot read).
set -euo pipefail
prog=module-closure
die() { echo "$prog: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: module-closure.sh MODDIR KO..."
moddir=${1%/}
shift
[ -d "$moddir/kernel" ] || die "no kernel modules in $moddir"
moddir=$(cd "$moddir" && pwd)
rel=$(basename "$moddir")

norm() { echo "${1//-/_}"; }	# module names: '-' and '_' are the same

# The driver's own module names, and what they depend on.
declare -A own=([iomap_check]=1)
want=()
for ko in "$@"; do
	[ -f "$ko" ] || die "no module file $ko"
	n=$(basename "$ko")
	own[$(norm "${n%%.ko*}")]=1
done
for ko in "$@"; do
	deps=$(modinfo -F depends "$ko" 2>/dev/null) || die "modinfo cannot read $ko"
	for d in ${deps//,/ }; do want+=("$(norm "$d")"); done
done
wanted=0
for d in "${want[@]}"; do [ -n "${own[$d]:-}" ] || wanted=1; done
[ $wanted = 1 ] || exit 0

dep=$moddir/modules.dep
if [ ! -s "$dep" ]; then
	command -v depmod >/dev/null || die "no $dep and no depmod to compute it (install kmod)"
	root=${moddir%/lib/modules/$rel}
	[ "$root" != "$moddir" ] || die "$moddir is not ROOT/lib/modules/RELEASE"
	depmod -b "$root" "$rel" >&2 || die "depmod -b $root $rel failed"
	[ -s "$dep" ] || die "depmod wrote no $dep"
fi

# One pass of awk over modules.dep: for each wanted name, its closure from
# the end of its line, then itself; each module once. A name that is not
# there is printed as "missing NAME".
mapfile -t lines < <(awk -v want="${want[*]}" -v own="${!own[*]}" -v moddir="$moddir" '
	function norm(p) { sub(/.*\//, "", p); sub(/\.ko.*/, "", p); gsub(/-/, "_", p); return p }
	function add(p) {
		if (seen[norm(p)]++) return
		print (p ~ /^\// ? p : moddir "/" p)
	}
	BEGIN { nw = split(want, w, " "); split(own, o, " "); for (i in o) mine[o[i]] = 1 }
	{ p = $1; sub(/:$/, "", p); n = norm(p); path[n] = p; line[n] = $0 }
	END {
		for (i = 1; i <= nw; i++) {
			d = w[i]
			if (d in mine) continue
			if (!(d in path)) { if (!miss[d]++) print "missing " d; continue }
			k = split(line[d], c, " ")
			for (j = k; j >= 2; j--) add(c[j])
			add(path[d])
		}
	}' "$dep")
missing=0 out=()
for l in "${lines[@]}"; do
	case "$l" in
	"missing "*)
		echo "$prog: the driver needs module '${l#missing }', which kernel $rel does not have (not in $dep)" >&2
		missing=1 ;;
	*)
		[ -f "$l" ] || { echo "$prog: $l is in modules.dep but not on disk" >&2; missing=1; }
		out+=("$l") ;;
	esac
done
[ $missing = 0 ] || exit 1
printf '%s\n' "${out[@]}"
