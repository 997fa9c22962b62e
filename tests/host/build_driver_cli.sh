#!/usr/bin/env bash
# The driver front ends' command lines, no build needed (issue 16): `iomap-check
# build-driver` from the build tree before `make install`; an option without
# its value is a usage error (2), not a failed build; a directory without
# Kbuild/Makefile is refused by build-driver as by iomap-vmcheck, same words;
# a control character in a path is refused by both (a newline in the
# driver's name forged KTAP lines, a trailing one named another directory).
# KTAP on stdout.
#
# usage: build_driver_cli.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${ABS_BUILD:-$top/build}}
ic=$build/bin/iomap-check
vmcheck=$top/vmcheck/iomap-vmcheck.sh
fb=$top/tests/vmcheck/drivers/fbcopy
# a regression must not boot a guest: no QEMU
export IOMC_QEMU=/bin/false
work=$build/check/build-driver-cli
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
n=0
KTAP_RUN_TIMEOUT=60
. "$top/tests/host/ktap_lib.sh"
# run_rc PREFIX CMD ARGS...: run, with the status in $rc too
run_rc() {
	run "$@"
	rc=$(cat "$1.rc")
}

echo "KTAP version 1"
echo "1..5"

# 25: the build tree's binary runs the build tree's script
run_rc help "$ic" build-driver --help
[ "$rc" = 0 ] && grep -q '^usage: iomap-check build-driver' help.out &&
	res ok "build_driver_help_from_build_tree" ||
	res fail "build_driver_help_from_build_tree" "exit $rc: $(head -c 200 help.err)"

# 26: no value: usage error 2, not "does not build"
bad=
for args in "-k" "--kernel" "--kdir" "-o" "--out" "--out=" "-k --kdir /x $fb" "$fb -o"; do
	# shellcheck disable=SC2086
	run_rc miss "$ic" build-driver $args
	o=${args%% *}
	[ "$o" = "$fb" ] && o=-o
	o=${o%=}
	{ [ "$rc" = 2 ] && grep -q -- "option '$o' needs a value" miss.err &&
	  ! grep -q "does not build\|build failed\|parameter null" miss.err; } ||
		bad="$bad [$args: exit $rc: $(head -n1 miss.err)]"
done
[ -z "$bad" ] && res ok "build_driver_option_without_value_exit_2" ||
	res fail "build_driver_option_without_value_exit_2" "$bad"

# 27: the same check as iomap-vmcheck's, the same words, exit 2
mkdir -p "$work/empty"
run_rc bd-empty "$ic" build-driver "$work/empty"
brc=$rc
run_rc vm-empty "$vmcheck" --driver "$work/empty"
if [ "$brc" = 2 ] && [ "$rc" = 2 ] &&
   grep -q "^iomap-check build-driver: '$work/empty' has neither a Kbuild nor a Makefile" bd-empty.err &&
   grep -q "^iomap-vmcheck: '$work/empty' has neither a Kbuild nor a Makefile" vm-empty.err; then
	res ok "no_kbuild_refused_by_both_same_words"
else
	res fail "no_kbuild_refused_by_both_same_words" "build-driver exit $brc: $(head -n1 bd-empty.err); vmcheck exit $rc: $(head -n1 vm-empty.err)"
fi

# 24: a newline in the driver's directory (a Kbuild module dir) forges a
# KTAP line unless refused; a trailing newline named another directory
forged=$work/$'drv\nnot ok 1 forged'
mkdir -p "$forged" && cp "$fb"/* "$forged/"
cp -r "$fb" "$work/fbcopy"
bad=
for d in "$forged" "$work/fbcopy"$'\n'; do
	for tool in bd vm; do
		if [ $tool = bd ]; then run_rc nl "$ic" build-driver -o "$work/out" "$d"
		else run_rc nl "$vmcheck" --driver "$d" --out "$work/out"; fi
		{ [ "$rc" = 2 ] && grep -q "has a control character in its path" nl.err &&
		  ! grep -q "^not ok 1 forged" nl.out nl.err && [ ! -e "$work/out" ]; } ||
			bad="$bad [$tool ${d##*/}: exit $rc: $(head -c 150 nl.err)]"
	done
done
[ -z "$bad" ] && res ok "control_character_in_driver_path_refused" ||
	res fail "control_character_in_driver_path_refused" "$bad"

bad=
run_rc nlo "$ic" build-driver -o "$work/out"$'\n' "$fb"
{ [ "$rc" = 2 ] && grep -q "has a control character" nlo.err; } || bad="$bad [build-driver -o: exit $rc]"
run_rc nlo "$vmcheck" --driver "$fb" --out "$work/out"$'\n'
{ [ "$rc" = 2 ] && grep -q "has a control character" nlo.err; } || bad="$bad [vmcheck --out: exit $rc]"
run_rc nlo "$vmcheck" --driver "$fb" --extra "$fb/test.sh:/opt/a"$'\n'"b"
{ [ "$rc" = 2 ] && grep -q "has a control character" nlo.err; } || bad="$bad [vmcheck --extra: exit $rc]"
[ -z "$bad" ] && res ok "control_character_in_other_paths_refused" ||
	res fail "control_character_in_other_paths_refused" "$bad"
