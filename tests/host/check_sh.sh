#!/usr/bin/env bash
# Host tests of the verdict makers themselves (KTAP on stdout): the guest
# result composer (vm/iomcvm/compose.py) and the suite totaller (tests/check.sh)
# must fail what was cut short: a guest mode that dies midway, results short
# of a plan, a script that exits non-zero; and pass what is complete.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${ABS_BUILD:-$top/build}
work=$build/check/check_sh
rm -rf "$work" && mkdir -p "$work"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1 # $2"; }
show() { sed 's/^/#   /' "$1"; }

echo "KTAP version 1"
echo "1..20"

# --- the composer (vm/iomcvm/compose.py) ---------------------------------------------------------------
# compose CASE OUTCOME: guest log $work/CASE.log (no splats) -> CASE.out, and
# sets cfailed (the composer's count of failures)
compose() {
	: >"$work/console.log"
	PYTHONPATH=$top/vm python3 -B -m iomcvm compose --label t --outcome "$2" --timeout 9 \
		--boot-timeout 9 --wall 1 --init-at 1 "$work/console.log" "$work/$1.log" \
		>"$work/$1.out" 2>"$work/$1.sum"
	read -r _ cfailed <"$work/$1.sum"
}
# expect_compose CASE OUTCOME WANT-FAILED PATTERN DESC
expect_compose() {
	compose "$1" "$2"
	if [ "$cfailed" != "$3" ]; then
		show "$work/$1.out"
		not_ok "$5" "composer counted $cfailed failure(s), want $3"
	elif ! grep -qE -- "$4" "$work/$1.out"; then
		show "$work/$1.out"
		not_ok "$5" "no /$4/ in its KTAP"
	else
		ok "$5"
	fi
}
guest() { # CASE LINE...: write a guest log
	local c=$1
	shift
	printf '%s\n' "$@" >"$work/$c.log"
}

guest complete "# iomc: init r modes=m" "# iomc: mode m begin" "1..2" "ok 1 a" "ok 2 b" \
	"# iomc: mode m end rc=0" "# iomc: done"
expect_compose complete ok 0 '^1\.\.4$' "compose: a mode with all its planned results passes"

guest died "# iomc: init r modes=m" "# iomc: mode m begin" "1..3" "ok 1 a"
expect_compose died died 2 '^not ok [0-9]+ t m: mode m ran to completion # no end line' \
	"compose: a guest that dies midway fails the mode and the boot"

guest short "# iomc: init r modes=m" "# iomc: mode m begin" "1..3" "ok 1 a" \
	"# iomc: mode m end rc=0" "# iomc: done"
expect_compose short ok 1 'mode m ran to completion # results stop after 1 of the 3 planned' \
	"compose: results short of the mode's plan fail it"

guest crash "# iomc: init r modes=m" "# iomc: mode m begin" "ok 1 a" \
	"# iomc: mode m end rc=139" "# iomc: done"
expect_compose crash ok 1 'mode m ran to completion # guest script exited 139' \
	"compose: a mode script that exits non-zero (a crash it passed on) fails"

guest lostend "# iomc: init r modes=m,k" "# iomc: mode m begin" "ok 1 a" "# iomc: mode k begin" \
	"ok 1 b" "# iomc: mode k end rc=0" "# iomc: done"
expect_compose lostend ok 1 'mode m ran to completion # no end line' \
	"compose: a mode without its end line fails"

# --- tests/check.sh ----------------------------------------------------------------
# run_check CASE SUITE...: tests/check.sh on the suites; sets crc and clast
run_check() {
	local c=$1
	shift
	CHECK_LOGDIR=$work/$c "$top/tests/check.sh" "$@" >"$work/$c.check" 2>&1
	crc=$?
	clast=$(tail -n 1 "$work/$c.check")
}
# expect_check CASE WANT-RC WANT-LAST DESC SUITE...
expect_check() {
	local c=$1 want=$2 last=$3 d=$4
	shift 4
	run_check "$c" "$@"
	if [ "$crc" != "$want" ] || [ "$clast" != "$last" ]; then
		show "$work/$c.check"
		not_ok "$d" "exit $crc, last line '$clast'; want exit $want, '$last'"
	elif ! grep -qE '^# time: .+ [0-9]+ s$' "$work/$c.check" ||
		! grep -qE '^# time: total [0-9]+ s' "$work/$c.check"; then
		show "$work/$c.check"
		not_ok "$d" "no '# time:' lines for the suites and the total"
	else
		ok "$d"
	fi
}
expect_check full 0 "3 passed, 0 failed" "check.sh: a complete suite passes, times printed" \
	"printf 'KTAP version 1\n1..2\nok 1 a\nok 2 b\n'" "echo 'ok 1 c'"
expect_check short 1 "1 passed, 1 failed" "check.sh: results short of the plan fail the suite" \
	"printf 'KTAP version 1\n1..3\nok 1 a\n'"
expect_check died 1 "1 passed, 1 failed" "check.sh: a suite that dies midway fails" \
	"echo 'ok 1 a'; kill -9 \$\$"
expect_check none 1 "0 passed, 1 failed" "check.sh: a suite without results fails" "true"
# the composer's verdict on a dead guest, through check.sh: vm.sh prints the
# composer's document and exits 3 (here: the composer's output as is)
expect_check guest 1 "2 passed, 2 failed" "check.sh: a guest that died midway fails make check" \
	"cat '$work/died.out'; exit 3"
# a suite that prints a tool's document, then its own results without a
# plan (tests/host/analyze_guest.sh prints vm.sh's): each document counts
expect_check docs 0 "4 passed, 0 failed" "check.sh: a complete document, then unplanned results, passes" \
	"printf 'KTAP version 1\n1..2\nok 1 a\nok 2 b\nok 1 c\nok 2 d\n'"
expect_check docs-short 1 "3 passed, 1 failed" "check.sh: a short document followed by more results fails" \
	"printf 'KTAP version 1\n1..3\nok 1 a\nok 2 b\nok 1 c\n'"
# subtests (indented) are not top-level results
expect_check subtests 0 "1 passed, 0 failed" "check.sh: indented subtest lines are not counted" \
	"printf 'KTAP version 1\n1..1\n    KTAP version 1\n    1..2\n    ok 1 x\n    not ok 2 y # TODO\nok 1 a\n'"

# a suite that ends before its plan (KTAP header, results, no "1..N")
expect_check noplan 1 "1 passed, 1 failed" "check.sh: a KTAP document that ends without its plan fails" \
	"printf 'KTAP version 1\nok 1 a\n'"
# ... and one run at a time (CHECK_GUESTS=0) totals alike
CHECK_GUESTS=0 expect_check serial 1 "3 passed, 1 failed" "check.sh: CHECK_GUESTS=0, one suite at a time, totals alike" \
	"printf 'KTAP version 1\n1..2\nok 1 a\nok 2 b\n'" --guest "echo 'ok 1 c'" "printf 'KTAP version 1\n'"

# --- lanes: host suites one after another, guest suites alongside ----------------
# Four suites (sleep: no CPU): two host (3 s, 1 s), two guest (3 s, 2 s).
# In lanes both guest suites start before the second host suite (one after
# another they would start after it). The first given ends last: the
# output is still in the order given, each suite's lines together.
lane() { # NAME SECONDS: a suite that says when it started and ran
	echo "echo \"\$(date +%s.%N) $1\" >>'$work/starts'; sleep $2; printf 'KTAP version 1\n1..2\nok 1 $1-a\nok 2 $1-b\n'"
}
started() { awk -v s="$1" '$2 == s { print $1 }' "$work/starts"; }
: >"$work/starts"
run_check lanes "$(lane h1 3)" "$(lane h2 1)" --guest "$(lane g1 3)" "$(lane g2 2)"
overlap=$(awk -v h2="$(started h2)" -v g1="$(started g1)" -v g2="$(started g2)" \
	'BEGIN { print (h2 != "" && g1 != "" && g2 != "" && g1 < h2 && g2 < h2) ? "yes" : "no" }')
order=$(grep -E '^(# suite:|ok [0-9]+ )' "$work/lanes.check" | sed -E 's/^# suite: .*; printf .*ok 1 ([a-z0-9]+)-a.*/S \1/; s/^ok [0-9]+ ([a-z0-9]+)-([ab])$/\1\2/' | paste -sd' ' -)
if [ "$crc" = 0 ] && [ "$clast" = "8 passed, 0 failed" ] && [ "$overlap" = yes ] &&
	[ "$order" = "S h1 h1a h1b S h2 h2a h2b S g1 g1a g1b S g2 g2a g2b" ]; then
	ok "check.sh: host lane beside two guest lanes, outputs whole in the order given"
else
	show "$work/lanes.check"
	not_ok "check.sh: host lane beside two guest lanes, outputs in order" "exit $crc, '$clast', started: $(tr '\n' ' ' <"$work/starts"), order '$order'"
fi

# the guest suites longest first, by the previous run's times (the same
# log directory): g1 took 3 s, g2 2 s, so with one guest lane g1 starts
# first even when given last
: >"$work/starts"
CHECK_GUESTS=1 run_check lanes "$(lane h2 1)" --guest "$(lane g2 2)" "$(lane g1 3)"
first=$(grep -E ' g[12]$' "$work/starts" | head -n 1 | cut -d' ' -f2)
if [ "$crc" = 0 ] && [ "$first" = g1 ] && grep -q '^# suite: .*g2-a' <(grep '^# suite:' "$work/lanes.check" | sed -n 2p); then
	ok "check.sh: the longest guest suite of the last run starts first, output still in the order given"
else
	show "$work/lanes.check"
	not_ok "check.sh: the longest guest suite of the last run starts first" "exit $crc, first $first: $(tr '\n' ' ' <"$work/starts")"
fi

# --- a hung suite fails instead of stalling the run ----------------------------------
t0=$SECONDS
CHECK_SUITE_TIMEOUT=2 run_check hung "printf 'KTAP version 1\n1..1\n'; sleep 31.25; echo 'ok 1 late'" \
	--guest "printf 'KTAP version 1\n1..1\nok 1 fine\n'"
secs=$((SECONDS - t0))
sleep 0.2
if [ "$crc" = 1 ] && [ "$clast" = "1 passed, 2 failed" ] && [ "$secs" -le 15 ] &&
	grep -q "^not ok - suite .* timed out after 2 s" "$work/hung.check" &&
	! pgrep -f 'sleep 31\.25' >/dev/null; then
	ok "check.sh: a suite past CHECK_SUITE_TIMEOUT is killed whole and fails (${secs}s)"
else
	show "$work/hung.check"
	pkill -f 'sleep 31\.25' 2>/dev/null
	not_ok "check.sh: a suite past CHECK_SUITE_TIMEOUT is killed and fails" "exit $crc, '$clast', ${secs}s"
fi
# a suite that kills itself early is not a timeout
CHECK_SUITE_TIMEOUT=60 run_check selfkill "echo 'ok 1 a'; kill -9 \$\$"
if [ "$crc" = 1 ] && grep -q "exited 137" "$work/selfkill.check" && ! grep -q "timed out" "$work/selfkill.check"; then
	ok "check.sh: a suite killed before the limit is said as its exit, not a timeout"
else
	show "$work/selfkill.check"
	not_ok "check.sh: a suite killed before the limit is not a timeout" "exit $crc"
fi

# the phase table: every suite's time, in the order given, then the total
run_check table "echo 'ok 1 a'" --guest "echo 'ok 1 b'"
if [ "$(grep -cE '^#  +[0-9]+  echo .ok 1 [ab].$' "$work/table.check")" = 2 ] &&
	grep -A2 '^# times (s):$' "$work/table.check" | tail -n 1 | grep -q "ok 1 b" &&
	grep -qE '^# time: total [0-9]+ s for 2 suite\(s\)$' "$work/table.check"; then
	ok "check.sh: the times table lists every suite in the order given and the total"
else
	show "$work/table.check"
	not_ok "check.sh: the times table" "not as before"
fi

[ $n = 20 ] || echo "not ok - check_sh.sh ran $n tests, planned 20"
[ $failed = 0 ]
