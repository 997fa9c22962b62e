# Guest mode "demo": run every scenario and show, per scenario, what it is
# expected to trip and the io_mapping events the tracepoints recorded (raw
# ftrace lines). The host appends the kernel's own splats per section.
. /guest/lib.sh

if [ ! -f $SCN/list ]; then
	not_ok scenario_driver_present "no $SCN/list (iomap_scenarios.ko not loaded?)"
	exit 0
fi
scenario_list /tmp/list
while read -r name expect rest <&4; do
	[ -n "$name" ] || continue
	tags=$(kernel_tags $rest)
	echo "== $name   expect: $expect${rest:+   $rest}"
	mark_begin "$name" "$tags"
	trace_start
	err=$(scenario_run "$name") || echo "   run failed: $err"
	trace_stop /tmp/trace
	mark_end "$name"
	grep -v '^#' /tmp/trace | sed 's/^ */   /'
	echo
done 4</tmp/list
exit 0
