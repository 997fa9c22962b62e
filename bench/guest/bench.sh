# Guest mode "bench": the scenario driver's benchmark (map/unmap pairs, ns
# per pair) for the kernel's inline io_mapping and for iomap_check.ko, read
# three ways. Lines: "bench CONFIG IMPL KIND PAIRS NS_PER_PAIR" with CONFIG
#   tp-off   iomap_check tracepoints disabled (the default state)
#   tp-on    events/io_mapping enabled (recording into the trace buffer)
#   permap   strategy=permap: every map_wc ioremap_wc's on its own
#   window   strategy=window: permap, and every local/atomic map sets and
#            clears its own window page's entry (issue 22)
# and, when trace-cmd is in the guest, a trace.dat of one traced read
# (section "tracedat", base64, on the channel ttyS2) for the host's peer
# line: iomap-check analyze against trace-cmd report on that file.
# bench/bench-report.awk turns them into the table `make bench` prints.
. /guest/lib.sh
. /guest/bench_lib.sh

if [ ! -f $SCN/bench ]; then
	not_ok bench_present "no $SCN/bench"
	exit 0
fi
strategy=/sys/module/iomap_check/parameters/strategy
echo 0 >$T/events/io_mapping/enable
# Twice with tracepoints off (the ratio with a goal), the faster read counts
bench_window bench tp-off
mark_begin bench_tp-on
trace_start
bench_read bench tp-on
echo 0 >$T/events/io_mapping/enable
echo >$T/trace
mark_end bench_tp-on
mark_begin bench_permap
if echo permap >$strategy; then
	bench_read bench permap
	echo premap >$strategy
else
	not_ok bench_permap "cannot set $strategy"
fi
mark_end bench_permap
mark_begin bench_window
if echo window >$strategy; then
	bench_read bench window
	echo premap >$strategy
else
	not_ok bench_window "cannot set $strategy"
fi
mark_end bench_window
if command -v trace-cmd >/dev/null 2>&1 && [ -c /dev/ttyS2 ]; then
	# at most 4 MiB a CPU: the file crosses a serial port as base64
	if trace-cmd record -q -m 4096 -e io_mapping:io_mapping_map \
		-e io_mapping:io_mapping_unmap -o /tmp/bench.dat \
		cat "$SCN/bench" >/tmp/tc.log 2>&1; then
		{
			echo "@@@ begin tracedat"
			base64 /tmp/bench.dat
			echo "@@@ end tracedat"
		} >/dev/ttyS2
		ok "bench_tracedat ($(wc -c </tmp/bench.dat) bytes)"
	else
		not_ok bench_tracedat "trace-cmd record failed: $(tail -n 3 /tmp/tc.log | tr '\n' ' ')"
	fi
	echo 0 >$T/events/io_mapping/enable
	rm -f /tmp/bench.dat
fi
exit 0
