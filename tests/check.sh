#!/usr/bin/env bash
# Run every test suite and total their KTAP results.
#
# usage: check.sh SUITE...   (each SUITE is a command run with bash -c)
# Each suite prints KTAP on stdout (top-level "ok N ..." / "not ok N ...");
# a suite that exits non-zero without reporting a failure counts as one
# failed test of its own, so a crashed suite can never pass silently, and a
# suite that reports no result at all fails too.
set -u
passed=0 failed=0 skipped=0
logdir=${CHECK_LOGDIR:-build/check}
mkdir -p "$logdir"
for suite in "$@"; do
	name=$(echo "$suite" | tr -c 'A-Za-z0-9_.-' '_' | cut -c1-60)
	log=$logdir/$name.log
	echo "# suite: $suite"
	bash -c "$suite" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
	s=$(grep -E '^ok [0-9]+' "$log" | grep -cE '# *SKIP')
	f=$(grep -cE '^not ok [0-9]+' "$log")
	p=$((p - s))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - suite '$suite' exited $rc"
		f=1
	fi
	if [ $((p + f + s)) = 0 ]; then
		echo "not ok - suite '$suite' reported no result"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
