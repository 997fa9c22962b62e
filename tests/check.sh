#!/usr/bin/env bash
# Run every test suite and total their KTAP results.
#
# usage: check.sh HOST_SUITE... [--guest GUEST_SUITE...]
#   (each SUITE is a command run with bash -c)
# Each suite prints KTAP on stdout (top-level "ok N ..." / "not ok N ...").
# A suite fails as a whole, as one failed test of its own, when:
#   - it exits non-zero without reporting a failure (a crashed suite can
#     never pass silently);
#   - it reports no result at all;
#   - its results do not match its plan ("1..N"): it died midway, or
#     counted wrong; or a "KTAP version" document of it has no plan (it
#     ended before printing one);
#   - it runs longer than CHECK_SUITE_TIMEOUT seconds (default 1800): it is
#     killed (its whole process group, QEMU included) and fails, so that a
#     hung suite never stalls the run.
#
# Lanes: the host suites run one after another in one lane while the guest
# suites (each boots QEMU, one TCG thread) run alongside, CHECK_GUESTS of
# them at once (default 2: the machines have 2 cores), the longest first
# (by the times of the previous run in the log directory). CHECK_GUESTS=0
# runs every suite one at a time, in the order given. Each suite's output
# goes to its log (CHECK_LOGDIR, default build/check) and is printed whole,
# in the order given, as soon as it and the suites before it are done.
#
# Each suite's wall time is printed ("# time: SUITE N s"), then all of them
# and the total; the last line is always "N passed, N failed[, N skipped]".
set -u
passed=0 failed=0 skipped=0
logdir=${CHECK_LOGDIR:-build/check}
guests=${CHECK_GUESTS:-2}
limit=${CHECK_SUITE_TIMEOUT:-1800}
mkdir -p "$logdir"
t_all=$SECONDS

suites=() is_guest=()
guest=0
for a in "$@"; do
	if [ "$a" = --guest ]; then guest=1; continue; fi
	suites+=("$a")
	is_guest+=("$guest")
done
nsuites=${#suites[@]}

# short_plans LOG: " N results, its plan says P" for each top-level KTAP
# document in LOG whose results do not match its plan, and " a KTAP
# document without its plan" for one begun by "KTAP version" that never
# printed its plan. A document starts at "KTAP version" or a plan "1..P"
# (subtests are indented: not top level) and ends at the next one, or where
# the numbering starts again at 1 (a suite may print another tool's
# document, then its own results without a plan).
short_plans() {
	awk '
		function done_doc() {
			if (planned && cnt != plan)
				printf " %d results, its plan says %d;", cnt, plan
			else if (header && !planned)
				printf " a KTAP document without its plan;"
			planned = 0
			header = 0
			fresh = 0
			cnt = 0
		}
		/^KTAP version/ { done_doc(); header = 1; fresh = 1; next }
		/^1\.\.[0-9]+[ \t]*$/ {
			if (!fresh)
				done_doc()
			fresh = 0
			plan = substr($0, 4) + 0
			planned = 1
			next
		}
		/^(not )?ok [0-9]+/ {
			fresh = 0
			num = ($1 == "ok") ? $2 : $3
			if (planned && cnt > 0 && num + 0 == 1)
				done_doc()
			if (planned)
				cnt++
		}
		END { done_doc() }
	' "$1"
}

# The log, status and time files of suite I.
base() { echo "$logdir/$(echo "${suites[$1]}" | tr -c 'A-Za-z0-9_.-' '_' | cut -c1-60)"; }

# run_suite I: suite I, its output in its log, "RC SECONDS" in its .done
# (written last: the file's presence says the suite is over). Under
# `timeout`, in a process group of its own that the limit kills whole.
run_suite() {
	local b t0 rc
	b=$(base "$1")
	t0=$SECONDS
	timeout -k 10 "$limit" bash -c "${suites[$1]}" >"$b.log" 2>&1 </dev/null
	rc=$?
	echo "$rc $((SECONDS - t0))" >"$b.done.tmp" && mv "$b.done.tmp" "$b.done"
}

# The previous run's time of each suite ("SECONDS<TAB>SUITE" lines).
hist=$logdir/times.tsv
prev_time() {
	# the name through the environment: awk -v would read its backslashes
	S=$1 awk -F '\t' '$2 == ENVIRON["S"] { t = $1 } END { print t + 0 }' "$hist" 2>/dev/null ||
		echo 0
}

times=()
# report I: print suite I's output and verdict, add its counts
report() {
	local suite=${suites[$1]} b log rc secs p s f short n
	b=$(base "$1")
	log=$b.log
	read -r rc secs <"$b.done"
	echo "# suite: $suite"
	cat "$log"
	p=$(grep -cE '^ok [0-9]+' "$log")
	s=$(grep -E '^ok [0-9]+' "$log" | grep -cE '# *SKIP')
	f=$(grep -cE '^not ok [0-9]+' "$log")
	short=$(short_plans "$log")
	n=$((p + f))
	p=$((p - s))
	# timeout's 124, or 137 when it had to kill; a suite killed by a
	# signal of its own before the limit exits 137 too
	if { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && [ "$secs" -ge "$limit" ]; then
		echo "not ok - suite '$suite' timed out after $limit s (CHECK_SUITE_TIMEOUT): killed"
		f=$((f + 1))
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - suite '$suite' exited $rc"
		f=$((f + 1))
	fi
	if [ -n "$short" ]; then
		echo "not ok - suite '$suite' reported$short"
		f=$((f + 1))
	elif [ "$n" = 0 ] && [ "$f" = 0 ]; then
		echo "not ok - suite '$suite' reported no result"
		f=1
	fi
	echo "# time: $suite $secs s"
	times+=("$(printf '%5d  %s' "$secs" "$suite")")
	printf '%s\t%s\n' "$secs" "$suite" >>"$hist.new"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

for ((i = 0; i < nsuites; i++)); do
	b=$(base "$i")
	rm -f "$b.done" "$b.log"
done
: >"$hist.new"

if [ "$guests" = 0 ]; then
	for ((i = 0; i < nsuites; i++)); do
		run_suite "$i"
		report "$i"
	done
else
	# the guest suites, longest (last time) first
	gorder=()
	while read -r _ i; do gorder+=("$i"); done < <(
		for ((i = 0; i < nsuites; i++)); do
			[ "${is_guest[$i]}" = 1 ] && echo "$(prev_time "${suites[$i]}") $i"
		done | sort -k1,1nr -k2,2n)
	# the host lane: one suite after another
	(
		for ((i = 0; i < nsuites; i++)); do
			[ "${is_guest[$i]}" = 0 ] && run_suite "$i"
		done
	) &
	# the guest lanes: at most $guests at once
	(
		running=0
		for i in "${gorder[@]}"; do
			if [ "$running" -ge "$guests" ]; then
				wait -n
				running=$((running - 1))
			fi
			run_suite "$i" &
			running=$((running + 1))
		done
		wait
	) &
	# print in the order given, each once it and those before it are done
	for ((i = 0; i < nsuites; i++)); do
		b=$(base "$i")
		while [ ! -f "$b.done" ]; do sleep 0.3; done
		report "$i"
	done
	wait
fi
mv "$hist.new" "$hist"

echo "# times (s):"
for t in "${times[@]}"; do echo "#   $t"; done
echo "# time: total $((SECONDS - t_all)) s for $nsuites suite(s)"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
