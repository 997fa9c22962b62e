#!/usr/bin/env bash
# `iomap-check build-driver` on the host, without a VM (KTAP):
#   - kmod/symvers-from-ko.sh reads from iomap_check.ko the same
#     Module.symvers that modpost wrote when it built the module (CRC,
#     symbol, export type for every exported symbol);
#   - the command's usage errors (exit 2) and --help (exit 0).
# The build itself, installed, runs in the Debian guest of
# tests/devmachine.
#
# usage: symvers.sh KMOD_DIR     (build/obj/<release>/kmod after make kmod)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: symvers.sh KMOD_DIR}
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n $*"; }
echo "KTAP version 1"
echo "1..5"
fields() { cut -f1,2,4 "$@" | LC_ALL=C sort; }
if got=$("$top/kmod/symvers-from-ko.sh" "$dir/iomap_check.ko") &&
	[ -s "$dir/Module.symvers" ] &&
	diff <(printf '%s\n' "$got" | fields) <(fields "$dir/Module.symvers") >/tmp/symvers.$$.diff; then
	ok "symvers-from-ko: iomap_check.ko's $(printf '%s\n' "$got" | wc -l) exported symbols and CRCs equal modpost's Module.symvers"
else
	sed 's/^/# /' /tmp/symvers.$$.diff 2>/dev/null
	not_ok "symvers-from-ko: iomap_check.ko's symbols differ from modpost's Module.symvers ($dir)"
fi
rm -f /tmp/symvers.$$.diff
gz=$(mktemp --suffix=.ko.xz)
if xz -c "$dir/iomap_check.ko" >"$gz" && [ "$("$top/kmod/symvers-from-ko.sh" "$gz" | fields)" = "$(fields "$dir/Module.symvers")" ]; then
	ok "symvers-from-ko: reads a compressed module (.ko.xz)"
else
	not_ok "symvers-from-ko: compressed module"
fi
rm -f "$gz"
bd=$top/kmod/iomap-check-build-driver.sh
"$bd" --help | grep -q '^usage: iomap-check build-driver' && ok "build-driver --help (exit 0)" ||
	not_ok "build-driver --help"
"$bd" /nonexistent/driver >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && ok "build-driver: a missing driver directory exits 2" || not_ok "build-driver: missing directory exits $rc, not 2"
"$bd" --bogus "$top/tests/devmachine/driver" >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && ok "build-driver: an unknown option exits 2" || not_ok "build-driver: unknown option exits $rc, not 2"
exit $fail
