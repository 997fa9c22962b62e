#!/usr/bin/env bash
# Boot the pinned guest kernel in QEMU with the iomap-check modules and run
# guest test modes; print their results (KTAP by default) and exit with an
# outcome the caller can tell apart:
#   0  the guest ran every mode and every test passed
#   1  the guest ran, some test failed (incl. an undeclared WARN/BUG splat)
#   2  set-up error on the host (missing kernel, modules, tools)
#   3  boot failure (no word from /init in time) or timeout (the guest hung)
#   4  kernel oops or panic
#
# usage: vm.sh [options]
#   --kernel K        6.1 | 6.12 (cloud) | 6.1-generic | 6.12-generic | an
#                     exact release of either flavor (default $KERNEL or 6.1)
#   --mode M[,M...]   guest modes to run in this one boot, in order; mode M
#                     is M.sh in vm/guest/, tests/guest/ or bench/guest/
#                     (default check)
#   --timeout S       overall wall-clock limit, QEMU is killed after it (120;
#                     decimal seconds, 1 to 1000000, like --boot-timeout)
#   --boot-timeout S  limit for /init's first word (default 60, at most the
#                     timeout)
#   --extra F:PATH    copy host file F to PATH in the initramfs (repeatable)
#   --bin F           copy static binary F to /bin (repeatable; GUEST_BINS)
#   --kmod DIR|none   directory with iomap_check.ko and iomap_scenarios.ko
#                     (default $ABS_BUILD/obj/<release>/kmod)
#   --out DIR         logs and initramfs (default build/vm/<release>/<modes>)
#   --format F        ktap (default): one KTAP document; text: the guest's
#                     output for humans; none: print nothing but failures
#   --label L         prefix of test descriptions (default: --kernel value)
#   --accel A         auto (default; KVM only if a probe boot works) | tcg | kvm
#                     TCG runs on one host thread (thread=single): QEMU's
#                     multi-threaded TCG left a vCPU looping on the int3 of a
#                     jump label the kernel had finished patching (a stale
#                     translation: both CPUs stuck in call_timer_fn+0x27,
#                     RCU stalls, the guest lost) while the checker attached;
#                     one thread is also faster here (6.1 check suite 73 s
#                     against 94-101 s). IOMC_TCG_THREAD=multi restores it.
#   --vmlinuz F       boot this image instead of the fetched kernel's
#   --append ARGS     extra kernel command-line words (repeatable)
#   --kernel-module P one of the guest kernel's own modules, P relative to
#                     lib/modules/<release>/kernel (drivers/nvdimm/nd_pmem.ko;
#                     a compressed .ko.xz/.ko.zst is unpacked),
#                     copied to /lib/kernel-modules/ in the guest
#                     (repeatable; the guest mode loads them in its order)
#   --vga TYPE        QEMU's display device (-vga TYPE): std (default), qxl,
#                     virtio, cirrus, vmware, none, ...
#   --qemu-arg ARG    one more word for QEMU's command line, appended
#                     verbatim after the harness's own (repeatable; e.g.
#                     --qemu-arg -device --qemu-arg pci-testdev)
#   --chan NAME       one more serial port for the guest (ttyS2, then ttyS3,
#                     ... in the order given; repeatable): what the guest
#                     writes to it lands in OUT/NAME.log, apart from the
#                     console and the results; at most two (the kernels
#                     register ttyS0-3)
#
# Channels: ttyS0 (kernel console, every printk once /init raised the
# console level) goes to OUT/console.log; ttyS1 carries only what the guest
# scripts print, to OUT/guest.log, so test output never interleaves with
# kernel messages. Guest scripts mark each test in the kernel log
# ("iomap-check: begin MODE/NAME expect=TAGS" ... "end MODE/NAME", via
# /dev/kmsg); splats between the marks are attributed to that test here on
# the host, from the console log, which survives a guest that dies.
#
# Environment: IOMC_QEMU overrides the QEMU binary (the harness's own tests
# use a fake one).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
lib=$top/vm
build=${ABS_BUILD:-$top/build}
kcache=${KCACHE:-$build/kernel}
qemu=${IOMC_QEMU:-qemu-system-x86_64}

kernel=${KERNEL:-6.1} modes=check timeout=120 boot_timeout= out= format=ktap
kmod= label= accel=auto vmlinuz= append= vga=std
extras=() bins=() chans=() qemu_args=() kmods_own=()

die() { # setup error: still say so in KTAP so check.sh counts it
	echo "not ok 1 ${label:-$kernel}: vm set-up # $*"
	echo "vm: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift ;;
	--mode) modes=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--boot-timeout) boot_timeout=$2; shift ;;
	--extra) extras+=("$2"); shift ;;
	--bin) bins+=("$2"); shift ;;
	--kmod) kmod=$2; shift ;;
	--out) out=$2; shift ;;
	--format) format=$2; shift ;;
	--label) label=$2; shift ;;
	--accel) accel=$2; shift ;;
	--vmlinuz) vmlinuz=$2; shift ;;
	--append) append=${append:+$append }$2; shift ;;
	--kernel-module) kmods_own+=("$2"); shift ;;
	--chan) chans+=("$2"); shift ;;
	--vga) vga=$2; shift ;;
	--qemu-arg) qemu_args+=("$2"); shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d'; exit 0 ;;
	*) die "unknown option $1" ;;
	esac
	shift
done
label=${label:-$kernel}
# Numbers are decimal seconds in range, leading zeros dropped (bash
# arithmetic would read 08 as bad octal) before any use.
decimal() { # decimal VAR NAME MAX: $VAR from 1 to MAX, or die
	local val=${!1} v
	v=${val#"${val%%[!0]*}"}
	case "$val" in '' | *[!0-9]*) v= ;; esac
	[ -n "$v" ] && [ ${#v} -le ${#3} ] && [ "$v" -le "$3" ] ||
		die "$2 wants a decimal number of seconds from 1 to $3, not '$val'"
	printf -v "$1" '%s' "$v"
}
decimal timeout --timeout 1000000
[ -z "$boot_timeout" ] || decimal boot_timeout --boot-timeout 1000000
grace=${IOMC_POWEROFF_GRACE:-10}
decimal grace IOMC_POWEROFF_GRACE 3600
# /init normally speaks 3-5 s after QEMU starts: a minute of silence is a
# failed boot, not a slow one.
if [ -z "$boot_timeout" ]; then
	boot_timeout=$timeout
	[ "$timeout" -le 60 ] || boot_timeout=60
fi
case "$format" in ktap | text | none) ;; *) die "bad --format $format" ;; esac
case "$vga" in '' | *[!a-z0-9_-]*) die "bad --vga '$vga'" ;; esac

qpid=
cleanup() { [ -n "$qpid" ] && kill "$qpid" 2>/dev/null; qpid=; }
trap cleanup EXIT
# Never end without a word: a failing command (set -e) or a signal still
# leaves a KTAP failure for check.sh to count.
trap 'echo "not ok 1 $label: vm.sh failed at line $LINENO (exit $?)"; cleanup' ERR
trap 'echo "not ok 1 $label: vm.sh interrupted"; cleanup; exit 130' INT TERM HUP

# --- kernel ------------------------------------------------------------------
if [ -n "$vmlinuz" ]; then
	rel=custom-$(basename "$vmlinuz")
	config=
else
	rel=$("$top/scripts/fetch-kernel.sh" "$kernel" "$kcache") ||
		die "cannot fetch kernel $kernel"
	vmlinuz=$kcache/$rel/vmlinuz
	config=$kcache/$rel/config
fi
[ -f "$vmlinuz" ] || die "no kernel image $vmlinuz"

if [ -z "$kmod" ]; then kmod=$build/obj/$rel/kmod; fi
kos=()
if [ "$kmod" != none ]; then
	for ko in iomap_check.ko iomap_scenarios.ko; do
		[ -f "$kmod/$ko" ] || die "missing $kmod/$ko (run make kmod KERNEL=$kernel)"
		kos+=("$kmod/$ko")
	done
fi

out=${out:-$build/vm/$rel/${modes//,/+}}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/{console,guest,qemu}.log "$out"/{console,guest}.raw "$out"/splats.tsv
chan_args=()
for c in "${chans[@]}"; do
	rm -f "$out/$c.raw" "$out/$c.log"
	chan_args+=(-serial "file:$out/$c.raw")
done

# --- initramfs -----------------------------------------------------------------
# busybox-static and its applets, /init, the guest scripts, the modules,
# the project's static binaries and any extra file.
bb=$(command -v busybox) || die "busybox not installed (make deps)"
# A dynamic busybox (package busybox) would find no libc in the guest.
if readelf -l "$bb" 2>/dev/null | grep -q 'INTERP'; then
	die "$bb is not static (install busybox-static)"
fi
root=$out/initramfs.d
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc,guest,lib/iomap-check}
cp "$bb" "$root/bin/busybox"
for a in $("$bb" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
ln -s bin "$root/sbin"
cp "$top/vm/guest/init" "$root/init"
chmod 755 "$root/init"
# Guest modes: the product's (vm/guest: the protocol, demo, vmcheck), the
# tests' and the benchmarks' (absent from an installed copy).
for d in vm/guest tests/guest bench/guest; do
	if [ -d "$top/$d" ]; then cp "$top/$d"/*.sh "$root/guest/"; fi
done
for m in ${modes//,/ }; do
	[ -f "$root/guest/$m.sh" ] || printf '%s\n' "${extras[@]}" | grep -q ":/guest/$m.sh\$" ||
		die "no guest mode '$m' (no $m.sh in vm/guest, tests/guest or bench/guest)"
done
for ko in "${kos[@]}"; do cp "$ko" "$root/lib/iomap-check/"; done
if [ ${#kmods_own[@]} -gt 0 ]; then
	mkdir -p "$root/lib/kernel-modules"
	for ko in "${kmods_own[@]}"; do
		src=$kcache/$rel/root/lib/modules/$rel/kernel/$ko
		dst=$root/lib/kernel-modules/$(basename "$ko")
		# 6.12's are xz-compressed; busybox insmod wants them plain
		if [ -f "$src" ]; then cp "$src" "$dst"
		elif [ -f "$src.xz" ]; then xz -dc "$src.xz" >"$dst"
		elif [ -f "$src.zst" ]; then zstd -qdc "$src.zst" >"$dst"
		else die "no module $ko in the $rel tree ($src)"
		fi
	done
fi
for b in "${bins[@]}"; do
	[ -f "$b" ] || die "missing guest binary $b"
	cp "$b" "$root/bin/"
done
for e in "${extras[@]}"; do
	src=${e%%:*} dst=${e#*:}
	[ -f "$src" ] || die "missing extra file $src"
	mkdir -p "$root/$(dirname "$dst")"
	cp "$src" "$root/$dst"
done
# The kernel opens /dev/console for /init before devtmpfs is mounted.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

comp=gzip
if [ -n "$config" ] && grep -q '^CONFIG_RD_LZ4=y' "$config" && command -v lz4 >/dev/null; then
	comp=lz4
fi
initrd=$out/initramfs.cpio.$comp
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	if [ $comp = lz4 ]; then lz4 -l -q -c; else gzip -1 -c; fi >"$initrd"

# --- accelerator -------------------------------------------------------------
# KVM only where it really works: the CPU must advertise vmx/svm and a probe
# boot (cached per host kernel and QEMU) must reach /init and power off.
kvm_works() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	grep -qwE 'vmx|svm' /proc/cpuinfo || return 1
	local key cache=$build/vm/kvm-probe
	key="$(uname -r) $("$qemu" --version | head -n1)"
	if [ -f "$cache" ] && [ "$(head -n1 "$cache")" = "$key" ]; then
		[ "$(sed -n 2p "$cache")" = yes ]
		return
	fi
	local p=$build/vm/kvm-probe.d ans=no
	rm -rf "$p" && mkdir -p "$p/r/bin" "$p/r/dev"
	cp "$bb" "$p/r/bin/busybox"
	printf '#!/bin/busybox sh\n/bin/busybox echo iomc-kvm-probe-ok\n/bin/busybox poweroff -f\n' >"$p/r/init"
	chmod 755 "$p/r/init"
	mknod -m 600 "$p/r/dev/console" c 5 1 2>/dev/null || true
	(cd "$p/r" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$p/initrd"
	timeout -k 2 30 "$qemu" -accel kvm -cpu host -smp 2 -m 512M -no-reboot \
		-display none -monitor none -serial "file:$p/console" \
		-kernel "$vmlinuz" -initrd "$p/initrd" \
		-append 'console=ttyS0 panic=-1' </dev/null >"$p/qemu.log" 2>&1 || true
	grep -q iomc-kvm-probe-ok "$p/console" 2>/dev/null && ans=yes
	printf '%s\n%s\n' "$key" "$ans" >"$cache"
	[ $ans = yes ]
}
case "$accel" in
auto) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
tcg | kvm) ;;
*) die "bad --accel $accel" ;;
esac
if [ $accel = kvm ]; then cpu=host; else cpu=max; fi
accel_opts=
[ $accel = tcg ] && accel_opts=",thread=${IOMC_TCG_THREAD:-single}"

# --- boot ----------------------------------------------------------------------

now() { echo "${EPOCHREALTIME/./}"; } # microseconds
secs() { printf '%d.%d' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); }

echo "# vm: $rel, $accel, -vga $vga${qemu_args[*]:+, ${qemu_args[*]}}, modes $modes, timeout ${timeout}s, logs in $out" >&2
t0=$(now)
"$qemu" -accel $accel$accel_opts -cpu $cpu -smp 2 -m 1G -no-reboot \
	-display none -vga "$vga" -monitor none -parallel none -nic none \
	-serial "file:$out/console.raw" -serial "file:$out/guest.raw" "${chan_args[@]}" \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet no_timer_check iomc_mode=$modes${append:+ $append}" \
	"${qemu_args[@]}" </dev/null >"$out/qemu.log" 2>&1 &
qpid=$!

# The guest says "# iomc: init" when /init runs and "# iomc: done" after the
# last mode; then it powers off, which ends QEMU (-no-reboot also turns a
# panic's reboot into an exit).
outcome= t_init= t_done=
while :; do
	t=$(now)
	el=$(((t - t0) / 1000000))
	alive=1
	kill -0 "$qpid" 2>/dev/null || alive=0
	if [ -z "$t_init" ] && grep -qa '^# iomc: init' "$out/guest.raw" 2>/dev/null; then
		t_init=$t
	fi
	if [ -z "$t_done" ] && grep -qa '^# iomc: done' "$out/guest.raw" 2>/dev/null; then
		t_done=$t
	fi
	[ $alive = 1 ] || break
	if [ -n "$t_done" ] && [ $(((t - t_done) / 1000000)) -ge "$grace" ]; then
		outcome=nopoweroff
		break
	fi
	if [ -z "$t_init" ] && [ "$el" -ge "$boot_timeout" ]; then
		outcome=boot
		break
	fi
	if [ "$el" -ge "$timeout" ]; then
		outcome=timeout
		break
	fi
	sleep 0.1
done
if [ -n "$outcome" ]; then
	cleanup
else
	wait "$qpid" || true
	qpid=
fi
t1=$(now)
tr -d '\r' <"$out/console.raw" >"$out/console.log" 2>/dev/null || : >"$out/console.log"
tr -d '\r' <"$out/guest.raw" >"$out/guest.log" 2>/dev/null || : >"$out/guest.log"
for c in "${chans[@]}"; do
	tr -d '\r' <"$out/$c.raw" >"$out/$c.log" 2>/dev/null || : >"$out/$c.log"
done
grep -qa '^# iomc: init' "$out/guest.log" || { [ -n "$outcome" ] || outcome=noboot; }
grep -qa '^# iomc: done' "$out/guest.log" || { [ -n "$outcome" ] || outcome=died; }
outcome=${outcome:-ok}

# --- verdict ---------------------------------------------------------------------
awk -f "$lib/splat-class.awk" -f "$lib/splats.awk" "$out/console.log" >"$out/splats.tsv"
wall=$(secs $((t1 - t0)))
init_at=-
[ -n "$t_init" ] && init_at=$(secs $((t_init - t0)))
tail_file=$out/console.tail
tail -n 15 "$out/console.log" >"$tail_file"
if [ ! -s "$out/console.log" ]; then
	sed 's/^/qemu: /' "$out/qemu.log" | tail -n 5 >"$tail_file"
fi

summary=$out/summary
awk -f "$lib/compose.awk" -v format="$format" -v label="$label" \
	-v outcome="$outcome" -v timeout="$timeout" -v boot_timeout="$boot_timeout" \
	-v wall="$wall" -v init_at="$init_at" -v accel="$accel" -v rel="$rel" \
	-v tailfile="$tail_file" -v sumfile="$summary" \
	"$out/splats.tsv" "$out/guest.log" >"$out/result.txt"
if [ "$format" = none ]; then
	grep -E '^not ok|^# (boot failure|timeout|kernel)' "$out/result.txt" || true
else
	cat "$out/result.txt"
fi
read -r fatal failed <"$summary"
echo "$rel $accel $wall $init_at $outcome" >"$out/info"
echo "# vm: $label: outcome $outcome, $failed failed, ${wall}s wall (/init at ${init_at}s)" >&2
if [ "$fatal" -gt 0 ]; then exit 4; fi
case "$outcome" in boot | noboot | timeout | died) exit 3 ;; esac
[ "$failed" = 0 ] || exit 1
exit 0
