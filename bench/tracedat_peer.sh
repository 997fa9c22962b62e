#!/usr/bin/env bash
# make bench's peer line: `iomap-check analyze` on a trace.dat against
# `trace-cmd report` printing the same file (goal: analyze faster, a ratio
# below 1x). The trace.dat is the one bench/guest/bench.sh recorded in the
# guest (section "tracedat" of the channel log). Best of 3 runs each, both
# from the page cache.
#
# usage: tracedat_peer.sh CHANNEL_LOG IOMAP_CHECK RUSAGE
set -u
log=$1 an=$2 ru=$3
dat=${log%.log}.dat
if ! command -v trace-cmd >/dev/null 2>&1; then
	echo "trace.dat peer: skipped (no trace-cmd on the host)"
	exit 0
fi
awk '/^@@@ begin tracedat/ { on = 1; next } /^@@@ end / { on = 0 } on' "$log" 2>/dev/null |
	base64 -d >"$dat" 2>/dev/null
if [ ! -s "$dat" ]; then
	echo "trace.dat peer: no trace.dat came out of the guest (trace-cmd missing there?)"
	exit 1
fi
# best of N: "<exit> <wall> <cpu> <rss>" of the fastest run
best() {
	local n=$1 i r b=; shift
	for i in $(seq "$n"); do
		r=$("$ru" "$@" 2>&1 >/dev/null | tail -1)
		if [ -z "$b" ] || awk -v a="$r" -v b="$b" \
			'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[2] < y[2]) }'; then
			b=$r
		fi
	done
	echo "$b"
}
cat "$dat" >/dev/null
tc=$(best 3 trace-cmd report -i "$dat")
az=$(best 3 "$an" analyze -q "$dat")
events=$(trace-cmd report -i "$dat" 2>/dev/null | grep -c 'io_mapping_')
echo "$tc $az" | awk -v kib=$(( $(stat -c %s "$dat") / 1024 )) -v ev="$events" '{
	r = $2 > 0 ? $6 / $2 : 0
	printf "trace.dat peer (%d KiB, %d events): analyze %.3fs (cpu %.3fs), trace-cmd report %.3fs (cpu %.3fs): %.2fx; goal < 1x (faster than trace-cmd printing it): %s\n",
		kib, ev, $6, $7, $2, $3, r, r < 1 ? "met" : "NOT met" }'
