# Guest mode "daemon_demo" (make demo): iomap-checkd's own reports for every
# scenario, as a user sees them on a dev machine: the lockdep-style text for
# each violation, then the summary. The host appends the kernel's splats.
. /guest/lib.sh

D=/bin/iomap-checkd
OUT=/tmp/checkd.txt
if [ ! -x $D ] || [ ! -f $SCN/list ]; then
	not_ok daemon_demo "iomap-checkd or the scenario driver missing"
	exit 0
fi
# sync_daemon: everything the daemon got so far is printed once the
# summary that SIGUSR1 asks for is (up to 10 s)
sync_daemon() {
	n=$(grep -c 'summary so far' $OUT)
	kill -USR1 $dpid
	i=0
	while [ "$(grep -c 'summary so far' $OUT)" -le "$n" ] && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
}

# show_since LINE: the reports from output line LINE on, without the
# interim summary
show_since() {
	tail -n +"$1" $OUT | awk '/^iomap-checkd: summary so far/ { skip = 1; next }
		skip && /^  / { next } { skip = 0; print }'
}

$D -o $OUT &
dpid=$!
i=0
until grep -q 'attached to its tracepoints' $OUT 2>/dev/null; do
	i=$((i + 1))
	[ $i -ge 300 ] && break
	sleep 0.1
done
cat $OUT
# loaded again under the checker, so that what its __init does is seen too
rmmod iomap_scenarios && insmod /lib/iomap-check/iomap_scenarios.ko ||
	echo "(reloading iomap_scenarios under the checker failed)"
scenario_list /tmp/list
while read -r name expect rest <&4; do
	[ -n "$name" ] || continue
	from=$(($(wc -l <$OUT) + 1))
	echo
	echo "######## scenario $name   expect: $expect${rest:+   $rest}"
	mark_begin "$name" "$(kernel_tags $rest)"
	err=$(scenario_run "$name") || echo "   run failed: $err"
	sleep 0.2
	sync_daemon
	mark_end "$name"
	show_since "$from"
	[ "$expect" = - ] && echo "(legal: nothing reported)"
done 4</tmp/list
# the module goes: what it left behind is leak_on_unload
echo
echo "######## rmmod iomap_scenarios   expect: $(sed -n 's/.* unload:\([^ ]*\).*/\1/p' /tmp/list | tr '\n' ' ')"
from=$(($(wc -l <$OUT) + 1))
mark_begin rmmod_scenarios
rmmod iomap_scenarios
sync_daemon
mark_end rmmod_scenarios
show_since "$from"
echo
kill -TERM $dpid
wait $dpid
grep -A 40 '^iomap-checkd: summary:' $OUT
exit 0
