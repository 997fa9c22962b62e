#!/usr/bin/env bash
# `iomap-check analyze` on traces captured in the guest (KTAP on stdout).
#
# Boots the guest in mode "analyze" (tests/guest/analyze.sh), which runs
# every scenario under each recorder: ftrace text (with and without the
# flag columns, local and counter clocks), trace-cmd record (trace.dat) and
# iomap-checkd --record (when the daemon is in the guest). Then, here on the
# host, each capture is analyzed, trace.dat also through `trace-cmd report`
# (µs and -t ns), and the violations found, as (rule, function of the
# site), must equal:
#   - for the daemon's recording: exactly what the daemon reported live, and
#     the scenarios' declared expectations;
#   - for ftrace/trace-cmd captures: the declared expectations minus
#     might_sleep_in_atomic (traces carry no might-sleep events: only the
#     daemon's hooks see a function that may sleep but did not).
# The ftrace text and `trace-cmd report` must print kind= and ctx= by name
# (kind=local ctx=task, not kind=0x1 ctx=0x0).
# The captures are also added to the fuzzers' corpora (build/fuzz/corpus).
#
# usage: analyze_guest.sh --kernel K [--timeout S] [--bin F]... [--save-fixtures DIR]
#   --save-fixtures DIR: keep the text captures (gzip) and the scenario list
#   in DIR/<kernel>/ for analyze_fixtures.sh (tests/host/analyze/)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${ABS_BUILD:-$top/build}
an=$build/bin/iomap-check
kernel=${KERNEL:-6.1} timeout=300 fixtures=
bins=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--bin) bins+=(--bin "$2"); shift 2 ;;
	--save-fixtures) fixtures=$2; shift 2 ;;
	*) echo "analyze_guest.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
. "$top/tests/host/analyze_lib.sh"
out=$build/vm/analyze-$kernel
cap=$out/captures
n=0
az_res() { # ok|not_ok NAME [WHY]
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n $2${3:+ # $3}"; else echo "not ok $n $2 # $3"; fi
}
res() { az_res "$@"; }

[ -x "$an" ] || { echo "not ok 1 analyze_guest: $an not built"; exit 1; }

# trace-cmd and the shared libraries it needs, at the same paths in the guest
extras=()
if tc=$(command -v trace-cmd); then
	extras+=(--extra "$tc:/bin/trace-cmd")
	for lib in $(ldd "$tc" | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }'); do
		extras+=(--extra "$lib:$lib")
	done
fi

echo "# analyze_guest: booting $kernel in mode analyze"
"$top/vm/vm.sh" --kernel "$kernel" --mode analyze --chan traces --out "$out" \
	--timeout "$timeout" --label "$kernel analyze" "${extras[@]}" "${bins[@]}"
vm_rc=$?

# split the channel into one file per section
rm -rf "$cap"
mkdir -p "$cap"
awk -v dir="$cap" '
	/^@@@ begin / { f = dir "/" $3 ".raw"; next }
	/^@@@ end / { close(f); f = ""; next }
	f != "" { print > f }
' "$out/traces.log" 2>/dev/null
for k in tracedat record; do
	[ -f "$cap/$k.raw" ] && base64 -d "$cap/$k.raw" >"$cap/$k.bin" 2>/dev/null
done
echo "# analyze_guest: captures: $(cd "$cap" && ls | tr '\n' ' ')"
if [ ! -s "$cap/list.raw" ]; then
	res not_ok "analyze_guest_captures" "no capture came out of the guest (vm.sh exited $vm_rc)"
	exit 1
fi

# kind= and ctx= by name (TRACE_DEFINE_ENUM + __print_symbolic): in the
# kernel's own text and in what trace-cmd (libtraceevent) makes of trace.dat
names() { # NAME FILE
	local ev named bad
	ev=$(grep -cE 'io_mapping_(un)?map: ' "$2")
	named=$(grep -cE 'io_mapping_(un)?map: +kind=[a-z]+ ctx=[a-z]+ ' "$2")
	bad=$(grep -m1 -oE '(kind|ctx)=(0x)?[0-9][^ ]*' "$2" | head -n 1)
	if [ "$ev" -gt 0 ] && [ "$named" = "$ev" ] && [ -z "$bad" ] &&
		grep -q 'kind=local ctx=task' "$2"; then
		res ok "analyze_$1_kind_ctx_by_name ($ev events: kind=local ctx=task ...)"
	else
		res not_ok "analyze_$1_kind_ctx_by_name" "$named of $ev map/unmap events named${bad:+, found $bad}"
	fi
}
[ -s "$cap/ftrace.raw" ] && names ftrace "$cap/ftrace.raw"

# expected (rule@function) lines from the scenario list
az_expect "$cap/list.raw" "$cap/expect.all" "$cap/expect.trace"
check() { # NAME EXPECT ANALYZE-ARGS...
	local name=$1 exp=$2
	shift 2
	az_check "$name" "$exp" "$cap" "$@"
}

for k in ftrace ftrace-noirq ftrace-counter; do
	if [ -s "$cap/$k.raw" ]; then
		az_expect_trace "$cap/expect.trace" "$cap/$k.raw" "$cap/$k.expect"
		check "$k" "$cap/$k.expect" "$cap/$k.raw"
	else
		res not_ok "analyze_$k" "not captured"
	fi
done

if [ -s "$cap/tracedat.bin" ]; then
	trace-cmd report -i "$cap/tracedat.bin" >"$cap/tcreport.txt" 2>/dev/null
	trace-cmd report -t -i "$cap/tracedat.bin" >"$cap/tcreport-ns.txt" 2>/dev/null
	names tcreport "$cap/tcreport.txt"
	az_expect_trace "$cap/expect.trace" "$cap/tcreport.txt" "$cap/tracedat.expect"
	check tracedat "$cap/tracedat.expect" "$cap/tracedat.bin"
	check tcreport "$cap/tracedat.expect" "$cap/tcreport.txt"
	check tcreport-ns "$cap/tracedat.expect" "$cap/tcreport-ns.txt"
else
	res ok analyze_tracedat "SKIP no trace.dat captured (trace-cmd missing in the guest?)"
fi

if [ -s "$cap/record.bin" ]; then
	az_found "$cap/live.raw" >"$cap/live.found"
	ks=()
	[ -s "$cap/kallsyms.raw" ] && ks=(--kallsyms "$cap/kallsyms.raw")
	check record "$cap/live.found" "$cap/record.bin" "${ks[@]}"
	check record-expect "$cap/expect.all" "$cap/record.bin" "${ks[@]}"
	# stricter: the daemon's live reports, field for field but the stack (the
	# recording has none)
	az_reports "$cap/live.raw" >"$cap/live.reports"
	az_reports "$cap/record.json" >"$cap/record.reports"
	if [ ! -s "$cap/live.reports" ]; then
		res not_ok analyze_record_same_reports_as_live "the daemon reported nothing live"
	elif d=$(diff "$cap/live.reports" "$cap/record.reports"); then
		res ok "analyze_record_same_reports_as_live ($(wc -l <"$cap/live.reports") reports)"
	else
		res not_ok analyze_record_same_reports_as_live "$(echo "$d" | head -n 4 | cut -c1-200 | tr '\n' ' ')"
	fi
else
	res ok analyze_record "SKIP no daemon recording (iomap-checkd not in the guest yet)"
fi

if [ -n "$fixtures" ]; then
	mkdir -p "$fixtures/$kernel"
	cp "$cap/list.raw" "$fixtures/$kernel/list.txt"
	for k in ftrace ftrace-noirq ftrace-counter; do
		[ -s "$cap/$k.raw" ] && gzip -9nc "$cap/$k.raw" >"$fixtures/$kernel/$k.txt.gz"
	done
	for k in tcreport tcreport-ns; do
		[ -s "$cap/$k.txt" ] && gzip -9nc "$cap/$k.txt" >"$fixtures/$kernel/$k.txt.gz"
	done
fi

# seed the fuzzers with real traces (64 KiB pieces: the fuzzers' max_len)
seed() { # TARGET FILE
	local d=$build/fuzz/corpus/$1
	mkdir -p "$d"
	split -b 60000 -d -a 3 "$2" "$d/guest-$kernel-$(basename "$2")-"
}
[ -s "$cap/ftrace.raw" ] && seed ftrace "$cap/ftrace.raw"
[ -s "$cap/ftrace-noirq.raw" ] && seed ftrace "$cap/ftrace-noirq.raw"
[ -s "$cap/ftrace-counter.raw" ] && seed ftrace "$cap/ftrace-counter.raw"
[ -s "$cap/tcreport.txt" ] && seed tcreport "$cap/tcreport.txt"
[ -s "$cap/record.bin" ] && seed record "$cap/record.bin"
exit 0
