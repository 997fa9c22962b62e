#!/usr/bin/env bash
# `iomap-check analyze` on io_mapping_fault (iomap_check.ko strategy=window,
# issue 22): ftrace text captured in the 6.1 guest's window mode
# (tests/host/analyze_window_6.1.txt: the three stale-pointer scenarios).
# Each fault is a use_after_unmap at the function that made the access,
# naming the page's map and unmap sites; without the fault lines the same
# maps and unmaps are legal. KTAP on stdout.
#
# usage: analyze_window.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${ABS_BUILD:-$top/build}}
an=$build/bin/iomap-check
work=$build/check/analyze-window
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
n=0
. "$top/tests/host/ktap_lib.sh"
cap=$top/tests/host/analyze_window_6.1.txt

echo "KTAP version 1"
echo "1..2"

run all "$an" analyze --json "$cap"
# rule@site-function map@function unmap@function, one line per report
got=$(sed -n 's/^{"rule":"\([a-z_]*\)".*"site":"\([^"+]*\)+[^"]*","map_site":"\([^"+]*\)+[^"]*".*"other_site":"\([^"+]*\)+.*"fixed":true.*/\1@\2 \3 \4/p' all.out | sort | tr '\n' '|')
want='use_after_unmap@scn_stale_across_remap scn_stale_across_remap scn_stale_across_remap|use_after_unmap@scn_stale_read_atomic scn_stale_read_atomic scn_stale_read_atomic|use_after_unmap@scn_stale_write_local scn_stale_write_local scn_stale_write_local|'
if [ "$(rc all)" = 1 ] && [ "$got" = "$want" ] && [ "$(grep -c '"rule"' all.out)" = 3 ]; then
	res ok "fault_lines_are_use_after_unmap_at_the_access (3 reports)"
else
	res fail "fault_lines_are_use_after_unmap_at_the_access" "exit $(rc all): got '$got'; $(head -c 300 all.err)"
fi

grep -v 'io_mapping_fault:' "$cap" >nofault.txt
run nofault "$an" analyze --json nofault.txt
if [ "$(rc nofault)" = 0 ] && ! grep -q '"rule"' nofault.out; then
	res ok "same_maps_without_faults_silent"
else
	res fail "same_maps_without_faults_silent" "exit $(rc nofault): $(grep -o '"rule":"[a-z_]*"' nofault.out | head -3)"
fi
