#!/usr/bin/env bash
# `iomap-check build-driver`: build a user's out-of-tree driver against an
# installed kernel (default: the running one) so that its io_mapping calls
# go through iomap_check.ko. iomap_check.ko's Module.symvers (the symbol
# CRCs modpost needs) comes from building the module's own sources, shipped
# next to this script, for that kernel into a cache; the driver build itself
# is kmod/build-driver.sh. Runs from the source tree and installed
# (<prefix>/share/iomap-check/kmod/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prog="iomap-check build-driver"
# the exit statuses every tool shares (IOMC_EXIT_*, iomc_exit_help)
. "$here/../include/iomap-check/exit_status.sh"

# one write: a reader that stops early (grep -q) must not cut it (pipefail);
# bash's printf writes line by line, cat copies a here-string in one write
usage() {
	local text
	text=$(usage_text)
	cat <<<"$text"
}
usage_text() {
	cat <<USAGE
usage: $prog [OPTIONS] DRIVER_DIR

Builds the out-of-tree kernel driver in DRIVER_DIR (a directory with a
Kbuild file, or a Makefile with obj-m) so that every io_mapping call goes to
iomap_check.ko, where iomap-checkd checks it: iomap-check's drop-in
<linux/io-mapping.h> is forced into every C file and modpost resolves the
io_mapping symbols against iomap_check.ko. The driver's sources are copied
to OUT_DIR first and never written to.

Options:
  -k, --kernel REL  kernel release to build for (default: the running
                    kernel, $(uname -r))
      --kdir DIR    the kernel's build tree (default: /lib/modules/REL/build,
                    from the linux-headers-REL package)
  -o, --out DIR     build directory (default: ./iomap-check-build/NAME-REL)
  -h, --help        this text
Environment: KCFLAGS (extra compiler flags for the driver), V=1 (verbose
Kbuild), XDG_CACHE_HOME (iomap_check's symbols are built into
\$XDG_CACHE_HOME/iomap-check/kmod/REL, default ~/.cache).

Then: modprobe iomap_check (the iomap-check-dkms package builds it for
every installed kernel), start iomap-checkd (systemctl start iomap-checkd),
and insmod OUT_DIR/NAME.ko.

USAGE
	iomc_exit_help OK USAGE SETUP BUILD
	cat <<USAGE
(usage: an option without its value, DRIVER_DIR missing or without a
Kbuild/Makefile, a control character in a path; set-up: no kernel build
tree; the driver did not build: the driver or iomap_check.ko for REL.)
USAGE
}

usage_error() {
	echo "$prog: $*" >&2
	echo "Try '$prog --help'." >&2
	exit $IOMC_EXIT_USAGE
}

rel=$(uname -r) kdir= out= src=
while [ $# -gt 0 ]; do
	opt=$1 val=
	case $1 in
	-h|--help) usage; exit 0 ;;
	-k|--kernel|--kdir|-o|--out)
		# a missing value, or the next option taken for it
		[ $# -ge 2 ] && [ -n "$2" ] && [ "${2#-}" = "$2" ] ||
			usage_error "option '$1' needs a value"
		val=$2; shift 2 ;;
	--kernel=*|--kdir=*|--out=*)
		opt=${1%%=*} val=${1#*=}
		[ -n "$val" ] || usage_error "option '$opt' needs a value"
		shift ;;
	--) shift; break ;;
	-*) usage_error "unknown option '$1'" ;;
	*) [ -z "$src" ] || usage_error "one DRIVER_DIR only"
	   src=$1; shift; continue ;;
	esac
	# a newline in a path would forge lines of the output and of Kbuild's
	case $val in *[[:cntrl:]]*)
		usage_error "$opt: '${val//[[:cntrl:]]/?}' has a control character" ;;
	esac
	case $opt in
	-k|--kernel) rel=$val ;;
	--kdir) kdir=$val ;;
	-o|--out) out=$val ;;
	esac
done
[ $# -eq 0 ] || { [ -z "$src" ] && [ $# -eq 1 ] && src=$1; } || usage_error "one DRIVER_DIR only"
[ -n "$src" ] || { usage >&2; exit $IOMC_EXIT_USAGE; }
# the same check as iomap-vmcheck's, same words (a usage error)
"$here/build-driver.sh" --check "$prog" "$src" || { echo "Try '$prog --help'." >&2; exit $IOMC_EXIT_USAGE; }
kdir=${kdir:-/lib/modules/$rel/build}
if [ ! -f "$kdir/Makefile" ]; then
	echo "$prog: no kernel build tree at $kdir (install linux-headers-$rel, or --kdir)" >&2
	exit $IOMC_EXIT_SETUP
fi
name=$(basename "$(cd "$src" && pwd)")
out=${out:-$PWD/iomap-check-build/$name-$rel}

# iomap_check's Module.symvers for this kernel: from the iomap_check.ko
# installed for it (DKMS, make install), the very module the driver will
# link against; otherwise built once from the module's sources shipped
# here (same source, same kernel: same CRCs).
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/iomap-check/kmod/$rel
mkdir -p "$cache"
if ko=$(modinfo -k "$rel" -n iomap_check 2>/dev/null) && [ -f "$ko" ] &&
	"$here/symvers-from-ko.sh" "$ko" >"$cache/Module.symvers.installed"; then
	symvers=$cache/Module.symvers.installed
	echo "$prog: iomap_check's symbols from $ko" >&2
else
	symvers=$cache/Module.symvers
	if [ ! -f "$symvers" ] || [ -n "$(find "$here" "$here/../include" -newer "$symvers" -name '*.[ch]' | head -n1)" ]; then
		echo "$prog: no iomap_check.ko installed for $rel: building its symbols in $cache" >&2
		IOMC_KMOD_ONLY=1 KDIR=$kdir "$here/build.sh" "$rel" "$cache" >&2 ||
			{ echo "$prog: iomap_check.ko does not build for $rel" >&2; exit $IOMC_EXIT_BUILD; }
	fi
fi
IOMC_SYMVERS=$symvers KDIR=$kdir "$here/build-driver.sh" "$src" "$out" "$rel" ||
	{ echo "$prog: $name does not build" >&2; exit $IOMC_EXIT_BUILD; }
echo "$prog: built for $rel:"
find "$out" -maxdepth 2 -name '*.ko' | LC_ALL=C sort
