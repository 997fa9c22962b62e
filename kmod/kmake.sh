#!/usr/bin/env bash
# Run Kbuild's make for one kernel release: on the host, or, when the
# kernel came from another Debian suite (its cache holds a `suite` file:
# scripts/fetch-kernel.sh), in that suite's chroot, whose compiler and
# glibc its kbuild binaries need. The kernel cache, the project and OUT_DIR
# are bound into the chroot at their own paths: the command line, the
# .ko and Kbuild's files name the same paths inside and out.
#
# usage: kmake.sh KCACHE KREL OUT_DIR MAKE_ARGS...
set -euo pipefail
kcache=${1:?usage: kmake.sh KCACHE KREL OUT_DIR MAKE_ARGS...}
rel=${2:?} out=${3:?}
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
suite=
[ -f "$kcache/$rel/suite" ] && suite=$(cat "$kcache/$rel/suite")
if [ -z "$suite" ]; then
	exec make "$@"
fi
root=$kcache/chroot/$suite
mkdir -p "$out"
[ -f "$root/.toolchain-$rel" ] || {
	echo "kmod: no $suite toolchain for $rel in $root (make kernel KERNEL=$suite fetches it)" >&2
	exit 1
}
IOMC_CHROOT_BIND=$top:$kcache:$out${KDIR:+:$KDIR}${IOMC_CHROOT_BIND:+:$IOMC_CHROOT_BIND} \
	exec "$top/scripts/debian-chroot.sh" run "$root" make "$@"
