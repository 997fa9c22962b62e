#!/usr/bin/env bash
# A burst of distinct violations reaches userspace whole (issue 17, item 5).
# iomap-checkd on the host loads its BPF programs (it never attaches: no
# iomap_check.ko here); bench/checkd_flood drives that daemon's own map and
# unmap programs (-p: found through its file descriptors, never another
# loaded copy) with BPF_PROG_TEST_RUN from every CPU at once: BURST
# unaligned maps, each at a site of its own, in a few milliseconds, long
# before the daemon reads any. All of them must sit in the default ring
# buffer until it does: every site reported once, each counted, none lost
# (the 1 MiB ring of before held 436 reports and lost the rest).
# KTAP on stdout.
#
# usage: checkd_burst.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${ABS_BUILD:-$top/build}}
d=$build/bin/iomap-checkd
flood=$build/bin/bench/checkd_flood
work=$build/check/checkd-burst
BURST=1500
. "$top/tests/guest/flood_lib.sh"
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2

echo "KTAP version 1"
echo "1..1"
if [ -e /sys/module/iomap_check ]; then
	echo "ok 1 checkd_burst_none_lost # SKIP iomap_check is loaded on this host"
	exit 0
fi
"$d" --json -o burst.json --duration 60 2>burst.err &
dpid=$!
# its programs are loaded once it says it waits for the module
i=0
until grep -q '"waiting for iomap_check' burst.json 2>/dev/null; do
	i=$((i + 1))
	if [ $i -ge 200 ] || ! kill -0 $dpid 2>/dev/null; then
		echo "not ok 1 checkd_burst_none_lost # the daemon did not start: $(tail -c 300 burst.err | tr '\n' ' ')"
		kill -KILL $dpid 2>/dev/null
		exit 0
	fi
	sleep 0.05
done
"$flood" -p $dpid -s 20 -e 2 -u -v -n $BURST >flood.out 2>flood.err
kill -TERM $dpid
wait $dpid
flood_verdict flood.out burst.json >verdict
why=$(cat verdict)
secs=$(sed -n 's/^flood \([^ ]*\) .*/\1/p' flood.out)
if [ -z "$why" ] && [ "$flood_n" != $BURST ]; then
	why="$flood_n violations injected, want $BURST: $(head -c 200 flood.err)"
fi
if [ -z "$why" ]; then
	echo "ok 1 checkd_burst_none_lost ($BURST distinct violations in ${secs}s from all CPUs, each reported once)"
else
	echo "not ok 1 checkd_burst_none_lost # $why"
fi
exit 0
