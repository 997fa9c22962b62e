#!/usr/bin/env bash
# kernel-tree.sh DIR: a small x86-64 kernel build tree in DIR/tree, built
# from Debian's linux-source-6.12 with a minimal config (allnoconfig) plus
# the fragment `iomap-vmcheck --kconfig` prints: what a kernel developer's
# own tree looks like to `iomap-vmcheck --kernel PATH` (bzImage, vmlinux,
# .config, Module.symvers, modules.order), built out of the source tree
# (O=), as a developer's would be.
#
#   DIR/deb/       the linux-source-6.12 package (apt-get download)
#   DIR/src/       its unpacked source
#   DIR/tree/      the build tree (prints its path on stdout)
#
# Cached: when DIR/tree/.iomc-built holds the hash of the config inputs,
# nothing is rebuilt (a second run takes a second). The build runs under
# nice with -j$IOMC_JOBS (default 2). apt runs under flock $IOMC_APT_LOCK
# when that file is set (other apt users on the machine).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: kernel-tree.sh DIR}
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
jobs=${IOMC_JOBS:-2}
pkg=linux-source-6.12
tree=$dir/tree
note() { echo "kernel-tree: $*" >&2; }

# The config inputs: the checker's fragment (one place: vm/iomcvm/kernelsrc.py),
# this script's own few lines below, the package's version.
frag=$(PYTHONPATH=$top/vm python3 -B -m iomcvm kconfig)
# Not the checker's business: a release name of our own, no compressed or
# signed modules (the runner reads .ko files as they are).
own='CONFIG_LOCALVERSION="-iomc"
CONFIG_LOCALVERSION_AUTO=n
CONFIG_MODULE_SIG=n'

deb=$(ls "$dir"/deb/${pkg}_*.deb 2>/dev/null | tail -n 1 || true)
if [ -z "$deb" ]; then
	mkdir -p "$dir/deb"
	note "downloading $pkg (about 150 MB)"
	# As root, apt drops to user _apt, which cannot write here.
	(cd "$dir/deb" && ${IOMC_APT_LOCK:+flock "$IOMC_APT_LOCK"} \
		apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2)
	deb=$(ls "$dir"/deb/${pkg}_*.deb | tail -n 1)
fi
ver=$(dpkg-deb -f "$deb" Version)
key=$(printf '%s\n%s\n%s\n' "$ver" "$frag" "$own" | sha256sum | cut -c1-16)
if [ -f "$tree/.iomc-built" ] && [ "$(cat "$tree/.iomc-built")" = "$key" ]; then
	note "cached: $tree ($pkg $ver)"
	echo "$tree"
	exit 0
fi

src=$dir/src/linux-source-6.12
if [ ! -f "$src/.iomc-unpacked" ] || [ "$(cat "$src/.iomc-unpacked")" != "$ver" ]; then
	note "unpacking $pkg $ver"
	rm -rf "$dir/src" "$dir/pkg"
	mkdir -p "$dir/src"
	dpkg-deb -x "$deb" "$dir/pkg"
	nice tar -C "$dir/src" -xaf "$dir"/pkg/usr/src/linux-source-6.12.tar.*
	rm -rf "$dir/pkg"
	echo "$ver" >"$src/.iomc-unpacked"
fi

t0=$SECONDS
mkdir -p "$tree"
rm -f "$tree/.iomc-built"
printf '%s\n%s\n' "$frag" "$own" >"$tree/iomc.config"
k=(make -s -C "$src" O="$tree" ARCH=x86_64)
"${k[@]}" allnoconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$tree" "$tree/.config" "$tree/iomc.config" >&2
"${k[@]}" olddefconfig >&2
# Every option asked for must have stuck (a dependency we did not name
# would silently drop one).
lost=$(PYTHONPATH=$top/vm python3 -B - "$tree/iomc.config" "$tree/.config" <<'EOF'
import sys
from iomcvm.kernelsrc import read_config
want, have = read_config(sys.argv[1]), read_config(sys.argv[2])
print(" ".join("%s=%s" % (o, v) for o, v in want.items()
               if v != "n" and have.get(o) != v))
EOF
)
[ -z "$lost" ] || { note "the config did not take: $lost"; exit 1; }
note "building in $tree (nice make -j$jobs)"
nice "${k[@]}" -j"$jobs" >&2
note "built in $((SECONDS - t0)) s: $(cat "$tree/include/config/kernel.release")"
echo "$key" >"$tree/.iomc-built"
echo "$tree"
