# Guest mode "analyze": capture real traces of every scenario for
# `iomap-check analyze` (the host analyzes them: tests/host/analyze_guest.sh).
#
# All scenarios run under each recorder in turn; each capture goes to the
# first extra serial channel (vm.sh --chan traces -> ttyS2) as a section
#   @@@ begin KIND
#   ...text, or base64 for binary files...
#   @@@ end KIND
# KINDs: list (the scenario list), ftrace (cat trace: irq-info and tgid
# columns), ftrace-noirq (the same buffer without the flag columns),
# ftrace-counter (trace_clock counter), tracedat (trace-cmd record, base64),
# record + live + kallsyms (iomap-checkd --record, its --json output and
# the modules' symbols).
# Recorders that are not in the guest (trace-cmd, iomap-checkd) are skipped
# with a SKIP result.
. /guest/lib.sh

CH=/dev/ttyS2
EVENTS="io_mapping sched/sched_switch sched/sched_process_exit irq/irq_handler_exit irq/softirq_exit"

section() { # KIND FILE [base64]
	{
		echo "@@@ begin $1"
		if [ "${3:-}" = base64 ]; then base64 "$2"; else cat "$2"; fi
		echo "@@@ end $1"
	} >$CH
}

# sh /tmp/run_all.sh TAG: every scenario once, marked for the host's splat
# attribution (a script, so that trace-cmd can run it as its child too)
cat >/tmp/run_all.sh <<'EOF'
. /guest/lib.sh
while read -r name expect rest <&4; do
	[ -n "$name" ] || continue
	mark_begin "analyze_$1_$name" "$(kernel_tags $rest)"
	scenario_run "$name" >/dev/null
	mark_end "analyze_$1_$name"
done 4</tmp/list
EOF
run_all() { sh /tmp/run_all.sh "$1"; }

ftrace_setup() { # CLOCK
	echo 0 >$T/tracing_on
	echo >$T/set_event
	echo "$1" >$T/trace_clock
	echo 8192 >$T/buffer_size_kb	# per CPU: no overwrite in a full run
	echo 1 >$T/options/record-tgid
	echo 1 >$T/options/irq-info
	for e in $EVENTS; do echo 1 >$T/events/$e/enable; done
	echo >$T/trace
	echo 1 >$T/tracing_on
}

ftrace_off() {
	echo 0 >$T/tracing_on
	echo >$T/set_event
}

if [ ! -f $SCN/list ] || [ ! -w $CH ]; then
	not_ok analyze_capture "no scenario driver or no $CH (vm.sh --chan traces)"
	exit 0
fi
scenario_list /tmp/list
section list /tmp/list

# ftrace text, default clock: rendered with and without the flag columns
ftrace_setup local
run_all ftrace
ftrace_off
cat $T/trace >/tmp/ftrace
section ftrace /tmp/ftrace
echo 0 >$T/options/irq-info
cat $T/trace >/tmp/ftrace
echo 1 >$T/options/irq-info
section ftrace-noirq /tmp/ftrace
ok "analyze_capture_ftrace ($(grep -c io_mapping_ /tmp/ftrace) io_mapping events)"

# ftrace text with a raw counter clock
ftrace_setup counter
run_all counter
ftrace_off
cat $T/trace >/tmp/ftrace
section ftrace-counter /tmp/ftrace
echo local >$T/trace_clock
ok "analyze_capture_ftrace_counter ($(grep -c io_mapping_ /tmp/ftrace) io_mapping events)"
rm -f /tmp/ftrace

# trace-cmd's binary trace.dat
if command -v trace-cmd >/dev/null 2>&1; then
	echo 8192 >$T/buffer_size_kb
	tc_ev=
	for e in $EVENTS; do tc_ev="$tc_ev -e $(echo $e | tr / :)"; done
	# shellcheck disable=SC2086
	if trace-cmd record -q $tc_ev -o /tmp/trace.dat sh /tmp/run_all.sh tracecmd \
		>/tmp/tc.log 2>&1; then
		section tracedat /tmp/trace.dat base64
		ok "analyze_capture_tracedat ($(wc -c </tmp/trace.dat) bytes)"
	else
		not_ok analyze_capture_tracedat "trace-cmd record failed: $(tail -n 3 /tmp/tc.log | tr '\n' ' ')"
	fi
	rm -f /tmp/trace.dat
else
	skip analyze_capture_tracedat "trace-cmd not in the guest"
fi

# the daemon's own recording, and what it reported live
if command -v iomap-checkd >/dev/null 2>&1; then
	iomap-checkd --json --record /tmp/rec >/tmp/live.json 2>/tmp/checkd.log &
	cpid=$!
	# until it says it attached: loading and verifying its programs and
	# arming ~60 kprobes takes 15-60 s under TCG (more on a loaded host)
	i=0
	while [ $i -lt 360 ] && ! grep -q 'attached to its tracepoints' /tmp/live.json \
		/tmp/checkd.log 2>/dev/null; do
		sleep 0.5
		i=$((i + 1))
	done
	# a recording made before the checker attached would check nothing
	attached=1
	grep -q 'attached to its tracepoints' /tmp/live.json /tmp/checkd.log || attached=0
	run_all record
	sleep 1
	kill -INT $cpid
	wait $cpid
	section record /tmp/rec base64
	section live /tmp/live.json
	# the recording keeps addresses: name them with our modules' symbols and
	# the hooked might-sleep functions (each with the symbol after it, which
	# gives its length), not the whole of /proc/kallsyms (megabytes)
	# and the functions the live reports name: a might_sleep() seen through
	# __cond_resched is reported at its caller (vfree...), on no hook list
	{ iomap-checkd --list-hooks 2>/dev/null | awk '/^  [a-z_]/' | tr ' ' '\n'
	  grep -o '"[a-z_]*site":"[A-Za-z0-9_.]*+' /tmp/live.json | sed 's/.*:"//; s/+$//'
	} | grep . | sort -u >/tmp/hooks
	awk 'NR == FNR { h[$1] = 1; next }
	     /\[iomap/ { print; next }
	     want { print; want = 0 }
	     ($3 in h) && ($2 == "T" || $2 == "t") { print; want = 1 }' /tmp/hooks /proc/kallsyms \
		>/tmp/kallsyms
	section kallsyms /tmp/kallsyms
	if [ $attached = 1 ]; then
		ok "analyze_capture_record ($(wc -c </tmp/rec) bytes)"
	else
		not_ok analyze_capture_record "iomap-checkd did not attach in 180 s: $(tail -n 3 /tmp/checkd.log | tr '\n' ' ')"
	fi
else
	skip analyze_capture_record "iomap-checkd not in the guest"
fi
exit 0
