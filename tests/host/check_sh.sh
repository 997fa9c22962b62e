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
echo "1..13"

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

[ $n = 13 ] || echo "not ok - check_sh.sh ran $n tests, planned 13"
[ $failed = 0 ]
