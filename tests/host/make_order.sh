#!/usr/bin/env bash
# The make fragments work in any include order (issue 18 item 4): the
# Makefile with its includes reversed, and rotated, gives the same rules
# and prerequisites (make -p), the same lists (HOST_SUITES, ..., each as a
# set) and the same commands for `make -n install`, `check-host` and
# `bench`. KTAP on stdout.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${ABS_BUILD:-$top/build}/check/make-order
rm -rf "$work" && mkdir -p "$work"
cd "$top" || exit 2
n=0
. "$top/tests/host/ktap_lib.sh"

lists="HOST_SUITES GUEST_SUITES CHECK_DEPS GUEST_BINS GUEST_MODES GUEST_FILES GUEST_KMODS GUEST_APPEND BENCH_TARGETS"
cat >"$work/lists.mk" <<EOF
.PHONY: iomc-lists
iomc-lists:
	\$(foreach v,$lists,\$(info \$(v) = \$(sort \$(\$(v)))))@:
EOF

# variant NAME same|reverse|rotate: the Makefile with its include lines in
# that order (rotate: by 3), where the first of them was
variant() {
	awk -v how="$2" '
		FNR == NR { if ($0 ~ /^include /) inc[++n] = $0; next }
		/^include / {
			if (done++)
				next
			for (i = 1; i <= n; i++) {
				if (how == "same") j = i
				else if (how == "reverse") j = n + 1 - i
				else j = (i + 2) % n + 1
				print inc[j]
			}
			next
		}
		{ print }
	' Makefile Makefile >"$work/$1.mk"
}

# norm: each line's words (split at blanks and commas: guest mode lists)
# as a sorted set, the variant's file name as VARIANT, the lines sorted.
# The order of suites and guest modes follows the include order; what is
# compared is that nothing is missing or added.
norm() {
	sed "s|$work/[a-z]*\.mk|VARIANT|g" | python3 -c '
import sys
lines = {" ".join(sorted(set(l.replace(",", " ").split()))) for l in sys.stdin}
print("\n".join(sorted(lines)))'
}

# facts NAME: what make makes of the variant
facts() {
	local m=$work/$1.mk o=$work/$1
	# rules and their prerequisites from make's database
	make -f "$m" -f "$work/lists.mk" -pn iomc-lists 2>"$o.p.err" |
		awk '/^# Files$/ { on = 1; next } /^# (VPATH|finished)/ { on = 0 }
			on && /^[^#\t %][^=]*:( |$)/ && !/:=/ { print }' | norm >"$o.rules"
	make -s -f "$m" -f "$work/lists.mk" iomc-lists 2>"$o.lists.err" | norm >"$o.lists"
	for t in install check-host bench; do
		make -f "$m" -n $t DESTDIR="$work/dest" PREFIX=/usr 2>&1 | norm >"$o.n-$t"
	done
}

echo "KTAP version 1"
echo "1..3"

variant same same
variant reverse reverse
variant rotate rotate
for v in same reverse rotate; do facts $v; done

# the variants really differ in order, and the checker sees a difference
if ! cmp -s "$work/same.mk" "$work/reverse.mk" && ! cmp -s "$work/same.mk" "$work/rotate.mk" &&
	[ "$(grep -c '^include ' "$work/reverse.mk")" = "$(grep -c '^include ' Makefile)" ] &&
	[ -s "$work/same.rules" ] && grep 'HOST_SUITES' "$work/same.lists" | grep -q 'check_sh\.sh' &&
	grep -q '/usr/bin/iomap-check$\|/usr/bin/iomap-check ' "$work/same.n-install"; then
	res ok "variants_reordered_and_facts_collected ($(wc -l <"$work/same.rules") rules)"
else
	res fail "variants_reordered_and_facts_collected" "$(head -c 300 "$work/same.p.err" "$work/same.lists.err")"
fi

for v in reverse rotate; do
	why=
	for f in rules lists n-install n-check-host n-bench; do
		cmp -s "$work/same.$f" "$work/$v.$f" ||
			why="$why [$f: $(diff "$work/same.$f" "$work/$v.$f" | grep '^[<>]' | head -3 | cut -c1-160)]"
	done
	if [ -z "$why" ]; then
		res ok "includes_${v}d_same_rules_lists_and_commands"
	else
		res fail "includes_${v}d_same_rules_lists_and_commands" "$why"
	fi
done
