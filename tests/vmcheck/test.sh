#!/usr/bin/env bash
# Tests of iomap-vmcheck (vmcheck/iomap-vmcheck.sh), KTAP on stdout.
#
# usage: test.sh host             no guest: --help, --version, usage errors
#                                 (exit 2, a --kernel-module the kernel
#                                 lacks included), a driver that does not
#                                 compile (exit 7 with gcc's message), a
#                                 driver that needs a module the kernel
#                                 lacks (exit 7, named), the DRM example on
#                                 a cloud kernel (exit 7, the generic flavor
#                                 suggested),
#                                 the module closure (iomcvm) on a made-up
#                                 modules tree, a SIGTERM while QEMU runs
#                                 (a stand-in: exit 130, QEMU stopped), --out
#                                 on a full disk (exit 3, said)
#        test.sh guest K1 [K2 [G]]
#                                 five guest boots: the example driver
#                                 fbcopy clean on K1 (exit 0, no JSON), built
#                                 with its bugs on K2 (exit 1, the rules and
#                                 functions in the JSON), a RUN that hangs on
#                                 K1 (exit 3 after --timeout; iomap_check's
#                                 --module-param); errpath with
#                                 --inject-faults on K2 (exit 1: its error
#                                 path leaks), fixed on K1 (exit 0); with G, a
#                                 generic kernel, two more: the DRM example
#                                 vramcopy (it needs drm.ko) clean on G with
#                                 no VGA and a QXL device by --qemu-arg, and
#                                 with its bugs on G's std VGA; and if G is a
#                                 6.1 generic kernel, vmwgfx (below)
#                                 and memmapres on K1 (below: --append,
#                                 --module-param, --kernel-module)
#        test.sh memmapres K      that one boot alone
#        test.sh tree             make check-kernel-tree: a kernel built
#                                 from linux-source-6.12 (cached), the
#                                 guest check mode and fbcopy on it
#        test.sh bench G          vramcopy's boot-to-verdict on G (make bench)
#        test.sh vmwgfx G         one boot of a 6.1 generic kernel G: the
#                                 kernel's own vmwgfx under -vga vmware, whose
#                                 failed probe devres cleans up: exit 0, with
#                                 --checkd-arg (58 s; guest runs it too when
#                                 G is a 6.1 generic kernel)
# Outputs of each case: $ABS_BUILD/check/vmcheck/<case>.out
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${ABS_BUILD:-$top/build}
vmcheck=$top/vmcheck/iomap-vmcheck.sh
drivers=$top/tests/vmcheck/drivers
logs=$build/check/vmcheck
mkdir -p "$logs"
results=()

ok() { results+=("ok N $*"); }
not_ok() { results+=("not ok N $1 # $2"); }
# Exit 1 when a result failed, so that a suite run alone (make
# check-kernel-tree) is not green with a failure in it; tests/check.sh
# counts the results either way.
finish() {
	local i=0 r st=0
	echo "KTAP version 1"
	echo "1..${#results[@]}"
	for r in "${results[@]}"; do
		i=$((i + 1))
		echo "${r/ N / $i }"
		case $r in "not ok"*) st=1 ;; esac
	done
	exit $st
}

# vmc CASE ARGS...: run iomap-vmcheck; stdout in CASE.out, stderr in
# CASE.err; sets rc and secs.
vmc() {
	local c=$1
	shift
	local t0=$SECONDS
	"$vmcheck" "$@" >"$logs/$c.out" 2>"$logs/$c.err"
	rc=$?
	secs=$((SECONDS - t0))
}

# expect CASE WANT_RC DESC [PATTERN FILE]: one result: exit status, and
# PATTERN (extended regexp) present in FILE (default CASE.out + .err).
expect() {
	local c=$1 want=$2 desc=$3 pat=${4:-} f=${5:-}
	if [ "$rc" != "$want" ]; then
		not_ok "$desc" "exit $rc, want $want; $(tail -n 2 "$logs/$c.out" "$logs/$c.err" 2>/dev/null | grep -v '^==>' | grep -v '^$' | tail -n 2 | tr '\n' ' ')"
		return
	fi
	if [ -n "$pat" ]; then
		if [ -n "$f" ]; then
			grep -qE -- "$pat" "$f"
		else
			grep -qE -- "$pat" "$logs/$c.out" "$logs/$c.err"
		fi || { not_ok "$desc" "exit $rc but no /$pat/ in the output"; return; }
	fi
	ok "$desc"
}

host() {
	vmc help --help
	# (the statuses' words: tests/host/exit_status.sh)
	expect help 0 "vmcheck --help exits 0 and documents every exit status" \
		'^  6  the kernel oopsed or panicked'
	grep -qE '^  3  the run did not complete' "$logs/help.out" &&
		grep -qE '^  7  the driver did not build' "$logs/help.out" &&
		grep -qE -- '--extra F\[:PATH\]' "$logs/help.out" ||
		not_ok "vmcheck --help lists --extra and statuses 3, 7" "missing in --help"
	vmc version --version
	expect version 0 "vmcheck --version" '^iomap-vmcheck [0-9]'

	local fb=$drivers/fbcopy
	vmc u-nodriver --run true
	expect u-nodriver 2 "usage: no --driver: exit 2" 'driver DIR is required'
	vmc u-badopt --driver "$fb" --frobnicate
	expect u-badopt 2 "usage: unknown option: exit 2" "unrecognized option"
	vmc u-noarg --driver
	expect u-noarg 2 "usage: option without its argument: exit 2" "requires an argument"
	vmc u-timeout --driver "$fb" --timeout soon
	expect u-timeout 2 "usage: --timeout soon: exit 2" 'positive number of seconds'
	local tv
	for tv in 00 9223372036854775807 86401 -5 " 5" 1e3; do
		vmc u-timeout --driver "$fb" --timeout "$tv"
		expect u-timeout 2 "usage: --timeout '$tv': exit 2" "positive number of seconds .*, not '$tv'"
	done
	# --module-param's form, and the module it names must be loaded;
	# --kernel-module names a module of the guest kernel (no guest boots)
	vmc u-mparam --driver "$fb" --module-param novalue
	expect u-mparam 2 "usage: --module-param novalue: exit 2" 'want MODULE.NAME=VALUE'
	vmc u-mparam-mod --driver "$fb" --module-param nosuch.x=1
	expect u-mparam-mod 2 "usage: --module-param for a module that is not loaded: exit 2, named" \
		"no module 'nosuch' is loaded"
	vmc u-kmod --kernel-module nosuch_mod
	expect u-kmod 2 "--kernel-module nosuch_mod: exit 2, the module named" \
		"needs module 'nosuch_mod', which kernel .* does not have"
	# --kconfig, and a kernel given as a path whose config lacks what the
	# checker needs: each missing option named, exit 3, before any build
	# or boot (an install root with --kdir, and a build tree)
	vmc kconfig --kconfig
	expect kconfig 0 "--kconfig prints a config fragment (BPF syscall, BTF, kprobes, modules, console)" \
		'^CONFIG_BPF_SYSCALL=y'
	local c=$logs/ukern rel
	rel=$("$top/scripts/fetch-kernel.sh" 6.1 "$build/kernel")
	rm -rf "$c" && mkdir -p "$c/root/boot" "$c/root/lib/modules/9.9.9-iomc" "$c/tree/arch/x86/boot" \
		"$c/tree/include/config"
	sed '/^CONFIG_BPF_SYSCALL=/d; s/^CONFIG_KPROBES=y/# CONFIG_KPROBES is not set/' \
		"$build/kernel/$rel/config" >"$c/root/boot/config-9.9.9-iomc"
	head -c 1024 /dev/urandom >"$c/root/boot/vmlinuz-9.9.9-iomc"
	: >"$c/root/lib/modules/9.9.9-iomc/modules.dep"
	IOMC_CACHE=$c/cache vmc u-kern-root --driver "$fb" --kernel "$c/root" --kdir "$build/kernel/$rel/build"
	expect u-kern-root 3 "--kernel INSTALL_ROOT whose config lacks options: exit 3, each named" \
		'lacks what the checker needs: CONFIG_BPF_SYSCALL .*CONFIG_KPROBES'
	cp "$c/root/boot/config-9.9.9-iomc" "$c/tree/.config"
	cp "$c/root/boot/vmlinuz-9.9.9-iomc" "$c/tree/arch/x86/boot/bzImage"
	echo 9.9.9-iomc >"$c/tree/include/config/kernel.release"
	: >"$c/tree/Module.symvers"
	IOMC_CACHE=$c/cache vmc u-kern-tree --driver "$fb" --kernel "$c/tree"
	expect u-kern-tree 3 "--kernel BUILD_TREE whose config lacks options: exit 3, each named" \
		'9.9.9-iomc.*lacks what the checker needs: CONFIG_BPF_SYSCALL .*CONFIG_KPROBES'
	vmc u-kernel --driver "$fb" --kernel 5.10
	expect u-kernel 2 "usage: --kernel 5.10: exit 2" 'use 6.1, 6.12'
	vmc u-nodir --driver "$drivers/no-such-driver"
	expect u-nodir 2 "usage: missing driver directory: exit 2" 'no driver directory'
	vmc u-extra --driver "$fb" --extra /nonexistent/file:/opt/x
	expect u-extra 2 "usage: --extra of a missing file: exit 2" 'no file'
	vmc u-extrarel --driver "$fb" --extra "$fb/test.sh:opt/x"
	expect u-extrarel 2 "usage: --extra to a relative guest path: exit 2" 'must be absolute'
	vmc u-stray --driver "$fb" stray
	expect u-stray 2 "usage: stray argument: exit 2" "unexpected argument 'stray'"
	vmc u-vga --driver "$fb" --vga frobvga
	expect u-vga 2 "usage: --vga frobvga: exit 2, the device types listed" 'use one of: .*qxl'
	vmc u-checkdarg --driver "$fb" --checkd-arg --might-sleep --checkd-arg none --checkd-arg --json
	expect u-checkdarg 2 "usage: --checkd-arg --json (vmcheck's own output): exit 2" \
		"'--json' is not one of iomap-checkd's rule or hook options"
	vmc u-strategy --driver "$fb" --strategy fixmap
	expect u-strategy 2 "usage: --strategy fixmap: exit 2, the strategies listed" \
		"use premap, permap or window, not 'fixmap'"
	grep -qE -- '--strategy S' "$logs/help.out" ||
		not_ok "vmcheck --help lists --strategy" "missing in --help"
	vmc u-checkdctl --driver "$fb" --checkd-arg "$(printf 'lifo\nx')"
	expect u-checkdctl 2 "usage: --checkd-arg with a newline: exit 2" 'control character'
	grep -qE -- '--checkd-arg ARG' "$logs/help.out" ||
		not_ok "vmcheck --help lists --checkd-arg" "missing in --help"
	grep -qE -- '--vga TYPE' "$logs/help.out" && grep -qE -- '--qemu-arg ARG' "$logs/help.out" &&
		grep -qE -- '6\.1-generic' "$logs/help.out" ||
		not_ok "vmcheck --help lists --vga, --qemu-arg and the generic kernels" "missing in --help"

	closure
	make_quoting

	# Built against $KERNEL (a cloud one in make check): modpost records
	# the dependency from absent.symvers; no kernel has that module.
	vmc missing --driver "$drivers/needsmissing" --run true --out "$logs/missing"
	expect missing 7 "a driver that needs a module the kernel lacks: exit 7, the module named" \
		"needs module 'iomc_absent_module', which kernel .* does not have"
	grep -q '^not ok 1 dependencies: needsmissing' "$logs/missing.out" ||
		not_ok "missing dependency: KTAP 'not ok dependencies' on stdout" "missing"

	# The DRM example on a cloud kernel (make check's $KERNEL): no DRM
	# there, modpost fails; the message points at the generic flavor.
	case "${KERNEL:-6.1}" in
	*-generic | *[0-9]-amd64) ;;
	*)
		vmc drm-cloud --driver "$drivers/vramcopy" --run true --out "$logs/drm-cloud"
		expect drm-cloud 7 "a DRM driver on a cloud kernel: exit 7, the generic flavor suggested" \
			'^# the generic flavor has them all: --kernel 6\.[0-9]+-generic' "$logs/drm-cloud.out" ;;
	esac

	# from a directory whose path has a blank, | and & (one compile for both)
	local odd="$logs/odd dir | a&b"
	rm -rf "$odd"
	mkdir -p "$odd"
	cp -r "$drivers/broken" "$odd/"
	vmc broken --driver "$odd/broken" --run true --out "$logs/broken"
	expect broken 7 "a driver that does not compile, path with ' ', | and &: exit 7 with gcc's message naming it" \
		"odd dir \\| a&b/broken/broken\.c:14:[0-9]+: error: [^ ]*broken_apperture[^ ]* undeclared"
	grep -q '^not ok 1 build: broken' "$logs/broken.out" ||
		not_ok "broken driver: KTAP 'not ok build' on stdout" "missing"

	sigterm

	# set-up errors are 2 or 3 with a message, never 1 ("violations")
	: >"$logs/out-is-a-file"
	vmc u-outfile --driver "$fb" --out "$logs/out-is-a-file"
	expect u-outfile 2 "usage: --out on an existing file: exit 2" 'a file is in the way'
	vmc u-outproc --driver "$fb" --out /proc/iomc-no-such-dir/logs
	expect u-outproc 2 "usage: --out not writable: exit 2" 'cannot create or write'
	# a full disk under --out: said, exit 3, never "the driver does not
	# compile" (the copy of the sources fails, and so does the build log)
	local full=$logs/full
	mkdir -p "$full"
	if mount -t tmpfs -o size=64k tmpfs "$full" 2>/dev/null; then
		dd if=/dev/zero of="$full/fill" bs=4k 2>/dev/null
		vmc full --driver "$fb" --out "$full/out"
		umount "$full"
		expect full 3 "--out on a full disk: exit 3, the write error named" \
			'No space left on device'
	else
		results+=("ok N --out on a full disk # SKIP no tmpfs mount (not root)")
	fi
	finish
}

# make vmcheck hands every variable to iomap-vmcheck as words, never as
# shell text: backticks and $(...) in QEMU_ARGS do not run on the host,
# "a(b)" is no syntax error, EXTRA's file "a(b)" arrives; VMCHECK_TIMEOUT=08
# is 8 s (bash arithmetic read it as bad octal and vm.sh ran with its
# defaults); the logs of an earlier run are never read. The real recipe,
# tool and harness, up to QEMU: IOMC_QEMU=/bin/false, no guest boots.
make_quoting() {
	local c=$logs/canary rel mk=(env -u MAKEFLAGS -u MAKELEVEL make -C "$top" --no-print-directory
		BUILD="$build" ABS_BUILD="$build")
	rm -rf "$c" && mkdir -p "$c" && : >"$c/a(b)"
	rel=$("$top/scripts/fetch-kernel.sh" "${KERNEL:-6.1}" "$build/kernel") ||
		{ not_ok "make vmcheck quoting" "no kernel ${KERNEL:-6.1}"; return; }
	# an earlier run's violation, left in the logs
	mkdir -p "$build/vmcheck/fbcopy-$rel/vm"
	echo '{"rule":"stale_from_an_earlier_run"}' >"$build/vmcheck/fbcopy-$rel/vm/json.log"
	IOMC_QEMU=/bin/false "${mk[@]}" vmcheck DRIVER="$drivers/fbcopy" RUN=true VMCHECK_TIMEOUT=08 \
		"QEMU_ARGS=-device a(b) \`touch $c/backtick\` \$\$(touch $c/dollar)" \
		"EXTRA=$c/a(b):/opt/a(b)" >"$logs/make-quoting.out" 2>"$logs/make-quoting.err"
	rc=$?
	if [ -e "$c/backtick" ] || [ -e "$c/dollar" ]; then
		not_ok "make vmcheck QEMU_ARGS: no host command runs" "$(ls "$c" | tr '\n' ' ')"
	else
		ok "make vmcheck QEMU_ARGS: no host command runs"
	fi
	expect make-quoting 2 "make vmcheck QEMU_ARGS: the words reach QEMU's command line intact" \
		"^# vm: .*, -device a\(b\) \`touch $c/backtick\` \\\$\(touch $c/dollar\), modes vmcheck,"
	expect make-quoting 2 "make vmcheck VMCHECK_TIMEOUT=08: 8 s (vm.sh's limit 248 s, not its default)" \
		"^# vm: .*, modes vmcheck, timeout 248s,"
	[ -f "$build/vmcheck/fbcopy-$rel/vm/initramfs.d/opt/a(b)" ] &&
		ok "make vmcheck EXTRA: the file 'a(b)' reaches the guest's /opt/a(b)" ||
		not_ok "make vmcheck EXTRA: the file 'a(b)' reaches the guest's /opt/a(b)" "not in the initramfs"
	expect make-quoting 2 "vmcheck reads no log of an earlier run (QEMU did not start: exit 3)" \
		'guest boot failure or timeout .*\(exit 3\)'
	! grep -q stale_from_an_earlier_run "$logs/make-quoting.out" ||
		not_ok "vmcheck reads no log of an earlier run" "the stale violation was printed"

	# MODULE_PARAMS, APPEND, KERNEL_MODULES: one option per word, each
	# reaching the guest's files (params, conf) or QEMU's command line;
	# iomap_check.strategy is --strategy (the insmod of iomap_check.ko).
	local v=$build/vmcheck/fbcopy-$rel
	rm -rf "$v"
	IOMC_QEMU=/bin/false "${mk[@]}" vmcheck DRIVER="$drivers/fbcopy" KERNEL_MODULES=nd_pmem \
		"MODULE_PARAMS=fbcopy.size=\$\$(>$c/mparam) nd-pmem.x=1 iomap_check.strategy=window" \
		"APPEND=memmap=4K\$\$0x30000000 iomc_x=\`>$c/append\`" \
		>"$logs/make-pass.out" 2>"$logs/make-pass.err"
	rc=$?
	expect make-pass 2 "make vmcheck MODULE_PARAMS/APPEND/KERNEL_MODULES: up to QEMU (exit 3 inside)" \
		'guest boot failure or timeout .*\(exit 3\)'
	if [ "$(cat "$v/params" 2>/dev/null)" = "$(printf 'fbcopy size=$(>%s/mparam)\nnd_pmem x=1' "$c")" ] &&
		grep -qx 'STRATEGY=window' "$v/conf" && grep -qx "DRIVER_KOS='nd_pmem.ko fbcopy.ko '" "$v/conf" &&
		grep -qF -- "memmap=4K\$0x30000000 iomc_x=\`>$c/append\`" "$v/vm/cmdline" &&
		[ ! -e "$c/mparam" ] && [ ! -e "$c/append" ]; then
		ok "make vmcheck MODULE_PARAMS, APPEND, KERNEL_MODULES reach the guest's params, conf and command line as words"
	else
		not_ok "make vmcheck MODULE_PARAMS, APPEND, KERNEL_MODULES reach the guest's params, conf and command line as words" \
			"see $v/params, $v/conf, $v/vm/cmdline"
	fi
	vmc u-strat-param --driver "$drivers/fbcopy" --strategy permap --module-param iomap_check.strategy=window
	expect u-strat-param 2 "usage: --module-param iomap_check.strategy contradicting --strategy: exit 2" \
		'iomap_check.strategy=window contradicts --strategy permap'

	IOMC_QEMU=/bin/false "${mk[@]}" vmcheck DRIVER="$drivers/fbcopy" "VGA=std\`touch $c/vga\`" \
		>"$logs/make-vga.out" 2>"$logs/make-vga.err"
	rc=$?
	expect make-vga 2 "make vmcheck VGA with a backtick: refused, the literal value named, nothing run" \
		"--vga: use one of: .*; not 'std\`touch $c/vga\`'"
	[ ! -e "$c/vga" ] || not_ok "make vmcheck VGA: no host command runs" "it ran"
	"${mk[@]}" vmcheck DRIVER="$drivers/fbcopy" "KERNEL=6.1\`touch $c/kernel\`" \
		>"$logs/make-kernel.out" 2>"$logs/make-kernel.err"
	rc=$?
	expect make-kernel 2 "make KERNEL with a backtick: refused when the Makefile is read" \
		"KERNEL='6.1\`touch $c/kernel\`': use 6.1"
	[ ! -e "$c/kernel" ] || not_ok "make KERNEL: no host command runs" "it ran"
}

# A CI job's SIGTERM while the guest runs: QEMU (a stand-in that sleeps)
# is stopped with it, and iomap-vmcheck exits 130 saying so, never hangs.
sigterm() {
	local q=$logs/sigterm-qemu p i
	rm -f "$q.pid"
	printf '%s\n' '#!/bin/sh' 'case "$*" in *"-vga help"*) echo "std  standard VGA"; exit 0 ;; esac' \
		"echo \$\$ >'$q.pid'" 'exec sleep 300' >"$q"
	chmod +x "$q"
	# the signal to iomap-vmcheck alone (its wrapper execs it), not to its
	# process group: it must pass it on; killed if it hangs
	IOMC_QEMU=$q "$vmcheck" --driver "$drivers/fbcopy" --out "$logs/sigterm" \
		>"$logs/sigterm.out" 2>"$logs/sigterm.err" &
	p=$!
	for i in $(seq 240); do [ -s "$q.pid" ] && break; sleep 0.5; done
	kill -TERM "$p"
	for i in $(seq 120); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
	kill -0 "$p" 2>/dev/null && kill -9 "$p"
	wait "$p"
	rc=$?
	# stopped: gone, or a zombie its new parent has not reaped yet
	running() { [ -e "/proc/$1" ] && [ "$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
	for i in $(seq 20); do running "$(cat "$q.pid")" || break; sleep 0.5; done
	if [ ! -s "$q.pid" ]; then
		not_ok "SIGTERM while the guest runs: QEMU stopped, exit 130" "QEMU never started"
	elif running "$(cat "$q.pid")"; then
		kill "$(cat "$q.pid")"
		not_ok "SIGTERM while the guest runs: QEMU stopped, exit 130" "QEMU still runs 10 s later (exit $rc)"
	else
		expect sigterm 130 "SIGTERM while the guest runs: QEMU stopped, exit 130" 'stopped by signal 15'
	fi
}

# The module closure (vm/iomcvm/closure.py) on a made-up modules tree: load order, the
# driver's own modules and iomap_check left out, depmod when modules.dep is
# missing, a missing module named (exit 1).
closure() {
	local t=$logs/closure r=$logs/closure/root m=9.9.9-iomc got
	mc() { PYTHONPATH=$top/vm python3 -B -m iomcvm closure "$@"; }
	rm -rf "$t" && mkdir -p "$r/lib/modules/$m/kernel/sub" "$t/drv"
	echo >"$t/empty.c"
	cc -c "$t/empty.c" -o "$t/empty.o" || { not_ok "module-closure: cc" "cannot compile"; return; }
	# fake_ko FILE DEPENDS: an ELF object with just a .modinfo section
	fake_ko() {
		printf 'depends=%s\0license=GPL\0' "$2" >"$t/mi"
		objcopy --add-section .modinfo="$t/mi" "$t/empty.o" "$1"
	}
	fake_ko "$r/lib/modules/$m/kernel/a-core.ko" ""
	fake_ko "$r/lib/modules/$m/kernel/sub/b.ko" "a_core"
	fake_ko "$r/lib/modules/$m/kernel/c.ko" "b,a-core"
	fake_ko "$t/drv/main.ko" "c,helper,iomap_check"
	fake_ko "$t/drv/helper.ko" "a_core"
	printf '%s\n' "kernel/c.ko: kernel/sub/b.ko kernel/a-core.ko" "kernel/sub/b.ko: kernel/a-core.ko" \
		"kernel/a-core.ko:" >"$r/lib/modules/$m/modules.dep"
	got=$(mc "$r/lib/modules/$m" "$t/drv/main.ko" "$t/drv/helper.ko" 2>&1 | sed "s|$r/lib/modules/$m/||" | tr '\n' ' ')
	if [ "$got" = "kernel/a-core.ko kernel/sub/b.ko kernel/c.ko " ]; then
		ok "module-closure: dependencies first, each once, the driver's own and iomap_check left out"
	else
		not_ok "module-closure: dependencies first, each once, the driver's own and iomap_check left out" "got '$got'"
	fi
	fake_ko "$t/drv/needy.ko" "c,nosuch-mod"
	got=$(mc "$r/lib/modules/$m" "$t/drv/needy.ko" 2>&1)
	if [ $? = 1 ] && grep -q "needs module 'nosuch_mod', which kernel $m does not have" <<<"$got"; then
		ok "module-closure: a missing module is named, exit 1"
	else
		not_ok "module-closure: a missing module is named, exit 1" "got '$got'"
	fi
	fake_ko "$t/drv/nodeps.ko" ""
	got=$(mc "$r/lib/modules/$m" "$t/drv/nodeps.ko" 2>&1)
	if [ $? = 0 ] && [ -z "$got" ]; then
		ok "module-closure: no dependency, no output"
	else
		not_ok "module-closure: no dependency, no output" "got '$got'"
	fi
	# No modules.dep (as the Debian packages ship it): depmod computes it.
	rm -f "$r/lib/modules/$m"/modules.*
	got=$(mc "$r/lib/modules/$m" "$t/drv/helper.ko" 2>&1)
	if [ $? = 0 ] && [ -s "$r/lib/modules/$m/modules.dep" ] && [ "${got##*/}" = a-core.ko ]; then
		ok "module-closure: no modules.dep: depmod -b computes it"
	else
		not_ok "module-closure: no modules.dep: depmod -b computes it" "got '$got'"
	fi
}

# json_check FILE RULE@FUNC...: every '{' line is one JSON object, and the
# set of (rule, function of site) is exactly the one given.
json_check() {
	python3 - "$@" <<'EOF'
import json, re, sys
f, want = sys.argv[1], set(sys.argv[2:])
got = set()
for n, line in enumerate(open(f), 1):
    if not line.startswith('{'):
        continue
    try:
        o = json.loads(line)
    except ValueError as e:
        print(f"line {n} is not one JSON object: {e}: {line[:80]!r}")
        sys.exit(1)
    if 'rule' not in o:
        continue    # the daemon's status, loss and summary objects
    site = o.get('site') or ''
    func = site.split('+')[0].split(' ')[0]
    # gcc's clones (.isra.0, .constprop.0, .part.0, .cold) are the same C function
    func = re.sub(r'\.(isra|constprop|part|cold|lto_priv)(\.[0-9]+)?$', '', func)
    got.add(f"{o.get('rule')}@{func}")
if got != want:
    print("got " + (",".join(sorted(got)) or "nothing") + "; want " + ",".join(sorted(want)))
    sys.exit(1)
EOF
}

guest() {
	local k1=${1:-6.1} k2=${2:-${1:-6.1}} fb=$drivers/fbcopy why
	local t=(--driver "$fb" --extra "$fb/test.sh:/opt/fbcopy-test.sh"
		--run 'sh /opt/fbcopy-test.sh')

	vmc clean-$k1 "${t[@]}" --kernel "$k1" --out "$logs/clean-$k1"
	expect clean-$k1 0 "fbcopy on $k1, clean: exit 0 (${secs}s)" \
		'^ok [0-9]+ .*run: RUN.*\(exit 0\)'
	if why=$(json_check "$logs/clean-$k1.out"); then
		ok "fbcopy on $k1, clean: no JSON report"
	else
		not_ok "fbcopy on $k1, clean: no JSON report" "$why"
	fi

	KCFLAGS=-DFBCOPY_INJECT_BUG vmc bug-$k2 "${t[@]}" --kernel "$k2" --out "$logs/bug-$k2"
	expect bug-$k2 1 "fbcopy on $k2 with FBCOPY_INJECT_BUG: exit 1 (${secs}s)"
	if why=$(json_check "$logs/bug-$k2.out" \
		might_sleep_in_atomic@fbcopy_write_page leak_on_free@fbcopy_remove); then
		ok "fbcopy on $k2 with FBCOPY_INJECT_BUG: JSON names the rules and functions"
	else
		not_ok "fbcopy on $k2 with FBCOPY_INJECT_BUG: JSON names the rules and functions" "$why"
	fi
	# The report comes on stdout, each JSON line intact; the run itself passed.
	grep -qE '^ok [0-9]+ .*run: RUN' "$logs/bug-$k2.out" ||
		not_ok "fbcopy on $k2 with FBCOPY_INJECT_BUG: RUN itself passed" "see $logs/bug-$k2.out"

	# The same driver build as the clean run (same --out): no rebuild. The
	# guest's own watchdog must end RUN (its TIMEOUT line), not the host's
	# limit on the whole guest.
	# keep the clean run's guest logs: the hang run reuses its directory
	rm -rf "$logs/clean-$k1/vm.clean"
	[ -d "$logs/clean-$k1/vm" ] && mv "$logs/clean-$k1/vm" "$logs/clean-$k1/vm.clean"
	# iomap_check's own parameters ride along: the strategy is the one
	# the module reports, fail_nth reaches its insmod.
	vmc hang-$k1 --driver "$fb" --run 'echo hanging; sleep 1000' --timeout 5 \
		--module-param iomap_check.strategy=window --module-param iomap-check.fail_nth=0 \
		--kernel "$k1" --out "$logs/clean-$k1"
	expect hang-$k1 3 "RUN that hangs on $k1: exit 3 after --timeout 5 (${secs}s)" \
		'^not ok [0-9]+ .*run: RUN.* # TIMEOUT after 5s \(killed\)'
	grep -qE '^ok [0-9]+ .*setup: insmod iomap_check\.ko \(strategy=window\)' "$logs/hang-$k1.out" &&
		grep -q 'insmod iomap_check parameters: fail_nth=0' "$logs/hang-$k1.out" &&
		ok "--module-param iomap_check.*: strategy=window taken by the module, fail_nth=0 given to its insmod" ||
		not_ok "--module-param iomap_check.*: strategy=window taken by the module, fail_nth=0 given to its insmod" \
			"see $logs/hang-$k1.out"

	# Error-path exploration: errpath leaks its first mapping only when
	# its second create fails. The normal run is clean; --inject-faults
	# finds the leak (leak_on_unload at the failed load, named by the
	# __init function that made the create) in injected run 2, and only
	# there; the fixed driver is clean in every run.
	local ep=$drivers/errpath
	vmc errpath-$k2 --driver "$ep" --inject-faults --timeout 30 --kernel "$k2" \
		--out "$logs/errpath-$k2"
	expect errpath-$k2 1 "errpath on $k2 --inject-faults: exit 1 (${secs}s)" \
		'^not ok [0-9]+ .*inject 2: create #2 failed at errpath_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[errpath\] # 1 violation'
	if why=$(json_check "$logs/errpath-$k2.out" leak_on_unload@errpath_init); then
		ok "errpath on $k2 --inject-faults: JSON names leak_on_unload at errpath_init"
	else
		not_ok "errpath on $k2 --inject-faults: JSON names leak_on_unload at errpath_init" "$why"
	fi
	# found only by the injection: nothing before the first injected run,
	# the create site symbolized (init text, gone by the time it is read)
	if awk '/^\{"type":"injected"/ { exit } /^\{"rule"/ { bad = 1 } END { exit bad }' \
		"$logs/errpath-$k2.out" &&
		grep -qE '^ok [0-9]+ .*inject 1: create #1 failed at errpath_init' "$logs/errpath-$k2.out" &&
		grep -qE '"rule":"leak_on_unload".*"site":"errpath_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[errpath\]".*"init_failed":true' \
			"$logs/errpath-$k2.out"; then
		ok "errpath on $k2: the normal run and injected run 1 clean, the leak named exactly"
	else
		not_ok "errpath on $k2: the normal run and injected run 1 clean, the leak named exactly" \
			"see $logs/errpath-$k2.out"
	fi
	# on K1 given as a kernel build tree (--kernel PATH; buildtree below)
	local tree
	# (the same release as K1: iomap_check.ko is make's, kept up to date)
	if tree=$(buildtree "$k1") && mkdir -p "$logs/tcache" && ln -sfn "$build/obj" "$logs/tcache/obj"; then
		KCFLAGS=-DERRPATH_FIXED IOMC_CACHE=$logs/tcache vmc errpath-fixed-$k1 --driver "$ep" \
			--inject-faults --timeout 30 --kernel "$tree" --checkd "$build/bin/iomap-checkd" \
			--out "$logs/errpath-fixed-$k1"
		expect errpath-fixed-$k1 0 "errpath fixed on $k1 as a build tree (--kernel PATH) --inject-faults: exit 0 (${secs}s)" \
			'^ok [0-9]+ .*inject 2: create #2 failed at errpath_init\+'
		local trel
		trel=$(cat "$tree/include/config/kernel.release")
		[ -L "$logs/tcache/kernel/$trel/root/lib/modules/$trel/kernel/drivers/nvdimm/nd_pmem.ko" ] &&
			grep -q "nd_pmem.ko:.*libnvdimm.ko" "$logs/tcache/kernel/$trel/root/lib/modules/$trel/modules.dep" &&
			ok "build tree: its modules (modules.order) staged for the guest" ||
			not_ok "build tree: its modules (modules.order) staged for the guest" "no nd_pmem.ko in $logs/tcache"
	else
		not_ok "errpath fixed on $k1 as a build tree" "cannot make the tree in $logs"
	fi
	memmapres "$k1"
	[ -z "${3:-}" ] || drm "$3"
	case "${3:-}" in 6.1-generic | 6.1.*-amd64) vmwgfx "$3" ;; esac
	finish
}

# What real drivers need, in one boot of K: memmapres memremaps a range the
# kernel command line reserved (--append memmap=4K$...), given as a module
# parameter (--module-param, '-' and '_' alike), from two modules whose
# Kbuild lists them out of dependency order; the kernel's own nd_pmem and
# nd_e820 (--kernel-module, unchanged) with a legacy pmem region (another
# --append) alongside. All of it correct: exit 0, nothing reported.
#
# The kernel is given as a path: an install root (boot/vmlinuz-REL,
# boot/config-REL, lib/modules/REL/ with build -> /usr/src/linux-headers-REL
# read inside the root) made from K's Debian packages, with a cache of its
# own (IOMC_CACHE): iomap_check.ko is built against its headers there.
memmapres() {
	local k=$1 d=$drivers/memmapres iroot
	if ! iroot=$(instroot "$k"); then
		not_ok "memmapres on $k: an install root from $k's packages" "cannot make it in $logs"
		return
	fi
	IOMC_CACHE=$logs/icache vmc memmapres-$k --driver "$d" --kernel "$iroot" --timeout 60 \
		--checkd "$build/bin/iomap-checkd" \
		--append 'memmap=4K$0x30000000' --append 'memmap=16M!0x32000000' \
		--module-param memmapres_core.phys=0x30000000 --module-param memmapres-core.size=4096 \
		--kernel-module nd_pmem --kernel-module drivers/nvdimm/nd_e820.ko \
		--extra "$d/test.sh:/opt/memmapres-test.sh" --run 'sh /opt/memmapres-test.sh' \
		--out "$logs/memmapres-$k"
	expect memmapres-$k 0 "memmapres on $k's install root (--kernel PATH): --append, --module-param, --kernel-module, two modules: exit 0 (${secs}s)" \
		'^# \| memmapres: parameter, command line, load order and pmem ok'
	local o=$logs/memmapres-$k.out order
	# (the runner's own "setup: insmod" of dependencies and iomap_check.ko aside)
	order=$(grep -oE '^ok [0-9]+ .*vmcheck: insmod [a-z_0-9]+\.ko' "$o" | sed 's/.*insmod //' | tr '\n' ' ')
	if [ "$order" = "nd_pmem.ko nd_e820.ko memmapres_core.ko memmapres_user.ko " ] &&
		grep -q 'insmod memmapres_core parameters: phys=0x30000000 size=4096' "$o" &&
		! grep -q '^{"rule"' "$o" && grep -qE '"memremap_events":[1-9]' "$o"; then
		ok "memmapres on $k: modules under test in order ($order), parameters given, memremaps seen, no report"
	else
		not_ok "memmapres on $k: modules under test in order, parameters given, memremaps seen, no report" \
			"order '$order'; see $o"
	fi
}

# instroot K: print the path of an install root made from the fetched
# Debian kernel K (hard links where the filesystem allows), $logs/instroot-K.
instroot() {
	local k=$1 rel src r
	rel=$("$top/scripts/fetch-kernel.sh" "$k" "$build/kernel") || return 1
	src=$(readlink -f "$build/kernel/$rel")
	r=$logs/instroot-$k
	rm -rf "$r" && mkdir -p "$r/boot" "$r/lib/modules" || return 1
	cp -L "$src/vmlinuz" "$r/boot/vmlinuz-$rel" && cp -L "$src/config" "$r/boot/config-$rel" || return 1
	cp -al "$src/root/lib/modules/$rel" "$r/lib/modules/" 2>/dev/null || cp -a "$src/root/lib/modules/$rel" "$r/lib/modules/" || return 1
	cp -al "$src/root/usr" "$r/usr" 2>/dev/null || cp -a "$src/root/usr" "$r/usr" || return 1
	echo "$r"
}

# buildtree K: print the path of a kernel build tree made of the fetched
# Debian kernel K, for --kernel PATH: the layout a developer's `make` leaves
# (arch/x86/boot/bzImage, .config, vmlinux, Module.symvers,
# include/config/kernel.release, modules.order and the .ko files it names)
# around the real Kbuild of K's headers, so that iomap_check.ko and the
# driver are built the way a build tree builds them. Faked, but only in
# where the files come from: compiling a kernel does not fit make check's
# budget (make check-kernel-tree builds one: test.sh tree).
buildtree() {
	local k=$1 rel src t h m
	rel=$("$top/scripts/fetch-kernel.sh" "$k" "$build/kernel") || return 1
	src=$(readlink -f "$build/kernel/$rel")
	t=$logs/buildtree-$k
	rm -rf "$t" && mkdir -p "$t" || return 1
	# hard links where possible: files replaced below are removed first,
	# never written through (they are the kernel cache's)
	cp -al "$src/root/usr" "$t/usr" 2>/dev/null || cp -a "$src/root/usr" "$t/usr" || return 1
	h=$t/usr/src/linux-headers-$rel
	[ -f "$h/include/config/kernel.release" ] && [ -f "$h/Module.symvers" ] || return 1
	mkdir -p "$h/arch/x86/boot" && cp -L "$src/vmlinuz" "$h/arch/x86/boot/bzImage" || return 1
	rm -f "$h/.config" "$h/vmlinux" && cp -L "$src/config" "$h/.config" && cp -L "$src/vmlinux" "$h/vmlinux" || return 1
	# Debian's headers say 6.1.192 here; a tree's own build says uname -r
	rm -f "$h/include/config/kernel.release" && echo "$rel" >"$h/include/config/kernel.release" || return 1
	: >"$h/modules.order"
	for m in drivers/nvdimm/libnvdimm drivers/nvdimm/nd_pmem; do
		[ -f "$src/root/lib/modules/$rel/kernel/$m.ko" ] || return 1
		mkdir -p "$h/$(dirname "$m")" && cp "$src/root/lib/modules/$rel/kernel/$m.ko" "$h/$m.ko" || return 1
		echo "$m.o" >>"$h/modules.order"
	done
	echo "$h"
}

# make check-kernel-tree: a kernel built from source (scripts/kernel-tree.sh,
# cached in $build/kernel-tree), then the guest check mode (the scenario
# driver, vm.sh --kernel PATH, with make's VM_ARGS in $TREE_VM_ARGS) and
# fbcopy clean (iomap-vmcheck --kernel PATH) on it. Each kernel gets a cache
# of its own ($logs/ktcache): the tree is never written to.
tree() {
	local t0=$SECONDS tree rel kc=$logs/ktcache v
	if ! tree=$(IOMC_APT_LOCK=${IOMC_APT_LOCK:-} "$top/scripts/kernel-tree.sh" "$build/kernel-tree" 2>"$logs/kernel-tree.err"); then
		not_ok "kernel build tree from linux-source-6.12" "$(tail -n 3 "$logs/kernel-tree.err" | tr '\n' ' ')"
		finish
	fi
	rel=$(cat "$tree/include/config/kernel.release")
	ok "kernel build tree $rel from linux-source-6.12, minimal config + --kconfig ($((SECONDS - t0)) s; cached after the first)"
	mkdir -p "$kc" && ln -sfn "$build/obj" "$kc/obj"
	if ! KCACHE=$kc/kernel "$top/scripts/fetch-kernel.sh" "$tree" "$kc/kernel" >/dev/null 2>"$logs/tree-import.err" ||
		! KCACHE=$kc/kernel "$top/kmod/build.sh" "$rel" "$build/obj/$rel/kmod" >"$logs/tree-kmod.log" 2>&1; then
		not_ok "iomap_check.ko and the scenario driver built against $rel" "see $logs/tree-import.err, $logs/tree-kmod.log"
		finish
	fi
	ok "iomap_check.ko and the scenario driver built against $rel"
	t0=$SECONDS
	# shellcheck disable=SC2086 # make's VM_ARGS: words
	KCACHE=$kc/kernel "$top/vm/vm.sh" --kernel "$tree" --mode check --timeout 900 --label "tree/$rel" \
		--out "$logs/tree-check" ${TREE_VM_ARGS:-} >"$logs/tree-check.out" 2>"$logs/tree-check.err"
	rc=$?
	v=$(grep -cE '^ *ok ' "$logs/tree-check.out")
	expect tree-check 0 "guest check mode (the scenario driver, iomap-checkd) on the build tree $rel: exit 0, $v ok ($((SECONDS - t0)) s)" \
		'^ok [0-9]+ .*guest boot to verdict'
	local fb=$drivers/fbcopy
	IOMC_CACHE=$kc vmc tree-fbcopy --driver "$fb" --extra "$fb/test.sh:/opt/fbcopy-test.sh" \
		--run 'sh /opt/fbcopy-test.sh' --kernel "$tree" --checkd "$build/bin/iomap-checkd" --out "$logs/tree-fbcopy"
	expect tree-fbcopy 0 "fbcopy on the build tree $rel (iomap-vmcheck --kernel PATH), clean: exit 0 (${secs}s)" \
		'^ok [0-9]+ .*run: RUN.*\(exit 0\)'
	finish
}

# vramcopy's test program, static for the guest; sets vt or says why not.
vt_build() {
	local d=$drivers/vramcopy
	vt=$logs/vramcopy-test
	cc -static -O2 -Wall -Wextra -Werror -I"$d" -o "$vt" "$d/test.c" 2>"$logs/vramcopy-test.err"
}

# The DRM example on the generic kernel G: its dependency drm.ko resolved
# and loaded, its device picked with --vga.
drm() {
	local g=$1 vc=$drivers/vramcopy why
	if ! vt_build; then
		not_ok "vramcopy's test program builds (cc -static)" "$(head -n 3 "$logs/vramcopy-test.err" | tr '\n' ' ')"
		return
	fi
	local t=(--driver "$vc" --kernel "$g" --extra "$vt:/opt/vramcopy-test" --run /opt/vramcopy-test)

	# No VGA, a QXL device by --qemu-arg: both options in one boot.
	vmc drm-clean-$g "${t[@]}" --vga none --qemu-arg -device --qemu-arg qxl \
		--out "$logs/drm-clean-$g"
	expect drm-clean-$g 0 "vramcopy (DRM) on $g, --vga none --qemu-arg -device --qemu-arg qxl, clean: exit 0 (${secs}s)" \
		'^ok [0-9]+ .*run: RUN.*\(exit 0\)'
	grep -qE '^ok [0-9]+ .*setup: insmod dependency drm\.ko' "$logs/drm-clean-$g.out" &&
		grep -q 'aperture .* (BAR 1)' "$logs/drm-clean-$g/vm/console.log" ||
		not_ok "vramcopy on $g: drm.ko loaded first, the driver bound QXL's BAR 1" "see $logs/drm-clean-$g"
	if why=$(json_check "$logs/drm-clean-$g.out"); then
		ok "vramcopy (DRM) on $g, clean: no JSON report"
	else
		not_ok "vramcopy (DRM) on $g, clean: no JSON report" "$why"
	fi

	KCFLAGS=-DVRAMCOPY_INJECT_BUG vmc drm-bug-$g "${t[@]}" --out "$logs/drm-bug-$g"
	expect drm-bug-$g 1 "vramcopy (DRM) on $g, std VGA, with VRAMCOPY_INJECT_BUG: exit 1 (${secs}s)"
	if why=$(json_check "$logs/drm-bug-$g.out" \
		might_sleep_in_atomic@vramcopy_pwrite_page leak_on_free@vramcopy_release); then
		ok "vramcopy (DRM) on $g with VRAMCOPY_INJECT_BUG: JSON names the rules and functions"
	else
		not_ok "vramcopy (DRM) on $g with VRAMCOPY_INJECT_BUG: JSON names the rules and functions" "$why"
	fi
	grep -q 'aperture .* (BAR 0)' "$logs/drm-bug-$g/vm/console.log" ||
		not_ok "vramcopy on $g, std VGA: the driver bound BAR 0" "see $logs/drm-bug-$g"
}

# The kernel's own vmwgfx on the generic kernel G with QEMU's -vga vmware:
# its probe devm_memremaps the FIFO BAR, then fails (no pitchlock), and
# devres unmaps the FIFO (devm_memremap_release; memunmap is inlined there
# on 6.1). The checker must report nothing, at vmwgfx's unload either
# (it said leak_on_unload before it hooked the release), with the default
# might-sleep coverage (every might_sleep()). The options reach the guest's
# checker: --checkd-arg --disable --checkd-arg lifo.
vmwgfx() {
	local g=$1 d=$drivers/vmwgfx-devres rel dir a=() m n
	rel=$(KCACHE=$build/kernel "$top/scripts/fetch-kernel.sh" "$g" "$build/kernel") || {
		not_ok "vmwgfx on $g: kernel" "cannot fetch $g"
		return
	}
	dir=$build/kernel/$rel/root/lib/modules/$rel/kernel/drivers/gpu/drm
	for m in drm drm_kms_helper ttm/ttm drm_ttm_helper vmwgfx/vmwgfx; do
		a+=(--extra "$dir/$m.ko:/opt/$(basename "$m").ko")
	done
	vmc vmwgfx-$g --driver "$d" --kernel "$g" --vga vmware "${a[@]}" \
		--extra "$d/test.sh:/opt/vmwgfx-test.sh" --run 'sh /opt/vmwgfx-test.sh' \
		--checkd-arg --disable --checkd-arg lifo --out "$logs/vmwgfx-$g"
	expect vmwgfx-$g 0 "vmwgfx on $g, -vga vmware: its failed probe's devm_memremap released by devres, nothing reported: exit 0 (${secs}s)" \
		'^ok [0-9]+ .*run: RUN.*\(exit 0\)'
	n=$(grep -o '"memremap_events":[0-9]*' "$logs/vmwgfx-$g.out" | tail -n1 | cut -d: -f2)
	if grep -q 'iomap-checkd options: --disable lifo' "$logs/vmwgfx-$g.out" &&
		grep -q 'might-sleep coverage: every might_sleep()' "$logs/vmwgfx-$g.out" &&
		[ "${n:-0}" -ge 2 ]; then
		ok "vmwgfx on $g: --checkd-arg reached the checker, which saw the map and its release ($n memremap calls)"
	else
		not_ok "vmwgfx on $g: --checkd-arg reached the checker, which saw the map and its release" \
			"options line, the might-sleep coverage line or memremap_events (${n:-none}) missing in $logs/vmwgfx-$g.out"
	fi
}

# make bench: one vramcopy check on the generic kernel G; its boot to
# verdict (from QEMU's start to the guest's last word) and the whole run.
bench() {
	local g=${1:-6.1-generic} vc=$drivers/vramcopy
	vt_build || { echo "bench-vmcheck: cannot build vramcopy's test program" >&2; exit 3; }
	echo "# vmcheck bench: vramcopy (needs drm.ko) on $g, --vga qxl"
	vmc bench-$g --driver "$vc" --kernel "$g" --vga qxl --extra "$vt:/opt/vramcopy-test" \
		--run /opt/vramcopy-test --out "$logs/bench-$g"
	local v=$logs/bench-$g/vm
	if [ "$rc" != 0 ]; then
		echo "vmcheck bench: iomap-vmcheck exit $rc (see $logs/bench-$g.out)" >&2
		exit "$rc"
	fi
	read -r rel accel wall init outcome <"$v/info"
	printf 'vmcheck %-14s boot-to-verdict %6.1f s (%s, /init at %s s), whole run %d s, initramfs %d KiB, deps: %s\n' \
		"$g" "$wall" "$accel" "$init" "$secs" $(($(stat -c %s "$v"/initramfs.cpio.* | head -n1) / 1024)) \
		"$(sed -n "s/^DEP_KOS='\(.*\)'$/\1/p" "$logs/bench-$g/conf")"
}

case "${1:-}" in
host) host ;;
guest) shift; guest "$@" ;;
bench) shift; bench "$@" ;;
vmwgfx) shift; vmwgfx "${1:-6.1-generic}"; finish ;;
memmapres) shift; memmapres "${1:-6.1}"; finish ;;
tree) tree ;;
*) echo "usage: test.sh host | guest K1 [K2 [G]] | bench G | vmwgfx G | memmapres K | tree" >&2; exit 2 ;;
esac
