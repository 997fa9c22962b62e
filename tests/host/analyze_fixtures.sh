#!/usr/bin/env bash
# `iomap-check analyze` on traces captured in the guest and kept in the
# repository (tests/host/analyze/<kernel>/, written by
# `analyze_guest.sh --save-fixtures`): real ftrace and trace-cmd report
# text of every scenario, checked without booting anything. KTAP on stdout.
#
# usage: analyze_fixtures.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${ABS_BUILD:-$top/build}}
an=$build/bin/iomap-check
. "$top/tests/host/analyze_lib.sh"
n=0
az_res() {
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n $2${3:+ # $3}"; else echo "not ok $n $2 # $3"; fi
}
fx=$top/tests/host/analyze
work=$build/check/analyze-fixtures
rm -rf "$work"
mkdir -p "$work"
echo "KTAP version 1"
echo "1..$(($(ls "$fx"/*/*.txt.gz | wc -l) + 1))"
for d in "$fx"/*/; do
	k=$(basename "$d")
	mkdir -p "$work/$k"
	az_expect "$d/list.txt" "$work/$k/expect.all" "$work/$k/expect.trace"
	for f in "$d"/*.txt.gz; do
		name=$(basename "$f" .txt.gz)
		gzip -dc "$f" >"$work/$k/$name.txt"
		az_expect_trace "$work/$k/expect.trace" "$work/$k/$name.txt" "$work/$k/$name.expect"
		az_check "$k-$name" "$work/$k/$name.expect" "$work/$k" "$work/$k/$name.txt"
	done
done
# A post-mortem report names the traced kernel, never this machine's state.
f=$work/6.1/ftrace.txt
"$an" analyze -q "$f" >"$work/postmortem.txt" 2>&1
if grep -q '^(kernel unknown) (post-mortem: iomap-check analyze)$' "$work/postmortem.txt" &&
	! grep -qi 'tainted\|'"$(uname -r)" "$work/postmortem.txt"; then
	az_res ok "post-mortem text reports carry no host taint or release"
else
	az_res fail "post-mortem text reports carry no host taint or release" "see $work/postmortem.txt"
fi
