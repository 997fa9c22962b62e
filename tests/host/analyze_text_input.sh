#!/usr/bin/env bash
# `iomap-check analyze` on damaged, foreign and unusual text input (issue 16
# items 1, 2, 6, 8), from the real 6.1 guest capture: an io_mapping line with
# its timestamp, CPU column or flags damaged, a task named "x [1] y", per-CPU
# traces one after another (from a file and from a pipe), a header claiming
# 65535 CPUs with overwritten entries. KTAP on stdout.
#
# usage: analyze_text_input.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${ABS_BUILD:-$top/build}}
an=$build/bin/iomap-check
work=$build/check/analyze-text-input
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
n=0
. "$top/tests/host/ktap_lib.sh"
rules() { grep -o '"rule":"[a-z_]*","time":[^,]*,.*"site":"[^"+]*' "$1" |
	sed 's/"rule":"\([a-z_]*\)".*"site":"\(.*\)/\1@\2/' | sort; }

echo "KTAP version 1"
echo "1..8"

gzip -dc "$top/tests/host/analyze/6.1/ftrace.txt.gz" >all.txt
# the capture's first scenarios (nesting_legal, wc_across_sleep): no violation
awk '/scn_lifo_local/ { exit } { print }' all.txt >legal.txt
run all "$an" analyze --json all.txt
rules all.out >all.rules

# item 1: line 126 is an io_mapping_map (atomic) of task sh-116 whose unmap follows;
# with its header damaged it is a lost event of its CPU (or of all CPUs),
# never "not trace text" and a false unknown_unmap
for d in 'timestamp:s/3\.949213:/3.9x9213:/' 'cpu_column:s/\[000\]/[0x0]/' \
	 'flags:s/ \.N\.2\. / .N?2. /'; do
	name=${d%%:*}
	sed "126${d#*:}" legal.txt >"dmg-$name.txt"
	run "dmg-$name" "$an" analyze --json "dmg-$name.txt"
	if [ "$(rc "dmg-$name")" = 0 ] && ! grep -q '"rule"' "dmg-$name.out" &&
	   grep -q '"type":"lost"' "dmg-$name.out" &&
	   grep -q "dmg-$name.txt:126: .*lost" "dmg-$name.err" &&
	   grep -q "skipped 1 io_mapping/sched lines .*(line 126)" "dmg-$name.err" &&
	   ! grep -q "not trace text" "dmg-$name.err"; then
		res ok "damaged_${name}_on_io_mapping_line_is_a_loss"
	else
		res fail "damaged_${name}_on_io_mapping_line_is_a_loss" \
			"exit $(rc "dmg-$name"): $(grep -o '"rule":"[a-z_]*"' "dmg-$name.out" | head -3) $(head -c 300 "dmg-$name.err")"
	fi
done

# item 2: the lifo task renamed "x [1] y" (comms are free text)
sed -E 's/^ +sh-([0-9]+) /         x [1] y-\1 /; s/prev_comm=sh /prev_comm=x [1] y /' all.txt >comm.txt
run comm "$an" analyze --json comm.txt
rules comm.out >comm.rules
if [ "$(rc comm)" = 1 ] && grep -q '"comm":"x \[1\] y"' comm.out && cmp -s all.rules comm.rules &&
   grep -q 'lifo@scn_lifo_local' comm.rules; then
	res ok "task_named_with_brackets_same_verdicts ($(wc -l <comm.rules) reports)"
else
	res fail "task_named_with_brackets_same_verdicts" "exit $(rc comm): $(diff all.rules comm.rules | head -5)"
fi

# item 6: `cat per_cpu/cpu0/trace per_cpu/cpu1/trace`, each CPU's block
# padded past the reorder window
for c in 000 001; do
	grep '^#' all.txt
	awk -v c=$c 'BEGIN { for (i = 0; i < 5000; i++)
		printf "          <idle>-0       (-------) [%s] d.h1.     1.%06d: irq_handler_exit: irq=11 ret=handled\n", c, i * 100 + (c == "001") }'
	grep -v '^#' all.txt | grep -F "[$c]"
	awk -v c=$c 'BEGIN { for (i = 0; i < 5000; i++)
		printf "          <idle>-0       (-------) [%s] d.h1.     9.%06d: irq_handler_exit: irq=11 ret=handled\n", c, i * 100 + (c == "001") }'
done >percpu.txt
run percpu "$an" analyze --json percpu.txt
rules percpu.out >percpu.rules
if [ "$(rc percpu)" = 1 ] && cmp -s all.rules percpu.rules && ! grep -q "late" percpu.err; then
	res ok "per_cpu_traces_one_after_another_merged"
else
	res fail "per_cpu_traces_one_after_another_merged" "exit $(rc percpu): $(diff all.rules percpu.rules | head -5) $(grep late percpu.err)"
fi
"$an" analyze -q - <percpu.txt >percpu-pipe.out 2>percpu-pipe.err
r=$?
cat percpu.txt | "$an" analyze -q - >percpu-pipe.out 2>percpu-pipe.err
r2=${PIPESTATUS[1]}
if [ "$r" = 1 ] && [ "$r2" = 2 ] && grep -q "cannot be merged from a pipe" percpu-pipe.err; then
	res ok "per_cpu_traces_from_a_pipe_exit_2_redirect_merged"
else
	res fail "per_cpu_traces_from_a_pipe_exit_2_redirect_merged" "exit $r (redirect), $r2 (pipe): $(head -c 200 percpu-pipe.err)"
fi

# per-CPU blocks files among more inputs than may be open at once: their
# blocks read through the file layer (pread), the files parked and reopened
# like any input (ulimit -n 10: at most 5 inputs open); the same verdicts
# and counts as with no limit, every block read to its end
mkdir -p manyblk
for i in 1 2 3 4 5 6 7 8; do cp percpu.txt "manyblk/p$i.txt"; done
run manyblk-ref "$an" analyze --json manyblk/p*.txt
(ulimit -n 10; "$an" analyze --json manyblk/p*.txt >manyblk-n.out 2>manyblk-n.err; echo $? >manyblk-n.rc)
one=$(sed -n 's/^iomap-check: \([0-9]*\) events checked.*/\1/p' percpu.err)
all=$(sed -n 's/^iomap-check: \([0-9]*\) events checked.*/\1/p' manyblk-n.err)
if [ "$(rc manyblk-ref)" = 1 ] && [ "$(rc manyblk-n)" = 1 ] && cmp -s manyblk-ref.out manyblk-n.out &&
   [ -n "$one" ] && [ "$all" = $((8 * one)) ] && ! grep -q "late\|reopening\|cannot" manyblk-n.err; then
	res ok "per_cpu_blocks_files_parked_and_reopened ($all events)"
else
	res fail "per_cpu_blocks_files_parked_and_reopened" "exit $(rc manyblk-ref)/$(rc manyblk-n), events $one x 8 vs $all: $(head -c 300 manyblk-n.err)"
fi

# item 8: "#P:65535" and 79 entries overwritten: one loss of every CPU at
# the start, not 65535 markers overflowing the reorder window
sed 's|^# entries-in-buffer/entries-written: 2221/2221   #P:2|# entries-in-buffer/entries-written: 2221/2300   #P:65535|' \
	all.txt >cpus.txt
run cpus "$an" analyze --json cpus.txt
rules cpus.out >cpus.rules
# the loss at the start may hide unknown_unmap reports (unmaps of maps the
# lost part may have made), nothing else, and adds none
if [ "$(rc cpus)" = 1 ] && [ -z "$(comm -13 all.rules cpus.rules)" ] &&
   [ -z "$(comm -23 all.rules cpus.rules | grep -v '^unknown_unmap@')" ] &&
   grep -q "^iomap-check: 1 drop marker " cpus.err && [ "$(grep -c '"type":"lost"' cpus.out)" = 1 ]; then
	res ok "huge_cpu_count_header_one_loss ($(wc -l <cpus.rules) reports)"
else
	res fail "huge_cpu_count_header_one_loss" "exit $(rc cpus), $(wc -l <cpus.rules) reports: $(grep drop cpus.err | head -2)"
fi
