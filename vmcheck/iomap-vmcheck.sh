#!/usr/bin/env bash
# iomap-vmcheck: check a driver's io_mapping use in a QEMU guest, for CI.
#
# Builds the out-of-tree driver in --driver against a pinned Debian kernel
# (cloud by default; the generic flavor for drivers that need DRM and the
# like) with iomap-check's drop-in <linux/io-mapping.h> forced in (no
# source change), boots that kernel in QEMU with iomap_check.ko and the
# iomap-checkd daemon attached, loads the in-kernel modules the driver
# depends on (its modinfo depends=, resolved against the kernel's own
# modules.dep by the runner's closure: vm/iomcvm/closure.py), loads the driver, runs --run
# (the driver's own test) as a shell command in the guest, unloads the
# driver (leaks at free and unload count too) and stops the checker. The
# guest's display device is QEMU's standard VGA (PCI 1234:1111: its BAR 0,
# a prefetchable framebuffer, is there for the driver as an aperture)
# unless --vga names another one.
#
# The host side of vm/guest/vmcheck.sh; it boots through vm/vm.sh.
set -euo pipefail

prog=iomap-vmcheck

# one write: a reader that stops early (grep -q) must not cut it (pipefail);
# bash's printf writes line by line, cat copies a here-string in one write
usage() {
	local text
	text=$(usage_text)
	cat <<<"$text"
}
usage_text() {
	cat <<EOF
usage: $prog --driver DIR [--run CMD] [options]
       $prog --kernel-module NAME [--run CMD] [options]

Check a Linux driver's io_mapping use in a QEMU guest with iomap-checkd.

  -d, --driver DIR        the driver's source: a directory with a Kbuild
                          (or a Makefile with obj-m); built with the drop-in
                          io-mapping.h forced in, sources untouched; a
                          Kbuild with several obj-m modules: all are
                          loaded, each after the ones it depends on
      --kernel-module NAME
                          the driver under test is the guest kernel's own
                          module NAME (vmwgfx, or a path under the modules'
                          kernel/: drivers/nvdimm/nd_pmem.ko), loaded
                          unchanged after the checker attached, with the
                          in-kernel modules it needs; repeatable, loaded
                          in the order given, before --driver's modules
                          (--driver is then optional)
      --module-param MODULE.NAME=VALUE
                          load module MODULE (the driver's, a
                          --kernel-module, or a dependency) with parameter
                          NAME=VALUE; repeatable, in order (e.g.
                          --module-param slram.map=ram,0x30000000,+4096);
                          iomap_check's too (iomap_check.strategy=S is
                          --strategy S)
      --append ARGS       more words for the guest kernel's command line
                          (repeatable; e.g. --append 'memmap=4K\$0x30000000')
  -r, --run CMD           shell command run in the guest (busybox sh, root,
                          cwd /tmp) once the driver is loaded: the driver's
                          own test (default: none, load and unload only)
  -k, --kernel K          guest kernel: 6.1 (default) or 6.12, Debian's
                          cloud flavor (small, no DRM); 6.1-generic or
                          6.12-generic, the generic flavor (every driver
                          as a module: DRM, TTM, ...); unstable or
                          unstable-generic, Debian unstable's newest kernel
                          (7.x; its modules built in a Debian-unstable
                          chroot made with mmdebstrap, cached); or an exact
                          release of one (6.1.0-57-cloud-amd64,
                          6.1.0-57-amd64, 6.12.118+deb12-amd64); or PATH,
                          your own kernel:
                          a build tree (arch/x86/boot/bzImage, .config,
                          vmlinux, Module.symvers, modules.order) or an
                          install root (boot/vmlinuz-REL, boot/config-REL,
                          lib/modules/REL/ with build or --kdir); its
                          config is checked before anything boots
      --kdir DIR          the headers (kernel build tree) for an install
                          root given as --kernel PATH
      --kconfig           print a config fragment with every option the
                          checker and its guest need, and exit
      --vga TYPE          the guest's display device, QEMU's -vga TYPE:
                          std (default; PCI 1234:1111, bochs), qxl, virtio,
                          cirrus, vmware or none
      --qemu-arg ARG      one more word for QEMU's command line, appended
                          verbatim (repeatable: --qemu-arg -device
                          --qemu-arg qxl gives a second qxl device)
  -t, --timeout S         seconds RUN may take (1 to 86400); then it is
                          killed and the check fails with status 3
                          (default 300)
  -e, --extra F[:PATH]    copy host file F into the guest at PATH (default
                          /opt/BASENAME of F); repeatable: test programs
                          (static), firmware, data
  -o, --out DIR           build outputs and logs (default: a directory per
                          driver and kernel in the cache, printed on stderr)
  -i, --inject-faults     error-path exploration: after the normal run, for
                          k = 1..n (n = the io_mapping_create_wc/init_wc
                          calls the driver made while loading), load it
                          again with the k-th of them failing (NULL, as
                          when ioremap fails; iomap_check.ko's fail_nth),
                          run RUN, unload it; one KTAP result per run
      --strategy S        iomap_check.ko's strategy: premap (the default),
                          permap, or window (every local/atomic map gets
                          its own page, cleared at unmap: a use after
                          unmap is reported as use_after_unmap)
      --checkd FILE       the static iomap-checkd to run in the guest
      --checkd-arg ARG    one more argument for the guest's iomap-checkd
                          (repeatable, in order): its rule and hook options
                          --disable/-d, --depth-limit, --might-sleep,
                          --all, --ringbuf-size and their values, e.g.
                          --checkd-arg --might-sleep --checkd-arg none
  -q, --quiet             print only the verdict and what failed
  -h, --help              this help
  -V, --version           the version

Prints on stdout: iomap-checkd's human reports; what the kernel itself
flagged in the guest (WARN, BUG, scheduling while atomic, oops) with the
report; the checker's JSON lines, one object per line starting with '{';
then the KTAP results of the steps (setup, insmod, run, rmmod, inject,
checker). With --inject-faults each injected run's reports follow a line
naming the failure ("create #2 failed at probe+0x5c/0x1a0 [drv]"), and the
exit status covers every run.
The build's output goes to stderr.

EOF
	iomc_exit_help OK VIOLATION USAGE SETUP UNCHECKED KERNEL_CRASH BUILD
	cat <<EOF
(1: io_mapping rule violations (iomap-checkd), a WARN/BUG reported by the
kernel, or a failed step: insmod, RUN exited non-zero, rmmod; 2: a bad
option or value, a --kernel-module the kernel does not have; 3: kernel
fetch, QEMU boot, a dependency that does not load in the guest, or a
timeout: RUN longer than --timeout, or the guest hung; 4: iomap-checkd did
not attach; 7: the driver does not build (the compiler's messages are
shown), or it depends on a module the guest kernel does not have (named;
e.g. drm on a cloud kernel: use --kernel 6.1-generic).)

Example, a DRM driver for QEMU's qxl device on the generic kernel:
  $prog --kernel 6.1-generic --vga qxl --driver drivers/gpu/drm/qxl \\
      --run 'cat /sys/class/drm/card0/dev'
Example, a driver that memremaps a reserved range given as a parameter:
  $prog --driver memmapres --append 'memmap=4K\$0x30000000' \\
      --module-param memmapres_core.phys=0x30000000
Example, the kernel's own vmwgfx, unchanged, on an emulated VMware SVGA:
  $prog --kernel 6.1-generic --vga vmware --kernel-module vmwgfx

Environment:
  KCFLAGS           extra compiler flags for the driver (e.g. -DDEBUG)
  IOMC_CACHE        kernels and modules (default: the source tree's build/,
                    or \$XDG_CACHE_HOME/iomap-check when installed)
  IOMC_NO_CHECKD=1  development only: run without the checker (never for CI)
EOF
}

# ---- where things are --------------------------------------------------------
self=$(readlink -f "$0")
here=$(dirname "$self")
if [ -n "${IOMC_SHARE:-}" ]; then
	top=$IOMC_SHARE
elif [ -f "$here/../vm/vm.sh" ] && [ -f "$here/../kmod/build-driver.sh" ]; then
	top=$(cd "$here/.." && pwd)			# the source tree (vmcheck/)
else
	top=$(cd "$here/.." && pwd)/share/iomap-check	# installed (bin/)
fi
if [ -n "${IOMC_CACHE:-}" ]; then
	build=$IOMC_CACHE
elif [ -d "$top/.git" ] || [ -f "$top/Makefile" ]; then
	build=${ABS_BUILD:-$top/build}
else
	build=${XDG_CACHE_HOME:-$HOME/.cache}/iomap-check
fi
# A user's IOMC_CACHE holds its own kernels: it wins over the KCACHE that
# make exports to every recipe (a --kernel PATH release may not sit beside
# a Debian package of the same release in one cache).
if [ -n "${IOMC_CACHE:-}" ]; then
	kcache=$IOMC_CACHE/kernel
else
	kcache=${KCACHE:-$build/kernel}
fi
# The runner's facts (vm/iomcvm): kernels, exit statuses, closure, reports.
iomcvm() { PYTHONPATH=$top/vm${PYTHONPATH:+:$PYTHONPATH} python3 -B -m iomcvm "$@"; }
# the exit statuses every tool shares (IOMC_EXIT_*, iomc_exit_help for --help;
# include/iomap-check/exit_status.h)
. "$top/include/iomap-check/exit_status.sh"

# ---- output helpers -------------------------------------------------------------
quiet=0
note() { echo "$prog: $*" >&2; }
# fail STATUS WHAT WHY: a KTAP verdict for a run that ends before the guest.
fail() {
	echo "KTAP version 1"
	echo "1..1"
	echo "not ok 1 $2 # $3"
	note "$3"
	exit "$1"
}
usage_error() {
	note "$*"
	echo "Try '$prog --help'." >&2
	exit $IOMC_EXIT_USAGE
}
# Whatever else fails on the host before the guest is a set-up failure:
# status 3 with a message, never 1 (which means violations).
trap 'rc=$?; note "set-up failed (line $LINENO: exit $rc)"; exit $IOMC_EXIT_SETUP' ERR
# replace FROM TO: stdin with every FROM replaced by TO, literally (paths
# may hold any character, sed's delimiters and & included)
replace() {
	FROM=$1 TO=$2 awk '{
		out = ""; s = $0; f = ENVIRON["FROM"]; t = ENVIRON["TO"]
		while ((i = index(s, f)) > 0) { out = out substr(s, 1, i - 1) t; s = substr(s, i + length(f)) }
		print out s
	}'
}
# safe_name S: S with anything but [A-Za-z0-9._+-] as '_' (a make-safe path part)
safe_name() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+-' '_'; }
# decimal VALUE MAX: VALUE, a decimal number from 1 to MAX, printed without
# leading zeros (08 is 8: bash arithmetic would read it as octal and fail);
# status 1 if it is not one
decimal() {
	case "$1" in '' | *[!0-9]*) return 1 ;; esac
	local v=${1#"${1%%[!0]*}"}
	[ -n "$v" ] && [ ${#v} -le ${#2} ] && [ "$v" -le "$2" ] || return 1
	echo "$v"
}
# writable_dir DIR: create DIR if needed and prove it can be written
writable_dir() {
	mkdir -p -- "$1" 2>/dev/null && [ -d "$1" ] && : 2>/dev/null >"$1/.iomc-write-test" &&
		rm -f -- "$1/.iomc-write-test"
}

# ---- options ----------------------------------------------------------------------
opts=$(getopt -n "$prog" -o d:r:k:t:e:o:iqhV \
	-l driver:,run:,kernel:,timeout:,extra:,out:,checkd:,checkd-arg:,strategy:,inject-faults,vga:,qemu-arg:,quiet,help,version,module-param:,append:,kernel-module:,kdir:,kconfig -- "$@") ||
	{ echo "Try '$prog --help'." >&2; exit $IOMC_EXIT_USAGE; }
eval set -- "$opts"
driver= run= kernel=${KERNEL:-6.1} timeout=300 out= checkd=${IOMC_CHECKD:-} inject=0
vga=std strategy=
extras=() qemu_args=() checkd_args=() mparams=() appends=() kmods_own=() kdir=
while :; do
	case "$1" in
	-d | --driver) driver=$2; shift ;;
	-r | --run) run=$2; shift ;;
	-k | --kernel) kernel=$2; shift ;;
	-t | --timeout) timeout=$2; shift ;;
	-e | --extra) extras+=("$2"); shift ;;
	-o | --out) out=$2; shift ;;
	--checkd) checkd=$2; shift ;;
	--checkd-arg) checkd_args+=("$2"); shift ;;
	--strategy) strategy=$2; shift ;;
	-i | --inject-faults) inject=1 ;;
	--vga) vga=$2; shift ;;
	--qemu-arg) qemu_args+=("$2"); shift ;;
	--module-param) mparams+=("$2"); shift ;;
	--append) appends+=("$2"); shift ;;
	--kernel-module) kmods_own+=("$2"); shift ;;
	--kdir) kdir=$2; shift ;;
	--kconfig) iomcvm kconfig; exit $IOMC_EXIT_OK ;;
	-q | --quiet) quiet=1 ;;
	-h | --help) usage; exit $IOMC_EXIT_OK ;;
	-V | --version) echo "$prog $(cat "$top/VERSION")"; exit $IOMC_EXIT_OK ;;
	--) shift; break ;;
	esac
	shift
done
[ $# -eq 0 ] || usage_error "unexpected argument '$1'"
[ -n "$driver" ] || [ ${#kmods_own[@]} -gt 0 ] || usage_error "--driver DIR is required (or --kernel-module NAME)"
strategy_ok() {
	case $1 in
	premap | permap | window) ;;
	*) usage_error "$2: use premap, permap or window, not '${1//[[:cntrl:]]/?}'" ;;
	esac
}
[ -z "$strategy" ] || strategy_ok "$strategy" --strategy
# the same check as `iomap-check build-driver`, same words (a usage error)
[ -z "$driver" ] || "$top/kmod/build-driver.sh" --check "$prog" "$driver" || { echo "Try '$prog --help'." >&2; exit $IOMC_EXIT_USAGE; }
# A newline in a path would forge lines of the output (KTAP included) and
# of the logs: every path is refused with one.
no_ctrl() { # no_ctrl OPTION VALUE
	case "$2" in *[[:cntrl:]]*)
		usage_error "$1: '${2//[[:cntrl:]]/?}' has a control character" ;;
	esac
}
no_ctrl --out "$out"
no_ctrl --checkd "$checkd"
for e in "${extras[@]}"; do no_ctrl --extra "$e"; done
no_ctrl IOMC_CACHE "$build"
[ -z "$driver" ] || driver=$(cd "$driver" && pwd)
# --module-param MODULE.NAME=VALUE: a module name, a parameter name, any
# value without a control character (a value with blanks is quoted for
# the kernel's parser, which takes NAME="a b"). One "MODULE ARG" a line.
params=()
for p in "${mparams[@]}"; do
	[[ $p != *[[:cntrl:]\"]* ]] && [[ $p =~ ^([A-Za-z0-9_-]+)\.([A-Za-z0-9_.-]+)=(.*)$ ]] ||
		usage_error "--module-param: want MODULE.NAME=VALUE (no control character or '\"' in VALUE), not '${p//[[:cntrl:]]/?}'"
	v=${BASH_REMATCH[3]}
	m=$(echo "${BASH_REMATCH[1]}" | tr - _)
	# iomap_check.strategy is --strategy: the one value the guest's insmod
	# of iomap_check.ko takes (vmcheck.sh), and its KTAP line names it.
	if [ "$m.${BASH_REMATCH[2]}" = iomap_check.strategy ]; then
		strategy_ok "$v" "--module-param iomap_check.strategy"
		[ -z "$strategy" ] || [ "$strategy" = "$v" ] ||
			usage_error "--module-param iomap_check.strategy=$v contradicts --strategy $strategy"
		strategy=$v
		continue
	fi
	case "$v" in *[[:space:]]*) v="\"$v\"" ;; esac
	params+=("$m ${BASH_REMATCH[2]}=$v")
done
strategy=${strategy:-premap}
for a in "${appends[@]}" "${kmods_own[@]}"; do no_ctrl "--append/--kernel-module" "$a"; done
t=$(decimal "$timeout" 86400) ||
	usage_error "--timeout wants a positive number of seconds (decimal, at most 86400), not '$timeout'"
timeout=$t
iomcvm kernels --valid "$kernel" ||
	usage_error "--kernel: $(iomcvm kernels --usage), not '$kernel'"
# The display devices this QEMU has (its -vga help: "NAME  description").
vgas=$(${IOMC_QEMU:-qemu-system-x86_64} -vga help 2>/dev/null | awk 'NF > 1 { print $1 }' | tr '\n' ' ') || true
case " ${vgas:-none std cirrus vmware qxl virtio} " in
*" $vga "*) ;;
*) usage_error "--vga: use one of: ${vgas:-none std cirrus vmware qxl virtio}; not '$vga'" ;;
esac
# Extras: F[:PATH], PATH absolute, default /opt/BASENAME.
vm_extras=()
for e in "${extras[@]}"; do
	src=${e%%:*} dst=
	[ "$src" = "$e" ] || dst=${e#*:}
	[ -n "$src" ] && [ -f "$src" ] || usage_error "--extra: no file '$src'"
	dst=${dst:-/opt/$(basename "$src")}
	case "$dst" in
	/*) ;;
	*) usage_error "--extra: guest path '$dst' must be absolute" ;;
	esac
	case "$dst" in /vmcheck/* | /guest/* | /init | /bin/*)
		usage_error "--extra: guest path '$dst' is reserved" ;;
	esac
	vm_extras+=(--extra "$(cd "$(dirname "$src")" && pwd)/$(basename "$src"):$dst")
done

# --checkd-arg: the checker's rule and hook options only; its output, CI
# mode and COMMAND are vmcheck's own. One argument a line in the guest.
for a in "${checkd_args[@]}"; do
	case "$a" in
	*[[:cntrl:]]*) usage_error "--checkd-arg: a control character in '$(printf '%q' "$a")'" ;;
	-d* | --disable | --disable=* | --depth-limit | --depth-limit=* | --might-sleep | \
	--might-sleep=* | --all | --ringbuf-size | --ringbuf-size=* | [!-]*) ;;
	*) usage_error "--checkd-arg: '$a' is not one of iomap-checkd's rule or hook options (--disable, --depth-limit, --might-sleep, --all, --ringbuf-size, or a value)" ;;
	esac
done

if [ -n "$out" ]; then
	writable_dir "$out" ||
		usage_error "--out: cannot create or write the directory '$out'$([ -e "$out" ] && [ ! -d "$out" ] && echo ' (a file is in the way)')"
	out=$(cd "$out" && pwd)
fi

nocheckd=${IOMC_NO_CHECKD:-0}
[ "$nocheckd" = 1 ] && note "WARNING: IOMC_NO_CHECKD=1: no checker, nothing is checked (development only)"

# ---- kernel, iomap_check.ko, the checker ---------------------------------------------
# A path is the user's kernel: fetch-kernel.sh checks its config and links
# it into the cache (vm/iomcvm/kernelsrc.py), naming what it lacks.
case "$kernel" in */* | . | ..)
	no_ctrl --kernel "$kernel"
	[ -d "$kernel" ] || usage_error "--kernel: no directory '$kernel'"
	kernel=$(cd "$kernel" && pwd) ;;
esac
if [ -n "$kdir" ]; then
	no_ctrl --kdir "$kdir"
	[ -f "$kdir/Makefile" ] || usage_error "--kdir: no kernel build tree (Makefile) in '$kdir'"
	kdir=$(cd "$kdir" && pwd)
fi
ferr=$(mktemp)
rel=$(IOMC_KDIR=$kdir KCACHE=$kcache "$top/scripts/fetch-kernel.sh" "$kernel" "$kcache" 2>"$ferr") ||
	fail $IOMC_EXIT_SETUP "kernel $kernel" "cannot use the guest kernel $kernel: $(sed 's/^iomcvm: //' "$ferr" | tail -n 3 | paste -sd ' ' -)"
cat "$ferr" >&2
rm -f "$ferr"
series=$(echo "$rel" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')	# 6.1, 6.12
kmod=$build/obj/$rel/kmod
if [ ! -f "$kmod/iomap_check.ko" ] || [ ! -f "$kmod/Module.symvers" ]; then
	note "building iomap_check.ko for $rel"
	# KCFLAGS is for the user's driver, not for our module.
	env -u KCFLAGS KCACHE="$kcache" "$top/kmod/build.sh" "$rel" "$kmod" >&2 ||
		fail $IOMC_EXIT_SETUP "iomap_check.ko" "cannot build iomap_check.ko for $rel"
fi
if [ -n "$driver" ]; then name=$(basename "$driver"); else name=$(basename "${kmods_own[0]}" | sed 's/\.ko.*//'); fi
if [ -z "$out" ]; then
	out=$build/vmcheck/$(safe_name "$name")-$rel
	writable_dir "$out" || fail $IOMC_EXIT_SETUP "logs" "cannot create or write the directory '$out'"
	out=$(cd "$out" && pwd)
fi
note "$name on $rel, logs in $out"

# ---- build the driver ----------------------------------------------------------------
kos=()
if [ -n "$driver" ]; then
# build-driver.sh copies the sources to $out/driver and builds there; the
# compiler's messages name the copies: show the user's own paths.
blog=$out/build.log
bdir=$out/driver
# Kbuild cannot build in a directory whose path has blanks or make's
# special characters: then the copy goes under the cache.
case "$bdir" in
*[!A-Za-z0-9._+/-]*)
	bdir=$build/vmcheck/build/$(safe_name "$name")-$rel
	writable_dir "$bdir" || fail $IOMC_EXIT_SETUP "build: $name" "cannot create the build directory '$bdir'" ;;
esac
rm -f "$bdir"/*.ko "$bdir"/modules.order
if ! KCACHE=$kcache ABS_BUILD=$build IOMC_SYMVERS=$kmod/Module.symvers \
	"$top/kmod/build-driver.sh" "$driver" "$bdir" "$rel" >"$blog" 2>&1; then
	replace "$bdir/" "$driver/" <"$blog" >&2
	echo "KTAP version 1"
	echo "1..1"
	echo "# build of $driver against $rel failed:"
	replace "$bdir/" "$driver/" <"$blog" | grep -E 'error|Error|undefined|fatal' |
		head -n 20 | sed 's/^/#   /'
	case "$rel" in *-cloud-amd64)
		if grep -q 'modpost: .* undefined!' "$blog"; then
			echo "# symbols undefined in $rel: the cloud kernels carry few modules (no DRM);"
			echo "# the generic flavor has them all: --kernel $series-generic"
		fi ;;
	esac
	echo "not ok 1 build: $name # the driver does not compile"
	exit $IOMC_EXIT_BUILD
fi
[ $quiet = 1 ] || cat "$blog" >&2
if [ -f "$bdir/modules.order" ]; then
	while read -r ko; do
		ko=${ko#kernel/}
		ko=${ko%.o}
		ko=${ko%.ko}.ko		# 6.12 lists foo.o, 6.1 foo.ko
		case "$ko" in /*) ;; *) ko=$bdir/$ko ;; esac
		[ -f "$ko" ] && kos+=("$ko")
	done <"$bdir/modules.order"
fi
[ ${#kos[@]} -gt 0 ] || fail $IOMC_EXIT_BUILD "build: $name" "the driver built no module (obj-m empty?)"
fi

# ---- the modules: in-kernel dependencies, the modules under test ------------------
# `iomcvm modules` (vm/iomcvm/closure.py): the in-kernel modules the driver
# and the --kernel-module modules need, in load order ("dep PATH"), then the
# modules under test: the --kernel-module ones as given, the driver's own
# each after those it depends on ("driver PATH"). Only these go into the
# initramfs, uncompressed (busybox insmod reads plain ELF).
moddir=$kcache/$rel/root/lib/modules/$rel
deps=() tested=()
cerr=$out/deps.err
if [ -d "$moddir/kernel" ]; then
	mapfile -t plan < <(iomcvm modules "$moddir" $(for k in "${kmods_own[@]}"; do printf -- '--kernel-module\n%s\n' "$k"; done) "${kos[@]}" 2>"$cerr" && echo rc=0 || echo "rc=$?")
	crc=${plan[-1]#rc=}
	unset 'plan[-1]'
	if [ "$crc" = 1 ]; then
		# a module the kernel lacks: the driver's dependency (it cannot be
		# built for this kernel), or a --kernel-module the user named (a
		# bad value)
		st=$IOMC_EXIT_BUILD
		for m in $(sed -n "s/.*needs module '\([^']*\)'.*/\1/p" "$cerr"); do
			for k in "${kmods_own[@]}"; do
				[ "${k//-/_}" = "${m//-/_}" ] && st=$IOMC_EXIT_USAGE
			done
		done
		fail $st "dependencies: $name" "$(sed 's/^module-closure: //' "$cerr" | paste -sd ';' -)$(case $rel in *-cloud-amd64) echo "; the cloud kernels carry few modules (no DRM): the generic flavor has them all, --kernel $series-generic" ;; esac)"
	elif [ "$crc" != 0 ]; then
		fail $IOMC_EXIT_SETUP "dependencies: $name" "cannot resolve the driver's dependencies: $(tail -n 1 "$cerr")"
	fi
	for l in "${plan[@]}"; do
		case "$l" in
		"dep "*) deps+=("${l#dep }") ;;
		"driver "*) tested+=("${l#driver }") ;;
		esac
	done
elif [ ${#kmods_own[@]} -gt 0 ]; then
	fail $IOMC_EXIT_SETUP "dependencies: $name" "--kernel-module: $moddir has no modules (kernel cache incomplete: remove $kcache/$rel)"
elif [ -n "$(modinfo -F depends "${kos[@]}" 2>/dev/null | tr ',' '\n' | grep -vx 'iomap_check' | grep -v '^$')" ]; then
	fail $IOMC_EXIT_SETUP "dependencies: $name" "the driver has dependencies but $moddir has no modules (kernel cache incomplete: remove $kcache/$rel)"
else
	tested=("${kos[@]}")
fi
rm -rf "$out/deps" "$out/tested" && mkdir -p "$out/deps" "$out/tested"
dep_names=() kos=()
for d in "${deps[@]}"; do
	b=$(iomcvm unpack-ko "$d" "$out/deps") || fail $IOMC_EXIT_SETUP "dependencies: $name" "cannot unpack $d"
	dep_names+=("$(basename "$b")")
done
for d in "${tested[@]}"; do
	b=$(iomcvm unpack-ko "$d" "$out/tested") || fail $IOMC_EXIT_SETUP "modules: $name" "cannot unpack $d"
	kos+=("$b")
done
[ ${#deps[@]} = 0 ] || note "dependencies from $rel: ${dep_names[*]%.ko}"
[ ${#kmods_own[@]} = 0 ] || note "modules under test: $(for k in "${kos[@]}"; do basename "$k" .ko; done | tr '\n' ' ')"
# Every --module-param names a module that is loaded.
loadable=" iomap_check $(for k in "${dep_names[@]}" "${kos[@]}"; do basename "$k" .ko | tr - _; done | tr '\n' ' ') "
for p in "${params[@]}"; do
	case "$loadable" in *" ${p%% *} "*) ;;
	*) usage_error "--module-param: no module '${p%% *}' is loaded (loaded:$loadable)" ;;
	esac
done

if [ "$nocheckd" != 1 ]; then
	if [ -z "$checkd" ]; then
		for c in "$build/bin/iomap-checkd" "$top/../../lib/iomap-check/guest-bin/iomap-checkd"; do
			[ -f "$c" ] && { checkd=$c; break; }
		done
	fi
	[ -n "$checkd" ] && [ -f "$checkd" ] ||
		fail $IOMC_EXIT_SETUP "iomap-checkd" "no iomap-checkd for the guest (make daemon, or --checkd FILE)"
	# The guest has no libc: the daemon must be linked statically.
	! readelf -lW "$checkd" 2>/dev/null | grep -q 'program interpreter' ||
		fail $IOMC_EXIT_SETUP "iomap-checkd" "$checkd is not a static binary"
fi

# ---- the guest's files -------------------------------------------------------------
printf '%s\n' "$run" >"$out/run.sh"
: >"$out/params"
[ ${#params[@]} = 0 ] || printf '%s\n' "${params[@]}" >"$out/params"
: >"$out/checkd_args"
[ ${#checkd_args[@]} = 0 ] || printf '%s\n' "${checkd_args[@]}" >"$out/checkd_args"
{
	echo "RUN_TIMEOUT=$timeout"
	echo "ATTACH_TIMEOUT=120"
	echo "CHECKD=$([ "$nocheckd" = 1 ] && echo 0 || echo 1)"
	echo "INJECT=$inject"
	echo "STRATEGY=$strategy"
	echo "DRIVER_KOS='$(for k in "${kos[@]}"; do basename "$k"; done | tr '\n' ' ')'"
	echo "DEP_KOS='${dep_names[*]}'"
} >"$out/conf"
vm_args=(--kernel "$rel" --mode vmcheck --kmod none --format ktap
	--label "$name/$kernel" --out "$out/vm" --vga "$vga"
	--timeout $((timeout + 240 + inject * 2 * (timeout + 30))) --chan json --chan checkd
	--extra "$kmod/iomap_check.ko:/vmcheck/iomap_check.ko"
	--extra "$out/conf:/vmcheck/conf" --extra "$out/run.sh:/vmcheck/run.sh"
	--extra "$out/checkd_args:/vmcheck/checkd_args" --extra "$out/params:/vmcheck/params")
for k in "${kos[@]}"; do vm_args+=(--extra "$k:/vmcheck/driver/$(basename "$k")"); done
for d in "${dep_names[@]}"; do vm_args+=(--extra "$out/deps/$d:/vmcheck/deps/$d"); done
for q in "${qemu_args[@]}"; do vm_args+=(--qemu-arg "$q"); done
for a in "${appends[@]}"; do vm_args+=(--append "$a"); done
[ "$nocheckd" = 1 ] || vm_args+=(--extra "$checkd:/bin/iomap-checkd")
vm_args+=("${vm_extras[@]}")

# ---- boot --------------------------------------------------------------------------
# In the background, so that a CI job's SIGTERM stops QEMU too (vm.sh
# kills it on TERM).
vmpid=
# never the logs of an earlier run: vm.sh writes them anew, or not at all
rm -rf "$out/vm"
trap '[ -n "$vmpid" ] && kill -TERM "$vmpid" 2>/dev/null; wait; exit 130' INT TERM HUP
KCACHE=$kcache ABS_BUILD=$build "$top/vm/vm.sh" "${vm_args[@]}" \
	>"$out/ktap.txt" 2>"$out/vm.err" </dev/null &
vmpid=$!
vmrc=0
wait $vmpid || vmrc=$?
vmpid=
[ $quiet = 1 ] || cat "$out/vm.err" >&2
vm=$out/vm
touch "$vm/guest.log" "$vm/console.log" "$vm/json.log" "$vm/checkd.log"

# ---- what happened -------------------------------------------------------------
# The guest's "# vmcheck: KEY=VALUE" lines (vm/guest/vmcheck.sh).
gval() { sed -n "s/^# vmcheck: $1=//p" "$vm/guest.log" | tail -n 1; }
attach=$(gval attach) runst=$(gval run) crc=$(gval checkd) depst=$(gval deps)
# Violations are the objects with a "rule"; the others are the daemon's
# status, loss and summary lines.
njson=$(grep -c '^{' "$vm/json.log" || true)
nviol=$(grep -c '^{"rule":' "$vm/json.log" || true)
# The kernel's own reports: each title line and what follows it, up to the
# end of the trace (or 60 lines), with the step it happened in (the same
# splat patterns as vm.sh's verdict: vm/iomcvm/splats.py).
kreports=$out/kernel-reports.txt
iomcvm kernel-reports "$vm/console.log" >"$kreports" && nkern=$(grep -c '^# kernel report' "$kreports") || nkern=0

status=$IOMC_EXIT_OK
why="no violation"
if [ $vmrc = "$IOMC_EXIT_KERNEL_CRASH" ]; then
	status=$IOMC_EXIT_KERNEL_CRASH why="kernel oops or panic in the guest"
elif [ $vmrc = "$IOMC_EXIT_SETUP" ] || [ $vmrc = "$IOMC_EXIT_USAGE" ]; then
	status=$IOMC_EXIT_SETUP why="guest boot failure or timeout (see $vm/console.log)"
	grep -q '^vm: ' "$out/vm.err" && why="guest set-up failed: $(grep '^vm: ' "$out/vm.err" | tail -n 1)"
elif [ "${depst%% *}" = fail ]; then
	status=$IOMC_EXIT_SETUP why="a dependency did not load in the guest: ${depst#fail }"
elif [ "$runst" = timeout ]; then
	status=$IOMC_EXIT_SETUP why="RUN did not finish within ${timeout}s"
elif [ -z "$attach" ]; then
	status=$IOMC_EXIT_SETUP why="the guest did not report its steps (see $vm/guest.log)"
elif [ "$attach" = fail ]; then
	status=$IOMC_EXIT_UNCHECKED why="iomap-checkd did not attach (see $vm/checkd.log)"
elif [ "$nocheckd" != 1 ] && [ "$crc" != 0 ] && [ "$crc" != 1 ]; then
	status=$IOMC_EXIT_SETUP why="iomap-checkd did not stop cleanly (exit ${crc:-unknown})"
elif [ "$nviol" -gt 0 ] || [ "$crc" = 1 ]; then
	status=$IOMC_EXIT_VIOLATION why="$nviol violation report(s)"
	ninj=$(grep -c '^{"type":"injected"' "$vm/json.log" || true)
	[ "$inject" = 0 ] || why="$why in the normal run and $ninj injected run(s)"
elif [ $vmrc != 0 ]; then
	status=$IOMC_EXIT_VIOLATION
	why="a step failed"
	[ "$nkern" -gt 0 ] && why="the kernel flagged $nkern report(s)"
	[ "$runst" = fail ] && why="RUN failed"
fi

# ---- stdout ----------------------------------------------------------------------
if [ $quiet = 0 ]; then
	echo "# ---- iomap-checkd ($vm/checkd.log)"
	if [ "$nocheckd" = 1 ]; then
		echo "# (not run: IOMC_NO_CHECKD=1)"
	else
		cat "$vm/checkd.log"
	fi
	echo "# ---- kernel: what the kernel itself flagged"
	if [ "$nkern" -gt 0 ]; then cat "$kreports"; else echo "# nothing"; fi
	echo "# ---- iomap-checkd JSON: $njson line(s), $nviol violation(s)"
fi
grep '^{' "$vm/json.log" || true
grep -v '^{' "$vm/json.log" | grep -v '^$' | sed 's/^/# json channel: /' || true
if [ $quiet = 1 ]; then
	grep -E '^(KTAP|1\.\.|not ok)' "$out/ktap.txt" || true
else
	cat "$out/ktap.txt"
fi
echo "# $prog: $name on $rel: $why (exit $status)"
[ $quiet = 0 ] || note "$name on $rel: $why (exit $status)"
exit $status
