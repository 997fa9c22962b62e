# Guest mode "check": the io_mapping tracepoints and the scenario driver,
# asserted from what tracefs recorded. One result per scenario.
. /guest/lib.sh

EVENTS="io_mapping_create io_mapping_free io_mapping_map io_mapping_unmap"

# The events exist as ordinary ftrace events.
missing=
for e in $EVENTS; do
	[ -f $T/events/io_mapping/$e/format ] || missing="$missing $e"
done
if [ -z "$missing" ]; then
	ok tracefs_events_listed
else
	not_ok tracefs_events_listed "missing in events/io_mapping/:$missing"
fi

# Every value a checker needs is a scalar field: the exact field list of each
# event (the raw_tp argument order) with integer types only.
want_fields() {
	case $1 in
	io_mapping_create) echo "mapping base size caller" ;;
	io_mapping_free) echo "mapping size caller" ;;
	io_mapping_map) echo "kind ctx mapping size offset len vaddr caller" ;;
	io_mapping_unmap) echo "kind ctx vaddr caller" ;;
	esac
}
bad=
for e in $EVENTS; do
	f=$T/events/io_mapping/$e/format
	[ -f $f ] || continue
	# "\tfield:unsigned long mapping;\toffset:8;..." -> "unsigned long|mapping"
	got=$(awk -F';' '/^[ \t]*field:/ {
		d = $1; sub(/^[ \t]*field:/, "", d)
		n = split(d, w, " "); name = w[n]; type = w[1]
		for (i = 2; i < n; i++) type = type " " w[i]
		if (name ~ /^common_/) next
		if (type != "unsigned int" && type != "unsigned long" && type != "u64")
			print "BADTYPE:" type ":" name
		else
			printf "%s ", name
	}' $f)
	case "$got" in
	*BADTYPE*) bad="$bad $e($(echo "$got" | grep BADTYPE | tr '\n' ' '))" ;;
	*) [ "$(echo $got)" = "$(want_fields $e)" ] ||
		bad="$bad $e(fields: $(echo $got), want: $(want_fields $e))" ;;
	esac
done
if [ -z "$bad" ] && [ -z "$missing" ]; then
	ok event_formats_scalar
else
	not_ok event_formats_scalar "${bad:-events missing}"
fi

# kind and ctx print by name for every consumer of the format files
# (trace-cmd, perf): TRACE_DEFINE_ENUM made the kernel put the enum values
# into __print_symbolic's lists, no enum name is left for them to resolve.
bad=
for e in io_mapping_map io_mapping_unmap; do
	f=$T/events/io_mapping/$e/format
	pf=$(grep '^print fmt:' $f 2>/dev/null)
	case "$pf" in
	'') bad="$bad $e(no print fmt)" ;;
	*IOMC_*) bad="$bad $e($(echo "$pf" | grep -o 'IOMC_[A-Z_]*' | head -n 1) unresolved)" ;;
	*'"local" }'*'"task" }'*) ;;
	*) bad="$bad $e(no kind/ctx names: $(echo "$pf" | cut -c1-120))" ;;
	esac
done
if [ -z "$bad" ]; then
	ok event_formats_enums_resolved
else
	not_ok event_formats_enums_resolved "$bad"
fi

if [ ! -f $SCN/run ]; then
	not_ok scenario_driver_present "no $SCN/run (iomap_scenarios.ko not loaded?)"
	exit 0
fi

# An unknown scenario name is refused with EINVAL and runs nothing.
mark_begin unknown_scenario_einval
trace_start
err=$(scenario_run iomc_no_such_scenario)
rc=$?
trace_stop /tmp/trace.unknown
mark_end unknown_scenario_einval
nev=$(grep -c 'io_mapping_' /tmp/trace.unknown)
if [ $rc = 0 ]; then
	not_ok unknown_scenario_einval "write of an unknown name succeeded"
elif ! echo "$err" | grep -q 'Invalid argument'; then
	not_ok unknown_scenario_einval "write failed but not with EINVAL: $err"
elif [ "$nev" != 0 ]; then
	not_ok unknown_scenario_einval "refused but recorded $nev io_mapping events"
else
	ok unknown_scenario_einval
fi

# norm: trace lines or ops lines -> one canonical line per API call:
#   create MAPPING SIZE | free MAPPING | map KIND OFFSET LEN VADDR |
#   unmap KIND VADDR         (hex lower case, no leading zeros)
norm() {
	awk '
	function hex(v) {
		v = tolower(v); sub(/^0x/, "", v); sub(/^0+/, "", v)
		return "0x" (v == "" ? "0" : v)
	}
	function dec(v) { sub(/^0+/, "", v); return v == "" ? "0" : v }
	/^#/ { next }
	/io_mapping_(create|free|map|unmap): / {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^io_mapping_[a-z]+:$/) { ev = $i; break }
		delete kv
		for (j = i + 1; j <= NF; j++)
			if ((p = index($j, "=")) > 0)
				kv[substr($j, 1, p - 1)] = substr($j, p + 1)
		if (ev == "io_mapping_create:")
			print "create", hex(kv["mapping"]), dec(kv["size"])
		else if (ev == "io_mapping_free:")
			print "free", hex(kv["mapping"])
		else if (ev == "io_mapping_map:")
			print "map", kv["kind"], hex(kv["offset"]), dec(kv["len"]), hex(kv["vaddr"])
		else
			print "unmap", kv["kind"], hex(kv["vaddr"])
		next
	}
	$1 == "create" { print "create", hex($2), dec($3); next }
	$1 == "free" { print "free", hex($2); next }
	$1 == "map" { print "map", $2, hex($3), dec($4), hex($5); next }
	$1 == "unmap" { print "unmap", $2, hex($3); next }
	NF > 0 { print "unparsed:", $0 }
	' "$1" | sort
}

# multiset difference of two sorted canonical files
mdiff() {
	awk 'FILENAME == ARGV[1] { c[$0]++; next } { c[$0]-- }
	END {
		for (k in c) {
			if (c[k] > 0) print "in ops, not traced (x" c[k] "): " k
			else if (c[k] < 0) print "traced, not in ops (x" (-c[k]) "): " k
		}
	}' "$1" "$2" | sort
}

scenario_list /tmp/list
nscn=$(grep -c . /tmp/list)
if [ "$nscn" = 0 ]; then
	not_ok scenario_list "the driver lists no scenario"
fi
while read -r name expect rest <&4; do
	[ -n "$name" ] || continue
	tags=$(kernel_tags $rest)
	mark_begin "$name" "$tags"
	trace_start
	err=$(scenario_run "$name")
	rc=$?
	trace_stop /tmp/trace
	mark_end "$name"
	cat $SCN/ops >/tmp/ops 2>/dev/null
	norm /tmp/ops >/tmp/ops.n
	norm /tmp/trace >/tmp/trace.n
	why=
	# "# entries-in-buffer/entries-written: 12/12" differ when events were lost
	lost=$(awk '/entries-in-buffer\/entries-written/ {
		split($3, a, "/"); if (a[1] != a[2]) print a[2] - a[1] }' /tmp/trace)
	if [ $rc != 0 ]; then
		why="run failed (exit $rc): $err"
	elif [ -n "$lost" ]; then
		why="trace buffer lost $lost events"
	elif grep -q '^unparsed' /tmp/ops.n /tmp/trace.n; then
		why="unparsable line: $(grep -h '^unparsed' /tmp/ops.n /tmp/trace.n | head -n1)"
	else
		mdiff /tmp/ops.n /tmp/trace.n >/tmp/diff
		if [ -s /tmp/diff ]; then
			sed "s/^/# $name: /" /tmp/diff | head -n 20
			why="trace and ops differ: $(head -n1 /tmp/diff)"
		fi
	fi
	[ -s /tmp/ops.n ] || [ -n "$why" ] || diag "$name: logged no API call (nothing to compare)"
	if [ -z "$why" ]; then
		ok "$name ($(grep -c . /tmp/trace.n) events)"
	else
		not_ok "$name" "$why"
	fi
done 4</tmp/list

# io_mapping_free twice (scenario double_free): iomap_check knows the
# mappings it allocated and refuses the second free with a pr_err, without
# reading the freed struct.
if dmesg | grep -q 'io_mapping_free(.*not a live mapping from io_mapping_create_wc'; then
	ok double_free_refused_with_pr_err
else
	not_ok double_free_refused_with_pr_err "no refusal in the kernel log: $(dmesg | grep 'io_mapping_free(' | tail -n 1)"
fi

# The benchmark's parameters are bounded: out of range is -EINVAL + pr_err.
P=/sys/module/iomap_scenarios/parameters
mark_begin bench_params_bounded
bad=
for v in 0 10000001 -1 abc; do
	(echo $v >$P/bench_pairs) 2>/dev/null && bad="$bad bench_pairs=$v"
done
for v in 0 101 abc; do
	(echo $v >$P/bench_reps) 2>/dev/null && bad="$bad bench_reps=$v"
done
pairs=$(cat $P/bench_pairs) reps=$(cat $P/bench_reps)
mark_end bench_params_bounded
if [ -z "$bad" ] && [ "$pairs" = 100000 ] && [ "$reps" = 5 ] &&
   dmesg | grep -q 'bench_pairs: .* refused'; then
	ok bench_params_bounded
else
	not_ok bench_params_bounded "accepted:${bad:- none} (now $pairs pairs, $reps reps)"
fi

# A long benchmark: a scenario run waiting for it sleeps interruptibly (S,
# not D) and can be killed; the benchmark itself ends on a signal.
mark_begin bench_interruptible
echo 10000000 >$P/bench_pairs
echo 100 >$P/bench_reps
cat $SCN/bench >/dev/null 2>&1 &
bpid=$!
sleep 1
(echo nesting_legal >$SCN/run) 2>/dev/null &
wpid=$!
sleep 1
wstate=$(awk '{ print $3 }' /proc/$wpid/stat 2>/dev/null)
kill $wpid 2>/dev/null
i=0
while kill -0 $wpid 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
wgone=$(kill -0 $wpid 2>/dev/null && echo no || echo yes)
kill $bpid 2>/dev/null
i=0
while kill -0 $bpid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
bgone=$(kill -0 $bpid 2>/dev/null && echo no || echo "yes, in $((i / 10)).$((i % 10)) s")
echo 100000 >$P/bench_pairs
echo 5 >$P/bench_reps
mark_end bench_interruptible
if [ "$wstate" = S ] && [ "$wgone" = yes ] && [ "${bgone%%,*}" = yes ]; then
	ok "bench_interruptible (benchmark ended on SIGTERM: $bgone)"
else
	not_ok bench_interruptible "waiting run in state '$wstate', killed: $wgone; benchmark ended: $bgone"
fi
exit 0
