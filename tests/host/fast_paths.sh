#!/usr/bin/env bash
# Tracing off costs what the kernel's own io_mapping costs (issue 21 item 2):
# the drop-in's inline fast paths, with __iomc_checks_key off, run exactly
# the kernel's inline code behind one static-key NOP per map and per unmap.
# Compares the benchmark loops of the scenario driver built both ways
# (kmod/scenarios: bench_module.o with the drop-in header, bench_inline.o
# with the kernel's, the same bench_loops.h), for every kernel built under
# $ABS_BUILD/obj/*/kmod: in each loop (from its backward branch's target to
# it), the instructions other than NOPs and register-to-register moves must
# be no more than the kernel's, and the NOPs (jump labels; alignment padding
# counts too) at most 2 more. Prints
# both instruction sequences as KTAP diagnostics. KTAP on stdout.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${ABS_BUILD:-$top/build}
dirs=("$build"/obj/*/kmod/scenarios)
kinds=(atomic local wc)
echo "KTAP version 1"
if [ ! -f "${dirs[0]}/bench_module.o" ]; then
	echo "1..1"
	echo "not ok 1 fast paths: no kmod/scenarios/bench_module.o built (make kmod)"
	exit 0
fi
echo "1..$(( ${#dirs[@]} * ${#kinds[@]} ))"

# The loop of function $2 in object $1: "addr<TAB>instruction" lines from
# the target of the function's last backward jump to that jump.
# A jump label's site is written "jmp" in the object on newer kernels (the
# module loader makes it a NOP): those sites, from __jump_table (entries of
# 16 bytes, the code's address first), are printed as "nop (jump label)".
loop_of() {
	local sites
	sites=$(objdump -r -j __jump_table "$1" 2>/dev/null | awk '
		$2 == "R_X86_64_PC32" && $3 ~ /^\.text\+/ && $1 ~ /0$/ {
			a = $3; sub(/^\.text\+0x0*/, "", a); printf "%s ", a }')
	objdump -d --no-show-raw-insn "$1" | awk -v fn="$2" -v sites=" $sites" '
		function hex(s,  v, i) {	# mawk has no strtonum
			v = 0; s = tolower(s)
			for (i = 1; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		/^[0-9a-f]+ <.*>:$/ { infn = ($2 == "<" fn ">:"); next }
		!infn || !/^ +[0-9a-f]+:\t/ { next }
		{
			split($0, f, "\t"); sub(/^ +/, "", f[1]); sub(/:$/, "", f[1]); a = hex(f[1])
			if (index(sites, " " f[1] " "))
				f[2] = "nop (jump label: " f[2] ")"
			addr[n] = a; insn[n++] = f[2]
			# the loop: the backward conditional jump that the loop
			# exit, the second ktime_get() call, follows (out-of-line
			# blocks jump back into the loop too)
			# (gcc 16, Debian unstable 7.x: a callee-saved register is
			# restored between the two: moves may come first)
			if (cand && !hi && f[2] ~ /^call/) { lo = clo; hi = chi }
			if (f[2] !~ /^mov /)
				cand = 0
			if (f[2] ~ /^j[a-z]+ +[0-9a-f]+ </ && f[2] !~ /^jmp/) {
				t = f[2]; sub(/^j[a-z]+ +/, "", t); sub(/ .*/, "", t)
				t = hex(t)
				if (t < a) { cand = 1; clo = t; chi = a }
			}
		}
		END {
			for (i = 0; i < n; i++)
				if (hi && addr[i] >= lo && addr[i] <= hi)
					printf "%x\t%s\n", addr[i], insn[i]
		}'
}

is_nop='^(nop|xchg +%ax,%ax|data16|cs nop)'
# register allocation differs between the two builds (a copy where the
# checked path rejoins): register-to-register moves are not counted
is_regmove='^mov +%[a-z0-9]+,%[a-z0-9]+$'
# The config of kernel release $1 says CONFIG_JUMP_LABEL is off: the kernel
# cache's copy, or make kernel-tree's build tree of that release.
no_jump_labels() {
	local c tree=$build/kernel-tree/tree
	for c in "${KCACHE:-$build/kernel}/$1/config" "$build/check/vmcheck/ktcache/kernel/$1/config"; do
		[ -f "$c" ] && break
	done
	if [ ! -f "$c" ] && [ "$(cat "$tree/include/config/kernel.release" 2>/dev/null)" = "$1" ]; then
		c=$tree/.config
	fi
	[ -f "$c" ] && grep -q '^# CONFIG_JUMP_LABEL is not set' "$c"
}

n=0
for d in "${dirs[@]}"; do
	rel=$(basename "$(dirname "$(dirname "$d")")")
	# A kernel built without CONFIG_JUMP_LABEL (a minimal one, e.g. make
	# kernel-tree's) has no NOPs to patch: each static-key check is a load
	# of the key, a test and a branch, for the kernel's own keys as for
	# ours. Then the map's and the unmap's check may cost 3 each.
	# Decided by the kernel's config (not by our object, whose lack of
	# jump labels would be the very regression to catch).
	extra=0 why=
	if no_jump_labels "$rel"; then
		extra=6 why=" (CONFIG_JUMP_LABEL is off in this kernel: the 2 key checks a load, a test and a branch each, +6 allowed)"
	fi
	for k in "${kinds[@]}"; do
		n=$((n + 1))
		kern=$(loop_of "$d/bench_inline.o" "bench_$k")
		# the kernel's map_wc is its map_local: gcc may fold the two loops
		[ -z "$kern" ] && [ "$k" = wc ] && kern=$(loop_of "$d/bench_inline.o" bench_local)
		ours=$(loop_of "$d/bench_module.o" "bench_$k")
		kn=$(printf '%s' "$kern" | cut -f2 | grep -vE "$is_nop" | grep -cvE "$is_regmove")
		on=$(printf '%s' "$ours" | cut -f2 | grep -vE "$is_nop" | grep -cvE "$is_regmove")
		knop=$(printf '%s' "$kern" | cut -f2 | grep -cE "$is_nop")
		onop=$(printf '%s' "$ours" | cut -f2 | grep -cE "$is_nop")
		echo "# $rel bench_$k, the kernel's inline io_mapping ($kn instructions besides NOPs and register moves, $knop NOPs):"
		sed 's/^/#   /' <<<"$kern"
		echo "# $rel bench_$k, the drop-in with the checks off ($on instructions besides NOPs and register moves, $onop NOPs):"
		sed 's/^/#   /' <<<"$ours"
		if [ -z "$kern" ] || [ -z "$ours" ]; then
			echo "not ok $n fast path $k ($rel): no loop found in bench_$k"
		elif [ "$on" -le $((kn + extra)) ] && [ "$onop" -le $((knop + 2)) ]; then
			echo "ok $n fast path $k ($rel): $on instructions + $onop NOPs a pair, the kernel's $kn + $knop$why"
		else
			echo "not ok $n fast path $k ($rel): $on instructions + $onop NOPs a pair, the kernel's $kn + $knop (want at most $((kn + extra)) + $((knop + 2)))$why"
		fi
	done
done
