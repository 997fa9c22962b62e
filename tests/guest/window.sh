# Guest mode "window": iomap_check.ko with strategy=window (issue 22).
#
# Local and atomic maps get their own per-CPU window page, cleared at
# unmap. Asserted here, from tracefs and the kernel log:
#   - the strategy is accepted and applies to the scenarios' mappings
#     (their local/atomic maps return window addresses: remap_legal's
#     maps of one level alternate between that level's two pages);
#   - every other scenario still runs, with no io_mapping_fault;
#   - each stale scenario's access faults, is reported by the module
#     (io_mapping_fault with fixed=1, naming the scenario function) and
#     redone: the run completes;
# and, with iomap-checkd running, that the legal scenarios stay silent and
# each stale one is reported as use_after_unmap at its function.
. /guest/lib.sh

P=/sys/module/iomap_check/parameters
if [ ! -f $SCN/run ]; then
	not_ok window_scenarios "no $SCN/run (iomap_scenarios.ko not loaded?)"
	exit 0
fi

mark_begin window_strategy
if echo window >$P/strategy 2>/tmp/werr && [ "$(cat $P/strategy)" = window ]; then
	ok window_strategy
else
	not_ok window_strategy "strategy=window refused: $(cat /tmp/werr)"
	mark_end window_strategy
	exit 0
fi
mark_end window_strategy

# field NAME [FILE]: the values of NAME= in the io_mapping lines of FILE
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" ${2:+"$2"}; }

# The daemon watches the whole mode (no might-sleep hooks: attaching is
# quick and no scenario asserted here needs them).
D=/bin/iomap-checkd
OUT=/tmp/window.json
count() { n=$(grep -c "$1" $OUT 2>/dev/null); echo "${n:-0}"; }
wait_for() {
	i=0
	while [ "$(count "$1")" -le "$2" ]; do
		i=$((i + 1))
		[ $i -ge "${3:-100}" ] && return 1
		sleep 0.1
	done
}
dpid=
if [ -x $D ]; then
	mark_begin window_daemon_start
	$D --json --might-sleep none -o $OUT 2>/tmp/window.err &
	dpid=$!
	if wait_for 'attached to its tracepoints' 0 600; then
		ok window_daemon_start
	else
		not_ok window_daemon_start "no 'attached' status: $(tail -c 300 /tmp/window.err | tr '\n' ' ')"
		kill $dpid
		dpid=
	fi
	mark_end window_daemon_start
fi
# daemon_found FROM: rule@function of the reports in lines FROM.. (after a
# SIGUSR1 summary, which says everything before it was printed)
daemon_found() {
	n=$(count '"type":"summary"')
	kill -USR1 $dpid
	wait_for '"type":"summary"' "$n" 100
	tail -n +"$1" $OUT | sed -n \
		's/^{"rule":"\([a-z_]*\)"[^[]*"vaddr":"[^"]*","site":"\([^"+]*\).*/\1@\2/p' |
		sort -u | tr '\n' ' '
}

# remap_legal maps level 0 four times (local) with an atomic map nested at
# level 1: the local maps alternate between two pages, not iomem + offset
mark_begin window_remap_pages
trace_start
err=$(scenario_run remap_legal)
rc=$?
trace_stop /tmp/trace.remap
mark_end window_remap_pages
grep 'io_mapping_map:.*kind=local' /tmp/trace.remap | field vaddr >/tmp/lv
nl=$(grep -c . /tmp/lv)
nu=$(sort -u /tmp/lv | grep -c .)
if [ $rc = 0 ] && [ "$nl" = 4 ] && [ "$nu" = 2 ] &&
   [ "$(sed -n 1p /tmp/lv)" = "$(sed -n 3p /tmp/lv)" ]; then
	ok window_remap_pages
else
	not_ok window_remap_pages "exit $rc $err; local map vaddrs: $(tr '\n' ' ' </tmp/lv)"
fi

# Every scenario under the module alone (tracefs): all run to their end
# (the window changes no other bug's containment), none but the stale ones
# faults, and those once per bad access, fixed up, at their own function.
scenario_list /tmp/list
while read -r name expect rest <&4; do
	[ -n "$name" ] || continue
	wexp=$(echo "$rest" | tr ' ' '\n' | sed -n 's/^window://p')
	tags=$(kernel_tags $rest)
	from=$(($(wc -l <$OUT 2>/dev/null || echo 0) + 1))
	mark_begin "window_$name" "$tags"
	trace_start
	err=$(scenario_run "$name")
	rc=$?
	trace_stop /tmp/trace
	mark_end "window_$name"
	grep 'io_mapping_fault:' /tmp/trace >/tmp/faults
	nf=$(grep -c . /tmp/faults)
	if [ $rc != 0 ]; then
		not_ok "window_$name" "run failed (exit $rc): $err"
	elif [ -z "$wexp" ]; then
		if [ "$nf" = 0 ]; then
			ok "window_$name (no fault)"
		else
			not_ok "window_$name" "no stale access, but $nf faults: $(head -n 1 /tmp/faults)"
		fi
	else
		fn=${wexp#*@}
		ips=$(field ip /tmp/faults | sed 's/+.*//' | sort -u | tr '\n' ' ')
		fixed=$(field fixed /tmp/faults | sort -u | tr '\n' ' ')
		if [ "$nf" = 1 ] && [ "$ips" = "$fn " ] && [ "$fixed" = "1 " ] &&
		   dmesg | grep -q "use after unmap: $fn+"; then
			ok "window_$name (fault at $fn, redone)"
			# the event as ftrace prints it (the analyzer's input)
			diag "trace: $(grep -h "io_mapping_\(map\|unmap\|fault\):" /tmp/trace | tr '\n' '|')"
		else
			not_ok "window_$name" "$nf faults at '$ips' fixed '$fixed', want 1 at $fn fixed: $(head -n 1 /tmp/faults | cut -c1-200)"
		fi
	fi
	# the daemon: legal scenarios silent, stale ones use_after_unmap at
	# their function (other bugs: their own suites, with might-sleep on)
	[ -n "$dpid" ] || continue
	[ -n "$wexp" ] || [ "$expect" = - ] || continue
	sleep 0.2
	got=$(daemon_found "$from")
	want=${wexp:+$wexp }
	if [ "$got" = "$want" ]; then
		ok "window_daemon_$name (${got:-silent})"
	else
		not_ok "window_daemon_$name" "reported '${got}', want '${want}'"
		tail -n +"$from" $OUT | grep '^{"rule"' | cut -c1-300 | sed 's/^/# /'
	fi
done 4</tmp/list

# a use_after_unmap report carries the occupant's map and unmap sites
if [ -n "$dpid" ]; then
	r=$(grep '^{"rule":"use_after_unmap".*scn_stale_write_local' $OUT | head -n 1)
	case $r in
	*'"map_site":"scn_stale_write_local+'*'"other_site":"scn_stale_write_local+'*'"fixed":true'*)
		ok window_daemon_report_sites ;;
	*) not_ok window_daemon_report_sites "report: $(echo "$r" | cut -c1-300)" ;;
	esac
	kill $dpid
	wait $dpid 2>/dev/null
fi

echo premap >$P/strategy
exit 0
