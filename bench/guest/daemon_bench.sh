# Guest mode "daemon_bench" (make bench-daemon): what the checker costs.
# Lines "bench CONFIG IMPL KIND PAIRS NS_PER_PAIR" (the scenario driver's
# benchmark, see bench/guest/bench.sh) with CONFIG
#   off       no checker: tracepoints disabled
#   checkd    iomap-checkd attached (default options)
#   bpftrace  the bpftrace peer (/guest/iomap-check.bt) attached instead
# "mrbench CONFIG KIND PAIRS NS_PER_PAIR" (a memremap/memunmap pair, KIND
# wbram or wcbar: the driver's bench_memremap; CONFIG off or checkd, in this
# one boot), "msbench CONFIG CALLS NS_PER_CALL" (one might_sleep(): the
# driver's bench_might_sleep) and "sysbench CONFIG ITERATIONS NS" (the
# syscall-heavy /bin/syscall_bench; CONFIG off, noalloc (the daemon with
# --might-sleep noalloc) or checkd), and "bpfstat PROG RUNS NS" (kernel BPF stats: run time of each of the
# checker's programs during one more benchmark read). Then a flood: both
# CPUs map/unmap for FLOOD_S seconds while violations are injected, and
# "flood ..." lines (see below). bench/bench-report.awk (report=daemon) makes the table.
. /guest/lib.sh
. /guest/bench_lib.sh

D=/bin/iomap-checkd
OUT=/tmp/bench.json
FLOOD_S=${FLOOD_S:-5}

if [ ! -f $SCN/bench ] || [ ! -x $D ]; then
	not_ok daemon_bench_present "no $SCN/bench or no $D"
	exit 0
fi
wait_grep() { # PATTERN FILE TENTHS
	i=0
	until grep -q "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge "$3" ] && return 1
		sleep 0.1
	done
}

echo 0 >$T/events/io_mapping/enable
echo 0 >/proc/sys/kernel/bpf_stats_enabled
bench_window daemon_bench off
mark_begin daemon_mrbench_off
mr_read daemon_mrbench off 2
mark_end daemon_mrbench_off
# the might-sleep hooks: one might_sleep(), a syscall-heavy workload
mark_begin daemon_msbench_off
ms_read daemon_msbench off 2
sys_read daemon_sysbench off
mark_end daemon_msbench_off

# the same with --might-sleep noalloc (no allocator kprobes), for the
# choice of the default
mark_begin daemon_msbench_noalloc
$D --json --might-sleep noalloc -o /tmp/noalloc.json 2>/tmp/noalloc.err &
npid=$!
if wait_grep 'attached to its tracepoints' /tmp/noalloc.json 900; then
	ms_read daemon_msbench noalloc 2
	sys_read daemon_sysbench noalloc
else
	not_ok daemon_msbench_noalloc "iomap-checkd did not attach: $(tail -c 200 /tmp/noalloc.err)"
fi
kill -TERM $npid
wait $npid
mark_end daemon_msbench_noalloc

mark_begin daemon_bench_checkd
$D --json -o $OUT 2>/tmp/bench.err &
dpid=$!
if wait_grep 'attached to its tracepoints' $OUT 900; then
	bench_read daemon_bench checkd 2
	mr_read daemon_mrbench checkd 2
	ms_read daemon_msbench checkd 2
	sys_read daemon_sysbench checkd
	grep -o 'might-sleep coverage: [^"]*' $OUT | head -n1 | sed 's/^/# /'
	# the programs' own run time: BPF stats on for one more read
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	cat $SCN/bench >/dev/null
	echo 0 >/proc/sys/kernel/bpf_stats_enabled
	kill -USR1 $dpid
	wait_grep '"type":"summary"' $OUT 100
	grep '"type":"summary"' $OUT | tail -n1 | sed 's/.*"programs":{//; s/}}.*//' |
		tr -d '{}"' | tr ',' '\n' | sed -n 's/^\([a-z_0-9]*\):runs:\([0-9]*\)$/\1 \2/p' >/tmp/runs
	grep '"type":"summary"' $OUT | tail -n1 | sed 's/.*"programs":{//; s/}}.*//' |
		sed 's/},/}\n/g' | sed -n 's/^"\([a-z_0-9]*\)":{"runs":\([0-9]*\),"ns":\([0-9]*\)}*$/bpfstat \1 \2 \3/p'
else
	not_ok daemon_bench_checkd "iomap-checkd did not attach: $(tail -c 200 /tmp/bench.err)"
fi
mark_end daemon_bench_checkd

# ---- flood: both CPUs at full speed, a violation every 1000 operations.
# checkd_flood drives the daemon's own loaded map/unmap programs through
# BPF_PROG_TEST_RUN from a thread per CPU (the module's API cannot be
# driven from two CPUs at once: the scenario driver serializes its runs).
# Lines: flood MODE SECONDS OPS INJECTED COUNTED LOST_REPORTS CPU_TICKS HZ RSS_KB
#   MODE shared: one site (deduplicated: counting under load)
#   MODE unique: a new site each time (a full report each: the ring buffer
#             and the daemon must keep up; none may be lost)
rule_count() {
	grep '"type":"summary"' $OUT | tail -n1 | sed -n "s/.*\"$1\":{\"count\":\([0-9]*\).*/\1/p"
}
summary_now() {
	n=$(grep -c '"type":"summary"' $OUT)
	kill -USR1 $dpid
	i=0
	while [ "$(grep -c '"type":"summary"' $OUT)" -le "$n" ] && [ $i -lt 200 ]; do
		i=$((i + 1))
		sleep 0.1
	done
}
ticks() { set -- $(cat /proc/$dpid/stat); shift 13; echo $(($1 + $2)); }
flood() { # MODE FLAGS
	summary_now
	before=$(rule_count unaligned_offset)
	lost0=$(grep '"type":"summary"' $OUT | tail -n1 | sed -n 's/.*"reports":\([0-9]*\).*/\1/p')
	t0=$(ticks)
	set -- $1 $(/bin/checkd_flood -p $dpid -s 5 -e 1000 $2)
	t1=$(ticks)
	sleep 0.5
	summary_now
	after=$(rule_count unaligned_offset)
	lost1=$(grep '"type":"summary"' $OUT | tail -n1 | sed -n 's/.*"reports":\([0-9]*\).*/\1/p')
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$dpid/status)
	counted=$((${after:-0} - ${before:-0}))
	lost=$((${lost1:-0} - ${lost0:-0}))
	# $1 MODE $2 "flood" $3 SECONDS $4 OPS $5 INJECTED $6 CPUS
	echo "flood $1 $3 $4 $5 $counted $lost $((t1 - t0)) 100 $rss"
	if [ "$counted" = "$5" ] && [ "$lost" = 0 ]; then
		ok "daemon_flood_$1 ($5 injected, $counted counted in full, no report lost)"
	else
		not_ok "daemon_flood_$1" "$5 violations injected, $counted counted, $lost reports lost"
	fi
}
if [ -n "$dpid" ] && kill -0 $dpid 2>/dev/null && [ -x /bin/checkd_flood ]; then
	mark_begin daemon_flood
	flood shared ""
	flood unique -u
	mark_end daemon_flood
fi
[ -n "$dpid" ] && kill -TERM $dpid && wait $dpid

# ---- the bpftrace peer -------------------------------------------------------
if command -v bpftrace >/dev/null 2>&1 && [ -f /guest/iomap-check.bt ]; then
	mark_begin daemon_bench_bpftrace
	bpftrace /guest/iomap-check.bt >/tmp/bt.out 2>&1 &
	bpid=$!
	# compiling and attaching takes a while under TCG; BEGIN says when
	if wait_grep 'iomap-check.bt: ready' /tmp/bt.out 3000; then
		bench_read daemon_bench bpftrace 2
		# proof it was attached: it sees this violation
		scenario_run unaligned_offset >/dev/null
	else
		not_ok daemon_bench_bpftrace "bpftrace did not attach: $(tail -c 300 /tmp/bt.out)"
	fi
	kill -INT $bpid
	wait $bpid
	# @viol[3, site]: unaligned_offset (rules.h numbering)
	if grep -q '^@viol\[3, ' /tmp/bt.out; then
		ok daemon_bench_bpftrace_saw_events
	else
		not_ok daemon_bench_bpftrace_saw_events "the peer reported nothing: $(tail -c 300 /tmp/bt.out | tr '\n' ' ')"
	fi
	mark_end daemon_bench_bpftrace
else
	skip daemon_bench_bpftrace "bpftrace not in the guest"
fi
exit 0
