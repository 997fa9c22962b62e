#!/usr/bin/env bash
# `iomap-check analyze` as a hostile but fair user runs it (issue 9): full
# disks, an output that is an input, trace.dat on stdin, a trace.dat that
# crashes libtracecmd, a malformed line in a legal capture, a task name with
# terminal escapes, --json --dump-events. KTAP on stdout.
#
# usage: analyze_cli.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${ABS_BUILD:-$top/build}}
an=$build/bin/iomap-check
work=$build/check/analyze-cli
dat=$top/tests/fuzz/corpus/tracedat
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
n=0
. "$top/tests/host/ktap_lib.sh"

echo "KTAP version 1"
echo "1..13"

# a legal capture: the fixture's first scenarios (nesting_legal, wc_across_sleep)
gzip -dc "$top/tests/host/analyze/6.1/ftrace.txt.gz" | awk '/scn_lifo_local/ { exit } { print }' >legal.txt
run legal "$an" analyze -q legal.txt
# line 126 is an io_mapping_map; cut off its vaddr and what follows
awk 'NR == 126 { sub(/ vaddr=.*/, "") } 1' legal.txt >legal-cut.txt
run cut "$an" analyze -q --json legal-cut.txt
if [ "$(rc legal)" = 0 ] && [ "$(rc cut)" = 0 ] && ! grep -q '"rule"' cut.out &&
   grep -q '"type":"lost"' cut.out; then
	res ok "malformed_line_in_legal_capture_is_a_drop"
else
	res fail "malformed_line_in_legal_capture_is_a_drop" "exit $(rc legal)/$(rc cut): $(grep -o '"rule":"[a-z_]*"' cut.out | head -3 | tr '\n' ' ')"
fi

run full-json "$an" analyze -q --json legal-cut.txt --output=/dev/full
[ "$(rc full-json)" = 5 ] && grep -q "write error" full-json.err &&
	res ok "json_to_full_disk_reported_exit_5" ||
	res fail "json_to_full_disk_reported_exit_5" "exit $(rc full-json): $(head -c 200 full-json.err)"

"$an" analyze -q --dump-events legal.txt >/dev/full 2>dump-full.err
r=$?
[ $r = 5 ] && grep -q "write error" dump-full.err &&
	res ok "dump_events_to_full_disk_reported_exit_5" ||
	res fail "dump_events_to_full_disk_reported_exit_5" "exit $r: $(head -c 200 dump-full.err)"

"$an" analyze "$top/tests/fuzz/corpus/tracedat/capture-6.1-v7-zstd" >/dev/full 2>text-full.err
r=$?
[ $r = 5 ] && grep -q "write error" text-full.err &&
	res ok "text_reports_to_full_disk_reported_exit_5" ||
	res fail "text_reports_to_full_disk_reported_exit_5" "exit $r: $(head -c 200 text-full.err)"

# a reader that goes away: reported like a full disk, not a death by SIGPIPE
# (160 KB of events: more than a pipe holds, so a write meets the closed end)
gzip -dc "$top/tests/host/analyze/6.1/ftrace.txt.gz" >all.txt
"$an" analyze -q --dump-events all.txt 2>pipe.err | head -c 100 >/dev/null
r=${PIPESTATUS[0]}
[ $r = 5 ] && grep -q "write error: Broken pipe" pipe.err &&
	res ok "text_reports_to_closed_pipe_reported_exit_5" ||
	res fail "text_reports_to_closed_pipe_reported_exit_5" "exit $r: $(head -c 200 pipe.err)"

cp legal.txt same.txt
run same "$an" analyze -o same.txt same.txt
cmp -s legal.txt same.txt && [ "$(rc same)" = 2 ] && grep -q "also an input" same.err &&
	res ok "output_that_is_an_input_refused" ||
	res fail "output_that_is_an_input_refused" "exit $(rc same), input $(cmp -s legal.txt same.txt && echo intact || echo changed)"

"$an" analyze same.txt >>same.txt 2>append.err
r=$?
cmp -s legal.txt same.txt && [ $r = 2 ] &&
	res ok "stdout_appending_to_an_input_refused" ||
	res fail "stdout_appending_to_an_input_refused" "exit $r"

run dat-path "$an" analyze -q --json "$dat/capture-6.1-v7-zstd"
run dat-stdin "$an" analyze -q --json - <"$dat/capture-6.1-v7-zstd"
if [ "$(rc dat-path)" = 1 ] && [ "$(rc dat-stdin)" = 1 ] &&
   [ "$(grep -c '"rule":"lifo"' dat-stdin.out)" = 2 ] &&
   diff <(sed 's/"time":[^,]*,//' dat-path.out) <(sed 's/"time":[^,]*,//' dat-stdin.out) >/dev/null; then
	res ok "tracedat_from_stdin_same_as_from_path"
else
	res fail "tracedat_from_stdin_same_as_from_path" "exit $(rc dat-path)/$(rc dat-stdin): $(head -c 200 dat-stdin.err)"
fi

# one byte changed: libtracecmd 3.1.6 crashes in tracecmd_open_fd()
run crash "$an" analyze "$dat/regress-libtracecmd-segv"
[ "$(rc crash)" = 2 ] && grep -q "libtracecmd crashed" crash.err &&
	res ok "tracedat_crashing_libtracecmd_contained_exit_2" ||
	res fail "tracedat_crashing_libtracecmd_contained_exit_2" "exit $(rc crash): $(head -c 200 crash.err)"

run crash-q "$an" analyze -q "$dat/regress-libtracecmd-segv"
! grep -q "mmap" crash-q.err && grep -q "libtracecmd crashed" crash-q.err &&
	res ok "quiet_hides_libtracecmd_messages_not_errors" ||
	res fail "quiet_hides_libtracecmd_messages_not_errors" "$(head -c 200 crash-q.err)"

printf '# tracer: nop\n          a\033]0;x\007b\033[31m-116     (    116) [000] .N...     3.949059: io_mapping_unmap: kind=local ctx=task vaddr=0xff392031c1000000 caller=x+0x1/0x2 [m]\n' >esc.txt
run esc "$an" analyze esc.txt
run esc-dump "$an" analyze --dump-events esc.txt
if [ "$(rc esc)" = 1 ] && ! grep -q $'\033' esc.out && ! grep -q $'\007' esc.out &&
   ! grep -q $'\033' esc-dump.out && grep -q 'a\\x1b]0;x\\x07b\\x1b\[31m/116' esc.out; then
	res ok "task_name_escapes_escaped_in_text_reports"
else
	res fail "task_name_escapes_escaped_in_text_reports" "exit $(rc esc): $(grep -a -m1 'is unmapping' esc.out | cat -v)"
fi

run dump-json "$an" analyze --json --dump-events legal.txt
lines=$(wc -l <dump-json.out)
objs=$(grep -c '^{"type":"event",.*}$' dump-json.out)
[ "$(rc dump-json)" = 0 ] && [ "$lines" -gt 100 ] && [ "$lines" = "$objs" ] &&
	res ok "json_dump_events_is_json ($lines events)" ||
	res fail "json_dump_events_is_json" "exit $(rc dump-json), $objs of $lines lines are event objects"

# the checked count and the exit status come from the events, not the format
run dump-text "$an" analyze --dump-events legal.txt
[ "$(wc -l <dump-text.out)" = "$lines" ] &&
	res ok "json_and_text_dumps_same_events" ||
	res fail "json_and_text_dumps_same_events" "$(wc -l <dump-text.out) text lines, $lines JSON"
