#!/usr/bin/env bash
# make check-devmachine: iomap-check on a real Debian 12 machine, emulated.
#
#   1. deb      `make deb`'s packages (pkg/deb.sh: dpkg-buildpackage, lintian)
#   2. rootfs   a Debian 12 root filesystem from the archive (mmdebstrap,
#               rootfs.sh; cached under build/devmachine keyed on its
#               package list), with the packages' dependencies installed
#   3. dkms     with DEVMACHINE_DKMS=host (the default): DKMS builds
#               iomap_check.ko on the host for the guest's kernel from the
#               iomap-check-dkms package (its sources and dkms.conf; `dkms
#               build` + `dkms mktarball`), because compiling it in the
#               emulated guest takes minutes (measured: 340 s on a loaded
#               2-core host). The tarball goes where the package's
#               postinst looks for prebuilt modules
#               (/usr/share/iomap-check-dkms/<name>-<version>.dkms.tar.gz):
#               in the guest, installing the package runs `dkms ldtarball`
#               and `dkms install` instead of a compile.
#               DEVMACHINE_DKMS=guest: DKMS compiles in the guest.
#   4. image    the cached rootfs cpio + this run's files (the two .debs,
#               guest.sh, the driver's source, the unit that runs guest.sh)
#   5. guest    QEMU (TCG) boots the fetched Debian kernel with that
#               initramfs, systemd as PID 1; guest.sh installs the packages
#               with apt, runs the daemon's unit, builds a driver with
#               `iomap-check build-driver` (compiled in the guest), loads
#               it, checks the reports
#
# Prints KTAP: one result per phase and per guest step, each with its time.
# Any failure prints the guest's journal (and the console's tail).
#
# usage: run.sh --kernel REL [--timeout S] [--out DIR]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rel= timeout=900 out=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) rel=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "usage: run.sh --kernel REL [--timeout S] [--out DIR]" >&2; exit 2 ;;
	esac
done
[ -n "$rel" ] || { echo "run.sh: --kernel REL" >&2; exit 2; }
build=${ABS_BUILD:-$top/build}
kcache=${KCACHE:-$build/kernel}
out=${out:-$build/devmachine/run-$rel}
guest_steps=15	# the plan of guest.sh
dkms_mode=${DEVMACHINE_DKMS:-host}
case $dkms_mode in host|guest) ;; *) echo "run.sh: DEVMACHINE_DKMS=host|guest" >&2; exit 2 ;; esac
plan=$((4 + guest_steps + 1))
n=0
echo "KTAP version 1"
echo "1..$plan"
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
bail() { # the remaining results fail: nothing after a failed phase ran
	while [ $n -lt $plan ]; do n=$((n + 1)); echo "not ok $n devmachine: not run ($1)"; done
	exit 1
}
t_all=$(now)

# ---- 1. packages
t0=$(now)
mapfile -t debs < <("$top/pkg/deb.sh" "$build/deb" 2>"$build/deb.log" || tail -n 60 "$build/deb.log" | sed 's/^/# /')
n=$((n + 1))
if [ ${#debs[@]} != 2 ]; then echo "not ok $n devmachine: make deb"; bail "no packages"; fi
echo "ok $n devmachine: phase deb: $(basename "${debs[0]}"), $(basename "${debs[1]}"), lintian clean ($(dt "$t0" "$(now)") s)"

# ---- 2. root filesystem: the packages' dependencies, preinstalled
t0=$(now)
mapfile -t pdeps < <(for d in "${debs[@]}"; do dpkg-deb -f "$d" Depends; done | tr ',' '\n' |
	sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep -v '^iomap-check' | grep . | LC_ALL=C sort -u)
mkdir -p "$build/devmachine"
rootfs=$("$top/tests/devmachine/rootfs.sh" "$build/devmachine" "$rel" "${pdeps[@]}" 2>"$build/devmachine/rootfs.log") ||
	tail -n 60 "$build/devmachine/rootfs.log" | sed 's/^/# /'
grep '^rootfs:' "$build/devmachine/rootfs.log" | sed 's/^/# /' 
n=$((n + 1))
if [ ! -f "$rootfs" ]; then echo "not ok $n devmachine: rootfs"; bail "no root filesystem"; fi
echo "ok $n devmachine: phase rootfs: Debian 12 + ${#pdeps[@]} package dependencies, $(du -m "$rootfs" | cut -f1) MB ($(dt "$t0" "$(now)") s)"

rm -rf "$out" && mkdir -p "$out/overlay/opt/devmachine" "$out/overlay/etc/systemd/system/multi-user.target.wants"
ov=$out/overlay
echo "$dkms_mode" >"$ov/opt/devmachine/dkms-mode"

# ---- 3. DKMS on the host, for the guest's kernel, from the package
t0=$(now)
n=$((n + 1))
if [ "$dkms_mode" = host ]; then
	dk=$out/dkms
	mkdir -p "$dk/pkg" "$dk/tree"
	dpkg-deb -x "${debs[1]}" "$dk/pkg"
	ver=$(dpkg-deb -f "${debs[1]}" Version)
	ver=${ver%-*}
	dkargs=(--dkmstree "$dk/tree" --sourcetree "$dk/pkg/usr/src" -m iomap-check -v "$ver")
	if dkms add "${dkargs[@]}" >"$dk/dkms.log" 2>&1 &&
		dkms build "${dkargs[@]}" -k "$rel" --kernelsourcedir "$kcache/$rel/build" >>"$dk/dkms.log" 2>&1 &&
		dkms mktarball "${dkargs[@]}" -k "$rel" >>"$dk/dkms.log" 2>&1; then
		mkdir -p "$ov/usr/share/iomap-check-dkms"
		mv "$dk"/tree/iomap-check/"$ver"/tarball/*.dkms.tar.gz \
			"$ov/usr/share/iomap-check-dkms/iomap-check-$ver.dkms.tar.gz"
		echo "ok $n devmachine: phase dkms: iomap_check.ko built by DKMS on the host for $rel from iomap-check-dkms (not compiled in the guest: DEVMACHINE_DKMS=guest does) ($(dt "$t0" "$(now)") s)"
	else
		sed 's/^/# /' "$dk/dkms.log"
		echo "not ok $n devmachine: phase dkms: dkms build on the host for $rel"
		bail "DKMS build failed"
	fi
else
	echo "ok $n devmachine: phase dkms # SKIP DEVMACHINE_DKMS=guest: DKMS compiles in the guest"
fi

# ---- 4. this run's initramfs: cached rootfs + an overlay cpio
t0=$(now)
cp "${debs[@]}" "$here/guest.sh" "$ov/opt/devmachine/"
cp -r "$here/driver" "$ov/opt/devmachine/driver"
cat >"$ov/etc/systemd/system/iomc-devmachine.service" <<'UNIT'
[Unit]
Description=iomap-check dev-machine test (tests/devmachine/guest.sh)
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/bin/bash /opt/devmachine/guest.sh
StandardOutput=journal
TimeoutStartSec=infinity
UNIT
ln -s ../iomc-devmachine.service "$ov/etc/systemd/system/multi-user.target.wants/"
# The kernel unpacks concatenated newc archives in turn.
{ cat "$rootfs"; (cd "$ov" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0); } >"$out/initramfs.cpio"
n=$((n + 1))
echo "ok $n devmachine: phase image: initramfs $(du -m "$out/initramfs.cpio" | cut -f1) MB ($(dt "$t0" "$(now)") s)"

# ---- 5. the guest
t0=$(now)
vmlinuz=$kcache/$rel/vmlinuz
[ -f "$vmlinuz" ] || bail "no kernel $vmlinuz"
: >"$out/console.log"; : >"$out/ktap.log"; : >"$out/journal.log"
# one TCG thread, as vm/vm.sh (why: there)
timeout --foreground -k 5 "$timeout" qemu-system-x86_64 -accel tcg,thread="${IOMC_TCG_THREAD:-single}" -cpu max -smp 2 -m 3G \
	-no-reboot -display none -vga std -monitor none -parallel none -nic none \
	-serial "file:$out/console.log" -serial "file:$out/ktap.log" -serial "file:$out/journal.log" \
	-kernel "$vmlinuz" -initrd "$out/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 quiet no_timer_check systemd.show_status=0 rd.udev.log_level=3" \
	</dev/null >"$out/qemu.log" 2>&1
qrc=$?
t_guest=$(dt "$t0" "$(now)")
tr -d '\r' <"$out/ktap.log" >"$out/ktap.txt"
grep '^#' "$out/ktap.txt"
# guest results, renumbered after the host's
awk -v base=$n '/^(not )?ok [0-9]+ / { neg = /^not/; sub(/^(not )?ok [0-9]+ /, "")
	printf "%sok %d devmachine guest: %s\n", neg ? "not " : "", base + (++i), $0 }' "$out/ktap.txt"
got=$(grep -cE '^(not )?ok [0-9]+ ' "$out/ktap.txt")
bad=$(grep -cE '^not ok [0-9]+ ' "$out/ktap.txt")
n=$((n + got))
while [ $n -lt $((plan - 1)) ]; do n=$((n + 1)); echo "not ok $n devmachine guest: step did not report (guest died or timed out)"; bad=$((bad + 1)); done
n=$((n + 1))
done_line=$(grep -c '^# guest: steps done' "$out/ktap.txt")
if [ "$qrc" = 0 ] && [ "$done_line" = 1 ]; then
	echo "ok $n devmachine: phase guest: booted with systemd, ran $got steps, powered off ($t_guest s)"
else
	echo "not ok $n devmachine: phase guest: qemu exit $qrc, steps done: $done_line ($t_guest s; timeout $timeout s)"
	bad=$((bad + 1))
fi
echo "# devmachine: total $(dt "$t_all" "$(now)") s; logs in $out"
if [ "$bad" != 0 ]; then
	echo "# ---- guest journal ($out/journal.log)"
	tr -d '\r' <"$out/journal.log" | sed 's/^/# | /'
	echo "# ---- console tail ($out/console.log)"
	tr -d '\r' <"$out/console.log" | tail -n 40 | sed 's/^/# | /'
	exit 1
fi
exit 0
