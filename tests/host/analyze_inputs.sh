#!/usr/bin/env bash
# `iomap-check analyze` and its inputs (issue 16): the same input twice,
# a thousand inputs under file and memory limits, a closed stdout,
# recordings from a pipe, memremap-only recordings, exact counts in the
# summary and the lost objects, a kallsyms that never ends, the
# unknown-rule message of both tools. KTAP on stdout.
#
# usage: analyze_inputs.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${ABS_BUILD:-$top/build}}
an=$build/bin/iomap-check
ckd=$build/bin/iomap-checkd
mkrec=$build/bin/tests/analyze_mkrec
work=$build/check/analyze-inputs
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
n=0
. "$top/tests/host/ktap_lib.sh"
# ftrace text: task PID maps and unmaps one local map at second S (legal)
pair() {	# pair PID S
	printf '%16s-%-7d [000] .....  %5d.000001: io_mapping_map: kind=local ctx=task mapping=0xff2492ef7ffa6440 size=16777216 offset=0x0 len=4096 vaddr=0xff392031c%07x caller=f+0x1/0x20 [m]\n' \
		sh "$1" "$2" "$(($1 * 4096))"
	printf '%16s-%-7d [000] .....  %5d.000002: io_mapping_unmap: kind=local ctx=task vaddr=0xff392031c%07x caller=f+0x2/0x20 [m]\n' \
		sh "$1" "$2" "$(($1 * 4096))"
}

echo "KTAP version 1"
echo "1..12"

# ---- item 7: a report printed means exit 1, whatever else is missing
"$mkrec" memremap mr.iomc
run mr "$an" analyze mr.iomc
[ "$(rc mr)" = 1 ] && [ "$(grep -c 'memremap_bad_flags$' mr.out)" = 3 ] &&
	! grep -q "no io_mapping" mr.err && grep -q "3 events checked, 3 violations" mr.err &&
	res ok "memremap_only_recording_reports_exit_1" ||
	res fail "memremap_only_recording_reports_exit_1" "exit $(rc mr): $(tail -c 300 mr.err)"

# ---- item 15: a recording is read sequentially: from a pipe as from the file
"$mkrec" lifo lifo.iomc
run rec-path "$an" analyze --json lifo.iomc
cat lifo.iomc | "$an" analyze --json - >rec-pipe.out 2>rec-pipe.err
r=$?
[ "$(rc rec-path)" = 1 ] && [ $r = 1 ] && grep -q '"rule":"lifo"' rec-pipe.out &&
	cmp -s rec-path.out rec-pipe.out &&
	res ok "recording_from_a_pipe_same_as_from_its_path" ||
	res fail "recording_from_a_pipe_same_as_from_its_path" "exit $(rc rec-path)/$r: $(head -c 300 rec-pipe.err)"

# ---- item 11: the same input twice is refused, copies are not
pair 100 1 >one.txt
cp one.txt copy.txt
ln one.txt hard.txt
ln -s one.txt sym.txt
ok11=1 why=
for args in "one.txt one.txt" "one.txt hard.txt" "sym.txt one.txt" "- -" "- /dev/stdin"; do
	# shellcheck disable=SC2086
	"$an" analyze -q $args <one.txt >dup.out 2>dup.err
	r=$?
	if [ $r != 2 ] || ! grep -q "are the same input" dup.err || [ -s dup.out ]; then
		ok11=0 why="$why [$args: exit $r $(head -c 100 dup.err)]"
	fi
done
run copies "$an" analyze -q one.txt copy.txt
[ "$(rc copies)" != 2 ] || ok11=0 why="$why [copies: exit $(rc copies)]"
[ $ok11 = 1 ] && res ok "same_input_twice_refused_exit_2" || res fail "same_input_twice_refused_exit_2" "$why"

# ---- item 14: a closed stdout is said as such
"$an" analyze one.txt >&- 2>closed.err
r=$?
"$an" analyze -q -o closed-o.out one.txt >&- 2>closed-o.err
r2=$?
[ $r = 2 ] && grep -q "standard output is closed" closed.err && ! grep -q "also an input" closed.err &&
	[ $r2 = 0 ] && [ ! -s closed-o.err ] &&
	res ok "closed_stdout_said_exit_2" ||
	res fail "closed_stdout_said_exit_2" "exit $r/$r2: $(head -c 200 closed.err) $(head -c 200 closed-o.err)"

# ---- item 12: a thousand inputs, a bounded number of them open at once
mkdir -p many
for i in $(seq 1 1000); do pair $((1000 + i)) $i >many/in$i.txt; done
files=(many/in*.txt)
run many-ref "$an" analyze "${files[@]:0:300}"
(ulimit -n 64; "$an" analyze "${files[@]:0:300}" >many-n.out 2>many-n.err; echo $? >many-n.rc)
[ "$(rc many-ref)" = 0 ] && [ "$(rc many-n)" = 0 ] && grep -q "600 events checked" many-n.err &&
	res ok "300_inputs_under_ulimit_n_64" ||
	res fail "300_inputs_under_ulimit_n_64" "exit $(rc many-ref)/$(rc many-n): $(head -c 200 many-n.err)"

(ulimit -v 2000000; "$an" analyze "${files[@]}" >many-v.out 2>many-v.err; echo $? >many-v.rc)
[ "$(rc many-v)" = 0 ] && grep -q "2000 events checked" many-v.err &&
	res ok "1000_inputs_under_ulimit_v_2000000" ||
	res fail "1000_inputs_under_ulimit_v_2000000" "exit $(rc many-v): $(head -c 200 many-v.err)"

# too little memory for them all: the error names the input it was reading
(ulimit -v 150000; "$an" analyze "${files[@]}" >many-oom.out 2>many-oom.err; echo $? >many-oom.rc)
[ "$(rc many-oom)" = 2 ] && grep -q "^iomap-check: many/in[0-9]*\.txt: out of memory" many-oom.err &&
	! grep -q "^iomap-check: out of memory" many-oom.err &&
	res ok "out_of_memory_names_the_input" ||
	res fail "out_of_memory_names_the_input" "exit $(rc many-oom): $(head -c 200 many-oom.err)"

# ---- item 13: exact counts
"$mkrec" drops drops.iomc
run drops "$an" analyze --json drops.iomc
lost=$(grep '"type":"lost"' drops.out)
if [ "$(rc drops)" = 0 ] && grep -q '"time":5.000001000,.*"count":1,"total":1}' <<<"$lost" &&
   grep -q '"time":7.000001000,.*"count":7,"total":8}' <<<"$lost" &&
   grep -q "4 events checked, 0 violations" drops.err; then
	res ok "lost_objects_in_trace_time_counts_exact"
else
	res fail "lost_objects_in_trace_time_counts_exact" "exit $(rc drops): $lost $(grep checked drops.err)"
fi

for i in $(seq 1 16); do
	printf '%16s-%-7d [000] .....  %5d.000001: io_mapping_unmap: kind=local ctx=task vaddr=0xff392031c%07x caller=u%d+0x1/0x20 [m]\n' \
		sh 300 "$i" "$((i * 4096))" "$i"
done >unknown16.txt
run full "$an" analyze -o /dev/full unknown16.txt
run full-json "$an" analyze --json unknown16.txt --output=/dev/full
[ "$(rc full)" = 5 ] && grep -q "16 of 16 reports could not be written" full.err &&
	[ "$(rc full-json)" = 5 ] && grep -q "16 of 16 reports could not be written" full-json.err &&
	grep -q "write error" full.err &&
	res ok "reports_lost_to_a_full_disk_counted_exactly" ||
	res fail "reports_lost_to_a_full_disk_counted_exactly" "exit $(rc full)/$(rc full-json): $(grep 'could not' full.err full-json.err)"

# ---- item 16: a kallsyms that never ends, or has no symbol line
timeout 30 "$an" analyze --kallsyms /dev/urandom one.txt >ks.out 2>ks.err
r=$?
timeout 30 "$an" analyze --kallsyms /dev/null one.txt >ks0.out 2>ks0.err
r0=$?
[ $r = 2 ] && grep -q "not a kallsyms file" ks.err && [ $r0 = 2 ] && grep -q "no symbol" ks0.err &&
	res ok "kallsyms_urandom_and_empty_refused_exit_2" ||
	res fail "kallsyms_urandom_and_empty_refused_exit_2" "exit $r/$r0: $(head -c 200 ks.err)"

# ---- item 21: both tools point to --list-rules, and both have it
run az-rule "$an" analyze --disable nosuch one.txt
run ckd-rule "$ckd" --disable nosuch
run az-list "$an" analyze --list-rules
run ckd-list "$ckd" --list-rules
[ "$(rc az-rule)" = 2 ] && grep -q "unknown rule 'nosuch' (iomap-check analyze --list-rules" az-rule.err &&
	[ "$(rc ckd-rule)" = 2 ] && grep -q "unknown rule 'nosuch' (iomap-checkd --list-rules" ckd-rule.err &&
	! grep -q "listed by --help" az-rule.err ckd-rule.err &&
	[ "$(rc az-list)" = 0 ] && [ "$(rc ckd-list)" = 0 ] && [ -s az-list.out ] && cmp -s az-list.out ckd-list.out &&
	res ok "unknown_rule_points_to_list_rules_in_both_tools" ||
	res fail "unknown_rule_points_to_list_rules_in_both_tools" "$(head -c 150 az-rule.err) / $(head -c 150 ckd-rule.err) / list $(rc az-list)/$(rc ckd-list)"

# ---- item 15 too: the help and the man page say which inputs a pipe can carry
"$an" analyze --help >help.out
grep -q "a recording may come from a pipe; a trace.dat may not" help.out &&
	grep -q "recording may come from a pipe" "$top/analyze/iomap-check.1" &&
	res ok "help_and_man_page_say_pipes_carry_recordings" ||
	res fail "help_and_man_page_say_pipes_carry_recordings"
