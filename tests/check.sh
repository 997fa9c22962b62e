#!/usr/bin/env bash
# Run every test suite and total their KTAP results.
#
# usage: check.sh SUITE...   (each SUITE is a command run with bash -c)
# Each suite prints KTAP on stdout (top-level "ok N ..." / "not ok N ...").
# A suite fails as a whole, as one failed test of its own, when:
#   - it exits non-zero without reporting a failure (a crashed suite can
#     never pass silently);
#   - it reports no result at all;
#   - its results do not match its plan ("1..N"): it died midway, or
#     counted wrong.
# Each suite's wall time is printed ("# time: SUITE N s"), then the total;
# the last line is always "N passed, N failed[, N skipped]".
set -u
passed=0 failed=0 skipped=0
logdir=${CHECK_LOGDIR:-build/check}
mkdir -p "$logdir"
t_all=$SECONDS

# short_plans LOG: " N results, its plan says P" for each top-level KTAP
# document in LOG whose results do not match its plan. A document starts at
# "KTAP version" or a plan "1..P" (subtests are indented: not top level) and
# ends at the next one, or where the numbering starts again at 1 (a suite
# may print another tool's document, then its own results without a plan).
short_plans() {
	awk '
		function done_doc() {
			if (planned && cnt != plan)
				printf " %d results, its plan says %d;", cnt, plan
			planned = 0
			cnt = 0
		}
		/^KTAP version/ { done_doc(); next }
		/^1\.\.[0-9]+[ \t]*$/ { done_doc(); plan = substr($0, 4) + 0; planned = 1; next }
		/^(not )?ok [0-9]+/ {
			num = ($1 == "ok") ? $2 : $3
			if (planned && cnt > 0 && num + 0 == 1)
				done_doc()
			if (planned)
				cnt++
		}
		END { done_doc() }
	' "$1"
}
times=()
for suite in "$@"; do
	name=$(echo "$suite" | tr -c 'A-Za-z0-9_.-' '_' | cut -c1-60)
	log=$logdir/$name.log
	echo "# suite: $suite"
	t0=$SECONDS
	bash -c "$suite" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^ok [0-9]+' "$log")
	s=$(grep -E '^ok [0-9]+' "$log" | grep -cE '# *SKIP')
	f=$(grep -cE '^not ok [0-9]+' "$log")
	short=$(short_plans "$log")
	n=$((p + f))
	p=$((p - s))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
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
	secs=$((SECONDS - t0))
	echo "# time: $suite $secs s"
	times+=("$(printf '%5d  %s' "$secs" "$suite")")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "# times (s):"
for t in "${times[@]}"; do echo "#   $t"; done
echo "# time: total $((SECONDS - t_all)) s for $# suite(s)"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
