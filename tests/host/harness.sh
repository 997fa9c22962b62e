#!/usr/bin/env bash
# Host-only tests of the guest harness itself (KTAP on stdout): kernel
# resolution, the splat classifier on recorded console logs, and every
# outcome of vm/vm.sh, played by a fake QEMU (no guest boot) plus one
# real QEMU start with a bogus kernel image.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/host/harness
build=${ABS_BUILD:-$top/build}
kcache=${KCACHE:-$build/kernel}
work=$build/check/harness
iomcvm() { PYTHONPATH=$top/vm python3 -B -m iomcvm "$@"; }
# The exit statuses by name (include/iomap-check/exit_status.h).
eval "$(iomcvm exit-status --shell)"
rm -rf "$work" && mkdir -p "$work"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1 # $2"; }
check() { # DESC WHY-IF-FAILED COMMAND...
	local d=$1 w=$2
	shift 2
	if "$@"; then ok "$d"; else not_ok "$d" "$w"; fi
}

echo "KTAP version 1"
echo "1..22"

# --- kernel resolution ---------------------------------------------------------
for k in 6.1 6.12; do
	rel=$("$top/scripts/fetch-kernel.sh" --resolve $k 2>&1)
	check "fetch-kernel resolves $k through the metapackage ($rel)" "got '$rel'" \
		grep -qE "^${k//./\\.}\.[0-9]+[-+][0-9a-z+.-]*cloud-amd64\$" <<<"$rel"
	rel=$("$top/scripts/fetch-kernel.sh" $k "$kcache" 2>&1 | tail -n1)
	d=$kcache/$rel
	check "kernel $k cached as $rel with vmlinuz, BTF vmlinux, Kbuild tree" \
		"incomplete tree $d" \
		bash -c "[ -s '$d/vmlinuz' ] && [ -f '$d/build/Makefile' ] &&
			readelf -S '$d/vmlinux' 2>/dev/null | grep -q '\.BTF'"
done

# The generic flavor resolves through its own metapackages, and an exact
# release of it is taken as is; nothing is fetched here.
for k in 6.1 6.12; do
	rel=$("$top/scripts/fetch-kernel.sh" --resolve $k-generic 2>&1)
	check "fetch-kernel resolves $k-generic through the metapackage ($rel)" "got '$rel'" \
		grep -qE "^${k//./\\.}\.[0-9]+[-+][0-9a-z+.-]*[0-9]-amd64\$" <<<"$rel"
done
rel=$("$top/scripts/fetch-kernel.sh" --resolve 6.1.0-57-amd64 2>&1)
check "fetch-kernel takes an exact generic release as is" "got '$rel'" [ "$rel" = 6.1.0-57-amd64 ]

# --- splat classifier --------------------------------------------------------------
for log in "$here"/console-*.log; do
	name=$(basename "$log" .log)
	got=$(iomcvm splats "$log" | cut -f1-4)
	if [ "$got" = "$(cat "${log%.log}.expect")" ]; then
		ok "splat classifier: $name"
	else
		diff <(echo "$got") "${log%.log}.expect" | sed 's/^/# /'
		not_ok "splat classifier: $name" "classification differs from ${name}.expect"
	fi
done

# --- vm.sh outcomes, played by a fake QEMU ---------------------------------------
: >"$work/t.sh"
head -c 4096 /dev/urandom >"$work/bogus-vmlinuz"
vm() { # CASE EXPECTED-RC GREP [vm.sh options]
	local c=$1 want=$2 pat=$3 rc pid
	shift 3
	FAKE_QEMU=$c FAKE_QEMU_PID=$work/$c.pid IOMC_QEMU=$here/fake-qemu IOMC_POWEROFF_GRACE=1 \
		"$top/vm/vm.sh" --vmlinuz "$work/bogus-vmlinuz" --kmod none --mode t \
		--extra "$work/t.sh:/guest/t.sh" --out "$work/$c" --label fake "$@" \
		>"$work/$c.out" 2>&1
	rc=$?
	pid=$(cat "$work/$c.pid" 2>/dev/null)
	if [ $rc != "$want" ]; then
		sed 's/^/# /' "$work/$c.out"
		not_ok "vm.sh outcome '$c'" "exit $rc, want $want"
	elif ! grep -qE "$pat" "$work/$c.out"; then
		sed 's/^/# /' "$work/$c.out"
		not_ok "vm.sh outcome '$c'" "output lacks /$pat/"
	elif [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		not_ok "vm.sh outcome '$c'" "QEMU (pid $pid) left running"
	else
		ok "vm.sh outcome '$c': exit $want, /$pat/"
	fi
}
vm pass $IOMC_EXIT_OK '^# fake t: one: expected kernel splat: BUG: scheduling while atomic'
vm silent $IOMC_EXIT_SETUP 'not ok .*# boot failure: no word from /init within 2 s' --timeout 5 --boot-timeout 2
vm hang $IOMC_EXIT_SETUP 'not ok .*# TIMEOUT: guest did not finish within 2 s' --timeout 2
vm panic $IOMC_EXIT_KERNEL_CRASH 'not ok .*# kernel oops/panic'
vm oops $IOMC_EXIT_KERNEL_CRASH "not ok [0-9]+ fake: kernel log during t/one # kernel oops/panic: BUG: unable to handle"
vm nopoweroff $IOMC_EXIT_VIOLATION 'not ok .*did not power off'
# --vga and --qemu-arg reach QEMU's command line: the device, and the
# extra words verbatim, in order, after the harness's own.
FAKE_QEMU_ARGS=$work/args vm pass 0 '^ok' --vga qxl --qemu-arg -device --qemu-arg 'qxl,id=second card'
check "vm.sh --vga qxl --qemu-arg ...: QEMU gets -vga qxl and the words verbatim, last" \
	"got: $(tr '\n' ' ' <"$work/args" 2>/dev/null)" \
	bash -c "grep -qx -- '-vga' '$work/args' && grep -A1 -x -- '-vga' '$work/args' | tail -n1 | grep -qx qxl &&
		[ \"\$(tail -n 2 '$work/args' | tr '\n' '|')\" = '-device|qxl,id=second card|' ]"

# Numbers are decimal seconds in range before any use: 08 is 8 (bash
# arithmetic reads it as bad octal), 00 and 2^63-1 are refused (exit 2).
vm pass 0 '^# vm: .*, timeout 8s,' --timeout 08 --boot-timeout 09
vm zero $IOMC_EXIT_USAGE "not ok 1 fake: vm set-up # --timeout wants a decimal number of seconds from 1 to 1000000, not '00'" --timeout 00
vm huge $IOMC_EXIT_USAGE "not ok 1 fake: vm set-up # --boot-timeout wants a decimal number of seconds from 1 to 1000000, not '9223372036854775807'" \
	--boot-timeout 9223372036854775807

# --- a real QEMU that cannot boot what it was given ---------------------------------
t0=$SECONDS
IOMC_QEMU= "$top/vm/vm.sh" --vmlinuz "$work/bogus-vmlinuz" --kmod none --mode check \
	--out "$work/bogus" --label bogus --timeout 30 >"$work/bogus.out" 2>&1
rc=$?
if [ $rc = "$IOMC_EXIT_SETUP" ] && grep -q 'boot failure' "$work/bogus.out" && [ $((SECONDS - t0)) -lt 25 ]; then
	ok "bogus kernel image: boot failure (exit 3) in $((SECONDS - t0)) s"
else
	sed 's/^/# /' "$work/bogus.out"
	not_ok "bogus kernel image: boot failure" "exit $rc after $((SECONDS - t0)) s"
fi
[ $failed = 0 ]
