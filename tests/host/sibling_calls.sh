#!/usr/bin/env bash
# Exact call sites: no io_mapping API call of a driver built with the
# drop-in header is a sibling call (a `jmp` whose return address would be
# the caller's caller). Checks every iomap_scenarios.ko built under
# $ABS_BUILD/obj/*/kmod (one per kernel), whose scn_tail_* functions end
# in each kind of unmap and in io_mapping_free. KTAP on stdout.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${ABS_BUILD:-$top/build}
kos=("$build"/obj/*/kmod/iomap_scenarios.ko)
echo "KTAP version 1"
if [ ! -f "${kos[0]}" ]; then
	echo "1..1"
	echo "not ok 1 sibling calls: no iomap_scenarios.ko built (make kmod)"
	exit 0
fi
echo "1..${#kos[@]}"
n=0
for ko in "${kos[@]}"; do
	n=$((n + 1))
	rel=$(basename "$(dirname "$(dirname "$ko")")")
	# objdump -dr: an instruction line, then its relocation on the next
	# line; an API symbol's relocation after a jmp is a sibling call.
	res=$(objdump -dr "$ko" | awk '
		/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn) }
		/^ +[0-9a-f]+:\t/ { insn = $0 }
		/R_X86_64_(PLT|PC)32\t(io_mapping_|__iomc_)/ {
			sym = $3; sub(/-0x4$/, "", sym)
			if (insn ~ /\tjmp /) { bad = bad " " fn "->" sym; nbad++ }
			else if (fn ~ /^scn_tail_/) tail++
			calls++
		}
		END { printf "%d %d %d%s\n", calls, tail, nbad, bad }')
	read -r calls tail nbad bad <<<"$res"
	if [ "$nbad" = 0 ] && [ "$tail" -ge 4 ]; then
		echo "ok $n sibling calls: none in $rel/iomap_scenarios.ko ($calls API calls, $tail in the scn_tail_* functions)"
	else
		echo "not ok $n sibling calls: $rel/iomap_scenarios.ko # $nbad sibling call(s):${bad:- none}; $tail calls in scn_tail_* (want 4)"
	fi
done
