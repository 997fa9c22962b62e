# Guest mode "bench": the scenario driver's benchmark (map/unmap pairs, ns
# per pair) for the kernel's inline io_mapping and for iomap_check.ko, read
# three ways. Lines: "bench CONFIG IMPL KIND PAIRS NS_PER_PAIR" with CONFIG
#   tp-off   iomap_check tracepoints disabled (the default state)
#   tp-on    events/io_mapping enabled (recording into the trace buffer)
#   permap   strategy=permap: every map_wc ioremap_wc's on its own
# bench/bench-report.awk turns them into the table `make bench` prints.
. /guest/lib.sh

if [ ! -f $SCN/bench ]; then
	not_ok bench_present "no $SCN/bench"
	exit 0
fi
strategy=/sys/module/iomap_check/parameters/strategy
bench() { # CONFIG
	if out=$(cat $SCN/bench 2>&1); then
		echo "$out" | sed -n "s/^\([a-z]\{1,\} [a-z]\{1,\} [0-9]\{1,\} [0-9.]\{1,\}\)\$/bench $1 \1/p"
		ok "bench_$1"
	else
		not_ok "bench_$1" "reading bench failed: $out"
	fi
}
echo 0 >$T/events/io_mapping/enable
# Twice with tracepoints off: the report keeps the faster of each pair, so a
# host hiccup under TCG does not decide the ratio.
mark_begin bench_tp-off
bench tp-off
bench tp-off
mark_end bench_tp-off
mark_begin bench_tp-on
trace_start
bench tp-on
echo 0 >$T/events/io_mapping/enable
echo >$T/trace
mark_end bench_tp-on
mark_begin bench_permap
if echo permap >$strategy; then
	bench permap
	echo premap >$strategy
else
	not_ok bench_permap "cannot set $strategy"
fi
mark_end bench_permap
exit 0
