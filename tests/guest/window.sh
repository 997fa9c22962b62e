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
		else
			not_ok "window_$name" "$nf faults at '$ips' fixed '$fixed', want 1 at $fn fixed: $(head -n 1 /tmp/faults | cut -c1-200)"
		fi
	fi
done 4</tmp/list

echo premap >$P/strategy
exit 0
