#!/usr/bin/env bash
# Build an out-of-tree driver against iomap_check.ko instead of the kernel's
# inline io_mapping, without touching its source: every C file gets the
# drop-in include/iomap-check/io-mapping.h forced in (KCFLAGS
# --include=...), and modpost resolves the io_mapping symbols through
# iomap_check's Module.symvers (KBUILD_EXTRA_SYMBOLS).
#
# The drop-in's inline fast paths (while the tracepoints are off, a map or
# unmap is the kernel's inline code plus a bounds check, no call) need
# heavy headers, which must not come before the driver's first line.
# kmod/shadow/ holds a <linux/io-mapping.h> that the driver's own #include
# finds before the kernel's, and that reads them there. Kbuild puts
# NOSTDINC_FLAGS first on the compiler's command line (before the kernel's
# -I options, unlike KCFLAGS); the kernel sets it to -nostdinc, which we
# keep (a driver whose Kbuild sets NOSTDINC_FLAGS itself loses its value).
# Without the shadow (a plain -include build) the API still works, with a
# call into iomap_check.ko for every map and unmap.
#
# usage: build-driver.sh DRIVER_DIR OUT_DIR KREL
#   DRIVER_DIR  a Kbuild module directory (Kbuild or Makefile with obj-m)
#   OUT_DIR     where to build: DRIVER_DIR is copied there first (the
#               kernel's Kbuild writes into the source directory); the
#               .ko files end up in OUT_DIR
#   KREL        kernel release, as printed by scripts/fetch-kernel.sh
# environment:
#   KDIR          kernel build tree (default: KCACHE/KREL/build)
#   KCACHE        kernel cache (default: <repo>/build/kernel)
#   IOMC_SYMVERS  iomap_check's Module.symvers
#                 (default: <ABS_BUILD or repo/build>/obj/KREL/kmod/Module.symvers,
#                 produced by `make kmod`)
#   KCFLAGS       extra flags, kept; V=1 for verbose Kbuild
# The word added to KCFLAGS is also passed as IOMC_INCLUDE, so a Kbuild
# file can exempt an object with CFLAGS_REMOVE_foo.o := $(IOMC_INCLUDE).
#
# build-driver.sh --check PROG DRIVER_DIR: the front ends' (iomap-vmcheck,
# iomap-check build-driver) one check of a driver directory before they
# do anything: it exists, it is a Kbuild module directory, and its path
# has no control character (a newline in it would forge lines of their
# output, KTAP included; a trailing one would name another directory once
# $(...) strips it). Says why as "PROG: ..." on stderr, status 2.
set -euo pipefail
if [ "${1:-}" = --check ]; then
	prog=${2:?} d=${3-}
	shown=${d//[[:cntrl:]]/?}
	case "$d" in
	'') echo "$prog: no driver directory given" >&2; exit 2 ;;
	*[[:cntrl:]]*)
		echo "$prog: the driver directory '$shown' has a control character in its path" >&2
		exit 2 ;;
	esac
	[ -d "$d" ] || { echo "$prog: no driver directory '$d'" >&2; exit 2; }
	[ -f "$d/Kbuild" ] || [ -f "$d/Makefile" ] ||
		{ echo "$prog: '$d' has neither a Kbuild nor a Makefile" >&2; exit 2; }
	exit 0
fi
src=${1:?usage: build-driver.sh DRIVER_DIR OUT_DIR KREL}
out=${2:?usage: build-driver.sh DRIVER_DIR OUT_DIR KREL}
rel=${3:?usage: build-driver.sh DRIVER_DIR OUT_DIR KREL}

top=$(cd "$(dirname "$0")/.." && pwd)
kcache=${KCACHE:-$top/build/kernel}
abs_build=${ABS_BUILD:-$top/build}
symvers=${IOMC_SYMVERS:-$abs_build/obj/$rel/kmod/Module.symvers}
hdr=$top/include/iomap-check/io-mapping.h
kdir=${KDIR:-$kcache/$rel/build}

die() { echo "build-driver: $*" >&2; exit 1; }
[ -d "$src" ] || die "no driver directory $src"
[ -f "$kdir/Makefile" ] || die "no kernel build tree $kdir (make kernel KERNEL=..., or KDIR=)"
[ -f "$symvers" ] || die "no $symvers (make kmod first)"
symvers=$(cd "$(dirname "$symvers")" && pwd)/$(basename "$symvers")

# Copy sources, keeping mtimes and leaving unchanged files alone so that
# Kbuild rebuilds only what changed.
src=$(cd "$src" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
(cd "$src" && find . -type f ! -name '*.o' ! -name '*.ko' ! -name '.*.cmd') |
while read -r f; do
	mkdir -p "$out/$(dirname "$f")"
	cmp -s "$src/$f" "$out/$f" || cp -p "$src/$f" "$out/$f"
done

inc=--include=$hdr
# (kmake.sh: in the kernel's suite chroot when it is not the host's)
IOMC_CHROOT_BIND=$(dirname "$symvers")${IOMC_CHROOT_BIND:+:$IOMC_CHROOT_BIND} \
"$top/kmod/kmake.sh" "$kcache" "$rel" "$out" --no-print-directory -C "$kdir" M="$out" ${V:+V=$V} -j2 \
	KBUILD_EXTRA_SYMBOLS="$symvers" \
	NOSTDINC_FLAGS="-nostdinc -I$top/kmod/shadow" \
	KCFLAGS="${KCFLAGS:+$KCFLAGS }$inc" IOMC_INCLUDE="$inc" \
	modules
