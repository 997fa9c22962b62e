#!/usr/bin/env bash
# One version for every tool, from the VERSION file (KTAP).
# usage: version.sh IOMAP_CHECK IOMAP_CHECKD
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
want=$(cat "$top/VERSION")
echo "KTAP version 1"
echo "1..4"
n=0
check() { # DESCRIPTION COMMAND...
	local what=$1 got
	shift
	n=$((n + 1))
	got=$("$@" 2>&1)
	if [ "$got" = "$what $want" ]; then
		echo "ok $n $what --version says $want"
	else
		echo "not ok $n $what --version: '$got', VERSION says '$want'"
	fi
}
check iomap-check "$1" --version
check "iomap-check analyze" "$1" analyze --version
check iomap-checkd "$2" --version
check iomap-vmcheck "$top/vmcheck/iomap-vmcheck.sh" --version
