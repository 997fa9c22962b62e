#!/usr/bin/env bash
# No userspace C function over LIMIT lines (issue 18 item 7) unless it says
# why: a `/* long: reason */` comment in it or just above it. A function is
# kernel style: its signature starts in column 0, its body is a `{` ... `}`
# pair in column 0; its length is from the signature's first line to the
# closing brace. KTAP on stdout; one result per file, naming each long
# function and its length, and `--list` prints every function over LIMIT
# (allowed or not) as FILE:LINE NAME LENGTH.
#
# usage: long_functions.sh [--list] [LIMIT]   (LIMIT: 80)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
list=0
[ "${1:-}" = --list ] && { list=1; shift; }
limit=${1:-80}
cd "$top" || exit 2

# long_functions FILE...: "FILE:LINE NAME LENGTH allowed|new" per function
# longer than $limit
long_functions() {
	awk -v limit="$limit" '
	FNR == 1 { sig = 0; name = ""; allow = 0; inbody = 0 }
	# a comment saying why, between the previous function and this one
	# or in its body
	/\/\* long: [^ ]/ { allow = 1 }
	!inbody && /^[A-Za-z_][^;]*\(/ && !/^(if|for|while|switch|return)\b/ {
		sig = FNR; n = $0; sub(/\(.*/, "", n); sub(/.*[ *]/, "", n); name = n
		next
	}
	!inbody && /^\{/ && sig { inbody = 1; next }
	inbody && /^\}/ {
		len = FNR - sig + 1
		if (len > limit)
			printf "%s:%d %s %d %s\n", FILENAME, sig, name, len, allow ? "allowed" : "new"
		inbody = 0; sig = 0; allow = 0
		next
	}
	' "$@"
}

files=$(git ls-files -- 'lib/*.c' 'checkd/*.c' 'analyze/*.c' 'scripts/*.c' 2>/dev/null)
[ -n "$files" ] || files=$(ls lib/*.c checkd/*.c analyze/*.c scripts/*.c)
# shellcheck disable=SC2086
found=$(long_functions $files)
if [ $list = 1 ]; then
	printf '%s\n' "$found" | grep . || true
	exit 0
fi

. "$top/tests/host/ktap_lib.sh"
n=0
echo "KTAP version 1"
# shellcheck disable=SC2086
echo "1..$(($(echo $files | wc -w) + 1))"

# the counter itself: a long function is seen, a short one and one that
# says why are not
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
{
	printf 'static int short_one(int a)\n{\n\treturn a;\n}\n\n'
	printf '/* long: one table, read top to bottom */\nstatic void allowed_one(void)\n{\n'
	for i in $(seq "$limit"); do printf '\tx(%d);\n' "$i"; done
	printf '}\n\nint\nlong_one(const char *s,\n\t int b)\n{\n\tif (b) {\n'
	for i in $(seq "$limit"); do printf '\t\ty(%d);\n' "$i"; done
	printf '\t}\n}\n'
} >"$work/t.c"
got=$(cd "$work" && long_functions t.c | paste -sd, -)
want="t.c:7 allowed_one $((limit + 3)) allowed,t.c:$((limit + 12)) long_one $((limit + 6)) new"
if [ "$got" = "$want" ]; then
	res ok "counter_sees_a_long_function_and_the_allowed_one"
else
	res fail "counter_sees_a_long_function_and_the_allowed_one" "got '$got', want '$want'"
fi

for f in $files; do
	bad=$(grep "^$f:" <<<"$found" | grep ' new$' | cut -d' ' -f1-3 | paste -sd, -)
	if [ -z "$bad" ]; then
		res ok "$f"
	else
		res fail "$f" "over $limit lines without /* long: reason */: $bad"
	fi
done
