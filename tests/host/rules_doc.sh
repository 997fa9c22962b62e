#!/usr/bin/env bash
# docs/rules.md is what the rule table generates (make rules-doc): a rule
# added, renamed or reworded in include/iomap-check/rules.h without
# regenerating the manual fails here. KTAP.
# usage: rules_doc.sh GENERATOR DOC
set -u
gen=$1 doc=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
# the rules the table has: its X(ID, "name", ...) entries, one row each
want=$(grep -cE '^[[:space:]]*X\([A-Z_]+, "[a-z_]+",' "$top/include/iomap-check/rules.h")
echo "KTAP version 1"
echo "1..2"
out=$("$gen") || { echo "not ok 1 generator runs # exit $?"; echo "not ok 2 $doc is up to date # SKIP"; exit 1; }
n=$(grep -c '^| `' <<<"$out")
if [ "$want" -gt 0 ] && [ "$n" = "$want" ]; then
	echo "ok 1 generator lists every rule ($n)"
else
	echo "not ok 1 generator lists every rule # $n rows, the table has $want rules"
fi
if diff -u "$doc" - <<<"$out" > /tmp/rules_doc.$$.diff; then
	echo "ok 2 $doc is up to date"
else
	echo "not ok 2 $doc is up to date # run 'make rules-doc'"
	sed 's/^/# /' /tmp/rules_doc.$$.diff
fi
rm -f /tmp/rules_doc.$$.diff
