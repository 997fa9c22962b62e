#!/usr/bin/env bash
# The unstable kernel's build chroot, without mmdebstrap or a network (KTAP):
#   - kmod/kmake.sh runs make on the host for a Debian 12 kernel (no
#     `suite` file in its cache), refuses a suite kernel whose chroot
#     toolchain is missing, and runs make inside the chroot otherwise, with
#     its arguments and working directory unchanged;
#   - scripts/debian-chroot.sh run: the working directory and the
#     IOMC_CHROOT_BIND paths appear at their own paths inside, and no
#     mount is left behind on the host; usage errors exit 2.
# The chroot here is busybox-static's shell with a stand-in `make`; the
# real one (mmdebstrap) is made by `make kernel KERNEL=unstable`.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/host/ktap_lib.sh"
n=0
echo "KTAP version 1"
echo "1..7"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
dc=$top/scripts/debian-chroot.sh km=$top/kmod/kmake.sh

# A Debian 12 kernel: make on the host.
mkdir -p "$t/kc/6.1-rel" "$t/mk"
printf 'all:\n\t@echo host-make $(X)\n' >"$t/mk/Makefile"
run "$t/host" "$km" "$t/kc" 6.1-rel "$t/out" --no-print-directory -C "$t/mk" X=1
[ "$(rc "$t/host")" = 0 ] && [ "$(cat "$t/host.out")" = "host-make 1" ] &&
	res ok "kmake: a Debian 12 kernel is built with the host's make" ||
	res fail "kmake: host make" "rc $(rc "$t/host"): $(cat "$t/host.out" "$t/host.err")"

# A suite kernel whose chroot has no toolchain for it: refused, named.
mkdir -p "$t/kc/7-rel" "$t/kc/chroot/unstable"
echo unstable >"$t/kc/7-rel/suite"
run "$t/notc" "$km" "$t/kc" 7-rel "$t/out" -C "$t/mk"
[ "$(rc "$t/notc")" = 1 ] && grep -q "no unstable toolchain for 7-rel" "$t/notc.err" &&
	res ok "kmake: a suite kernel without its chroot toolchain is refused (exit 1, named)" ||
	res fail "kmake: missing toolchain" "rc $(rc "$t/notc"): $(cat "$t/notc.err")"

run "$t/usage" "$dc"
run "$t/nochroot" "$dc" run "$t/nothing" true
[ "$(rc "$t/usage")" = 2 ] && [ "$(rc "$t/nochroot")" = 2 ] && grep -q "no chroot" "$t/nochroot.err" &&
	res ok "debian-chroot: no command, or a chroot never made: exit 2" ||
	res fail "debian-chroot: usage errors" "rc $(rc "$t/usage") $(rc "$t/nochroot")"

bb=$(command -v busybox || true)
if [ "$(id -u)" != 0 ] || [ -z "$bb" ] || ! file -L "$bb" | grep -q static; then
	for i in 4 5 6 7; do res ok "debian-chroot # SKIP needs root and busybox-static"; done
	exit 0
fi
root=$t/kc/chroot/unstable
mkdir -p "$root/bin"
cp "$bb" "$root/bin/busybox"
for a in sh pwd cat echo; do ln -s busybox "$root/bin/$a"; done
printf '#!/bin/sh\necho "chroot-make $*"\npwd\n' >"$root/bin/make"
chmod +x "$root/bin/make"
echo unstable >"$root/.complete"
mkdir -p "$t/work" "$t/extra"
echo here >"$t/work/f" && echo there >"$t/extra/g"
mounts_before=$(grep -c "$t" /proc/self/mountinfo)
(cd "$t/work" && IOMC_CHROOT_BIND=$t/extra run "$t/in" "$dc" run "$root" sh -c 'pwd; cat f "$0"/g' "$t/extra")
[ "$(rc "$t/in")" = 0 ] && [ "$(cat "$t/in.out")" = "$(printf '%s\nhere\nthere' "$t/work")" ] &&
	res ok "debian-chroot run: the working directory and IOMC_CHROOT_BIND paths at their own paths" ||
	res fail "debian-chroot run" "rc $(rc "$t/in"): $(cat "$t/in.out" "$t/in.err")"
[ "$(grep -c "$t" /proc/self/mountinfo)" = "$mounts_before" ] && [ ! -e "$root$t/work/f" ] &&
	res ok "debian-chroot run: no bind mount left on the host" ||
	res fail "debian-chroot run: mounts left" "$(grep "$t" /proc/self/mountinfo | head -3)"
touch "$root/.toolchain-7-rel"
(cd "$t/work" && run "$t/km" "$km" "$t/kc" 7-rel "$t/out" -C "$t/mk" "KCFLAGS=-a -b")
[ "$(rc "$t/km")" = 0 ] && [ "$(cat "$t/km.out")" = "$(printf 'chroot-make -C %s KCFLAGS=-a -b\n%s' "$t/mk" "$t/work")" ] &&
	res ok "kmake: a suite kernel is built by the chroot's make, arguments and directory unchanged" ||
	res fail "kmake: chroot make" "rc $(rc "$t/km"): $(cat "$t/km.out" "$t/km.err")"
(cd "$t/work" && run "$t/rc" "$dc" run "$root" sh -c 'exit 7')
[ "$(rc "$t/rc")" = 7 ] && res ok "debian-chroot run: the command's exit status" ||
	res fail "debian-chroot run: exit status" "$(rc "$t/rc")"
