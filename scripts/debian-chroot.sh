#!/usr/bin/env bash
# A Debian chroot of another suite (unstable) to build modules for a kernel
# whose kbuild the host cannot run: Debian 12's gcc 12 and glibc 2.36 are
# older than what unstable's kernel headers need (its fixdep and modpost
# binaries need glibc >= 2.38, the kernel was built with gcc-16).
#
# usage: debian-chroot.sh create SUITE DIR
#            make DIR with mmdebstrap (cached: nothing done if DIR is
#            complete); the smallest variant that has apt, plus make
#        debian-chroot.sh toolchain DIR HEADERS_PKG
#            install what HEADERS_PKG (linux-headers-<release>) needs to
#            build modules (its compiler, kbuild, pahole), not the package
#            itself: the kernel cache has the headers tree
#        debian-chroot.sh apt DIR ARGS...
#            run apt-get ARGS in DIR (e.g. download, into the current
#            directory, which is bound into DIR)
#        debian-chroot.sh run DIR CMD ARGS...
#            run CMD in DIR, in the current directory; the current directory
#            and every absolute path among IOMC_CHROOT_BIND (':'-separated:
#            the source, output and kernel trees) appear at the same path
#            inside, so that the paths on the command line and in Kbuild's
#            files are the same as on the host. Bind mounts live in a mount
#            namespace of their own (unshare -m): nothing leaks to the host.
# Needs root (mmdebstrap --mode=root, mount, chroot).
set -euo pipefail
die() { echo "debian-chroot: $*" >&2; exit 2; }
mirror=${IOMC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The archive's Release files carry a Valid-Until that this machine's clock
# can be past: apt refuses them unless told not to check it.
aptopt='Acquire::Check-Valid-Until "false";'

create() {
	local suite=$1 dir=$2
	[ -f "$dir/.complete" ] && return 0
	rm -rf "$dir.tmp"
	mkdir -p "$(dirname "$dir")"
	echo "debian-chroot: creating the $suite chroot $dir (mmdebstrap, a few minutes)" >&2
	local t0=$SECONDS
	mmdebstrap --mode=root --variant=apt --include=make --aptopt="$aptopt" --skip=cleanup/apt/lists \
		--dpkgopt='path-exclude=/usr/share/{doc,man,locale}/*' \
		"$suite" "$dir.tmp" "$mirror" >&2
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
	echo "$suite" >"$dir/.complete"
	echo "debian-chroot: $suite chroot made in $((SECONDS - t0)) s" >&2
}

run() {
	local dir=$1; shift
	[ -f "$dir/.complete" ] || die "no chroot $dir (debian-chroot.sh create)"
	dir=$(cd "$dir" && pwd -P)
	# unshare(1) runs the script below as root of a private mount
	# namespace; its arguments: the chroot, then the paths to bind, then
	# "--", then the command.
	local binds=() p
	IFS=: read -r -a binds <<<"${IOMC_CHROOT_BIND:-}"
	binds+=("$PWD")
	set -- "$dir" "${binds[@]}" -- "$@"
	unshare -m --propagation private sh -euc '
		root=$1; shift
		while [ "$1" != -- ]; do
			case "$1" in /*)
				# The path without symlinks: a symlink in a bound
				# tree (build/kernel -> elsewhere) then leads, inside,
				# to where it leads outside, and no mount lands on a
				# place that a symlink redirects (mounting over a bound
				# tree would hide what is bound below it).
				real=$(cd "$1" && pwd -P)
				if [ ! "$root$real" -ef "$real" ]; then
					mkdir -p "$root$real"
					mount --bind "$real" "$root$real"
				fi ;;
			esac
			shift
		done
		shift
		mkdir -p "$root/proc" "$root/dev"
		mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
		for n in null zero urandom; do
			[ -e "$root/dev/$n" ] || touch "$root/dev/$n"
			mount --bind "/dev/$n" "$root/dev/$n"
		done
		# (the working directory without symlinks: only that is bound)
		exec chroot "$root" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$(pwd -P)" "$@"
	' unshare-chroot "$@"
}

cmd=${1:-}
shift || true
case "$cmd" in
create) create "${1:?usage: debian-chroot.sh create SUITE DIR}" "${2:?usage: debian-chroot.sh create SUITE DIR}" ;;
apt)
	dir=${1:?usage: debian-chroot.sh apt DIR ARGS...}; shift
	run "$dir" env DEBIAN_FRONTEND=noninteractive apt-get -q -o APT::Sandbox::User=root "$@" ;;
toolchain)
	dir=${1:?usage: debian-chroot.sh toolchain DIR HEADERS_PKG}
	hdr=${2:?usage: debian-chroot.sh toolchain DIR HEADERS_PKG}
	# The headers package's dependencies but its own other halves (the
	# -common headers, linux-base): the compiler, kbuild and pahole.
	deps=$(run "$dir" apt-cache show "$hdr" | sed -n 's/^Depends: //p' | head -n1 |
		tr ',' '\n' | sed 's/^ *//; s/[ |].*//' | grep -Ev '^(linux-headers-|linux-base)')
	[ -n "$deps" ] || die "cannot read the dependencies of $hdr"
	# shellcheck disable=SC2086
	run "$dir" env DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends install $deps >&2 ;;
run)
	dir=${1:?usage: debian-chroot.sh run DIR CMD ARGS...}; shift
	[ $# -gt 0 ] || die "usage: debian-chroot.sh run DIR CMD ARGS..."
	run "$dir" "$@" ;;
*) die "usage: debian-chroot.sh create|toolchain|apt|run ..." ;;
esac
