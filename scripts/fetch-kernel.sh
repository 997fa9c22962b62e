#!/usr/bin/env bash
# Fetch a pinned Debian kernel (image + headers + kbuild) with
# `apt-get download` and unpack it under the build directory. The host's
# /boot and /lib/modules are never touched.
#
# usage: fetch-kernel.sh KERNEL CACHE_DIR
#        fetch-kernel.sh --resolve KERNEL   (print the release apt offers now)
#        fetch-kernel.sh --valid KERNEL     (exit 0 if KERNEL is a value this
#                                            script takes; asks apt nothing)
#   KERNEL: a name in the runner's kernel table (vm/iomcvm/kernels.py;
#           `python3 -m iomcvm kernels` lists them: 6.1 and 6.12 are the
#           cloud flavor, the default, no DRM; 6.1-generic and 6.12-generic
#           the generic flavor, every driver as a module; unstable and
#           unstable-generic Debian unstable's current kernel, 7.x, fetched
#           with the apt of an unstable chroot made once with mmdebstrap
#           under CACHE_DIR/chroot/unstable, where its modules are built),
#           each resolved through the Debian metapackage the table names; or an exact
#           release of either flavor such as 6.1.0-57-cloud-amd64,
#           6.1.0-57-amd64, 6.12.118+deb12-amd64; or a path (with a '/'):
#           the user's kernel build tree or install root (IOMC_KDIR: its
#           headers), checked and linked into the cache, never fetched.
# Prints the resolved release on stdout; the tree is CACHE_DIR/<release>/:
#   vmlinuz, vmlinux (ELF, extracted, carries .BTF), config, build/ (Kbuild
#   tree), root/lib/modules/<release>/ (the kernel's own modules, with the
#   modules.dep that depmod computed on the unpacked tree: the packages
#   ship none), suite (a kernel of another suite: its name; kmod/kmake.sh
#   then builds in CACHE_DIR/chroot/<suite>).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
iomcvm() { PYTHONPATH=$here/../vm python3 -B -m iomcvm "$@"; }
resolve_only=
if [ "${1:-}" = --valid ]; then
	iomcvm kernels --valid "${2:?usage: fetch-kernel.sh --valid KERNEL}"
	exit
fi
if [ "${1:-}" = --resolve ]; then
	resolve_only=1
	set -- "${2:?usage: fetch-kernel.sh --resolve KERNEL}" /nonexistent
fi
want=${1:?usage: fetch-kernel.sh KERNEL CACHE_DIR}
cache=${2:?usage: fetch-kernel.sh KERNEL CACHE_DIR}
# A user's own kernel, a build tree or an install root (a path): taken
# into the cache as it is, never fetched (vm/iomcvm/kernelsrc.py); the
# headers tree from IOMC_KDIR (iomap-vmcheck --kdir) if given.
case "$want" in */* | . | ..)
	mkdir -p "$cache"
	iomcvm kernel-import "$want" "$cache" ${IOMC_KDIR:+--kdir "$IOMC_KDIR"}
	exit ;;
esac

die() { echo "fetch-kernel: $*" >&2; exit 2; }

# A kernel of another Debian suite (the table's SUITE: unstable) is fetched
# with the apt of a chroot of that suite, made once under CACHE_DIR/chroot/
# (scripts/debian-chroot.sh), where its modules are built too
# (kmod/kmake.sh reads CACHE_DIR/<release>/suite).
suite=
chroot_dir=
in_suite() { # run CMD with the suite's apt (the host's when no suite)
	if [ -n "$suite" ]; then "$here/debian-chroot.sh" run "$chroot_dir" "$@"; else "$@"; fi
}
apt_get() {
	if [ -n "$suite" ]; then "$here/debian-chroot.sh" apt "$chroot_dir" "$@"; else apt-get "$@"; fi
}

depends_on() { # first dependency of $1 matching $2
	in_suite apt-cache show "$1" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1 |
		tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -E "$2" | head -n1
}

is_release() { # an exact release, not a table name
	[ -z "$(iomcvm kernels --meta "$1")" ] && iomcvm kernels --valid "$1"
}

resolve() {
	local meta
	iomcvm kernels --valid "$1" || die "unknown KERNEL '$1' ($(iomcvm kernels --usage))"
	meta=$(iomcvm kernels --meta "$1")
	if [ -z "$meta" ]; then echo "$1"; return; fi
	local pkg
	pkg=$(depends_on "$meta" '^linux-image-') || true
	if [ -z "$pkg" ]; then
		apt_get update -qq >&2 || true
		pkg=$(depends_on "$meta" '^linux-image-') || true
	fi
	[ -n "$pkg" ] || die "cannot resolve $meta (apt-get update?)"
	echo "${pkg#linux-image-}"
}

if [ -z "$resolve_only" ]; then
	mkdir -p "$cache"
	cache=$(cd "$cache" && pwd)
fi
suite=$(iomcvm kernels --suite "$want") || true
if [ -n "$suite" ]; then
	chroot_dir=$cache/chroot/$suite
	[ -z "$resolve_only" ] || chroot_dir=${KCACHE:-$here/../build/kernel}/chroot/$suite
	"$here/debian-chroot.sh" create "$suite" "$chroot_dir"
fi
if [ -n "$resolve_only" ]; then resolve "$want"; exit 0; fi

# toolchain REL: the suite's compiler and kbuild for REL, in its chroot.
toolchain() {
	[ -n "$suite" ] && [ ! -f "$chroot_dir/.toolchain-$1" ] || return 0
	"$here/debian-chroot.sh" toolchain "$chroot_dir" "linux-headers-$1"
	touch "$chroot_dir/.toolchain-$1"
}

# A cached release is used as is, without asking apt anything.
if [ -f "$cache/$want/.complete" ]; then echo "$want"; exit 0; fi
if [ -f "$cache/latest-$want" ]; then
	rel=$(cat "$cache/latest-$want")
	if [ -f "$cache/$rel/.complete" ]; then toolchain "$rel"; echo "$rel"; exit 0; fi
fi

rel=$(resolve "$want")
dir=$cache/$rel
if [ ! -f "$dir/.complete" ]; then
	echo "fetch-kernel: fetching $rel" >&2
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/debs" "$dir.tmp/root"
	hdr=linux-headers-$rel
	in_suite apt-cache show "$hdr" >/dev/null 2>&1 || apt_get update -qq >&2
	common=$(depends_on "$hdr" '^linux-headers-.*-common$')
	kbuild=$(depends_on "$hdr" '^linux-kbuild-')
	img=linux-image-$rel
	# The signed image package has no deb of its own for every release;
	# the -unsigned one carries the same vmlinuz.
	in_suite apt-cache show "$img" >/dev/null 2>&1 || img=$img-unsigned
	# From 7.x (unstable) the image package is a shell: vmlinuz and the
	# config are in linux-binary-REL, the modules in linux-modules-REL
	# (and linux-base-REL): take every dependency named after the release.
	parts=$(in_suite apt-cache show "$img" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1 |
		tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -E "^linux-[a-z]+-$(printf '%s' "$rel" | sed 's/[.+]/\\&/g')\$" |
		grep -v "^linux-headers-") || true
	# As root, apt drops to user _apt to download, which cannot write to
	# a root-owned build dir: download as root, without the warning.
	(cd "$dir.tmp/debs" && apt_get download -q -o APT::Sandbox::User=root "$img" $parts "$hdr" "$common" "$kbuild" >&2)
	for d in "$dir.tmp"/debs/*.deb; do dpkg-deb -x "$d" "$dir.tmp/root"; done
	# Packages of a merged-/usr suite (unstable) ship usr/lib/modules: the
	# cache's layout (and depmod -b) read lib/modules.
	if [ ! -e "$dir.tmp/root/lib" ] && [ -d "$dir.tmp/root/usr/lib" ]; then
		ln -s usr/lib "$dir.tmp/root/lib"
	fi
	toolchain "$rel"
	[ -z "$suite" ] || echo "$suite" >"$dir.tmp/suite"
	# boot/vmlinuz-REL, or (7.x) lib/modules/REL/vmlinuz and config.
	for f in vmlinuz config; do
		src=$dir.tmp/root/boot/$f-$rel
		[ -f "$src" ] || src=$dir.tmp/root/lib/modules/$rel/$f
		cp "$src" "$dir.tmp/$f"
	done
	# The headers tree names its -common half by absolute path
	# (include /usr/src/...); point it into the unpacked root, relative to
	# the Makefile itself so that the cache still works once moved (make
	# -C enters the physical directory: .. is root/usr/src).
	build=$dir.tmp/root/usr/src/linux-headers-$rel
	sed -i 's|/usr/src/|$(dir $(lastword $(MAKEFILE_LIST)))../|g' "$build/Makefile"
	# Kbuild runs tools/bpf/resolve_btfids on every module when it emits
	# module BTF; the headers package lacks it. Its only job is to patch
	# .BTF_ids sections, which our modules do not have: a stand-in that
	# refuses modules that do keep the build honest.
	rb=$build/tools/bpf/resolve_btfids
	if [ ! -x "$rb/resolve_btfids" ]; then
		mkdir -p "$rb"
		cat >"$rb/resolve_btfids" <<'STUB'
#!/bin/sh
# stand-in installed by iomap-check's fetch-kernel.sh
for last; do :; done
if readelf -S "$last" 2>/dev/null | grep -q '\.BTF_ids'; then
	echo "resolve_btfids stand-in: $last has .BTF_ids; real tool needed" >&2
	exit 1
fi
exit 0
STUB
		chmod +x "$rb/resolve_btfids"
	fi
	# vmlinuz holds an LZ4 (or other) compressed ELF vmlinux: find and unpack
	# it so that Kbuild can emit module BTF against the kernel's own .BTF.
	python3 "$(dirname "$0")/extract-vmlinux.py" "$dir.tmp/vmlinuz" "$dir.tmp/vmlinux"
	rm -rf "$dir.tmp/debs"
	# The image packages ship no modules.dep: compute it (vmcheck resolves
	# a driver's dependencies against it).
	if [ -d "$dir.tmp/root/lib/modules/$rel/kernel" ] && command -v depmod >/dev/null; then
		depmod -b "$dir.tmp/root" "$rel" ||
			echo "fetch-kernel: depmod failed; vmcheck retries it" >&2
	fi
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
	# Symlinks were made against the final path; nothing else to fix.
	ln -sfn "root/usr/src/linux-headers-$rel" "$dir/build"
	ln -sfn ../../../../vmlinux "$dir/build/vmlinux"
	touch "$dir/.complete"
fi
is_release "$want" || echo "$rel" >"$cache/latest-$want"
echo "$rel"
