#!/usr/bin/env bash
# iomap-checkd on the host, as a hostile but fair user runs it (issue 9).
# The host has no iomap_check.ko, so the daemon loads its BPF programs but
# never attaches to the module: a CI gate must then fail (exit 4) and a
# -- COMMAND must not run; outputs that fail (full disk, closed pipe) are
# said, counted and change the exit status; the daemon survives a closed
# pipe. KTAP on stdout.
#
# usage: checkd_cli.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${ABS_BUILD:-$top/build}}
d=$build/bin/iomap-checkd
work=$build/check/checkd-cli
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
n=0
res() {	# res ok|fail NAME [WHY]
	local why=${3:-}
	n=$((n + 1))
	why=${why//$'\n'/ }
	if [ "$1" = ok ]; then echo "ok $n $2"; else echo "not ok $n $2${why:+ # $why}"; fi
}
run() {	# run PREFIX ARGS...: PREFIX.{out,err,rc}
	local p=$1
	shift
	timeout -s KILL 30 "$@" >"$p.out" 2>"$p.err"	# a daemon that never stops
	echo $? >"$p.rc"
}
rc() { cat "$1.rc"; }
T=0.3	# --duration: seconds of each run

echo "KTAP version 1"
echo "1..9"
if [ -e /sys/module/iomap_check ]; then
	for i in $(seq 9); do res ok "checkd_cli_$i # SKIP iomap_check is loaded on this host"; done
	exit 0
fi

run ci "$d" -q --ci --ktap --duration $T
# one KTAP line per rule of include/iomap-check/rules.h (the X-macro's entries)
nrules=$(grep -c '^[[:space:]]*X([A-Z_]*, "' "$top/include/iomap-check/rules.h")
if [ "$(rc ci)" = 4 ] && [ "$(grep -c '^not ok .* # nothing checked' ci.out)" = "$nrules" ] &&
   ! grep -q '^ok' ci.out && grep -q "never attached" ci.err; then
	res ok "ci_never_attached_fails_exit_4"
else
	res fail "ci_never_attached_fails_exit_4" "exit $(rc ci): $(head -c 300 ci.out)"
fi

run cmd "$d" -q --ci --duration $T -- touch "$work/command-ran"
[ "$(rc cmd)" = 4 ] && [ ! -e command-ran ] && grep -q "command was not run" cmd.err &&
	res ok "ci_command_not_started_before_attach" ||
	res fail "ci_command_not_started_before_attach" "exit $(rc cmd), command $([ -e command-ran ] && echo ran || echo 'did not run')"

run nocmd "$d" -q --duration $T -- touch "$work/command-ran"
[ "$(rc nocmd)" = 3 ] && [ ! -e command-ran ] &&
	res ok "command_never_run_exit_3" ||
	res fail "command_never_run_exit_3" "exit $(rc nocmd)"

bad=
for v in nan NaN inf -1 0 "" 1x; do
	run dur "$d" -q --duration "$v"
	[ "$(rc dur)" = 2 ] || bad="$bad '$v'(exit $(rc dur))"
done
[ -z "$bad" ] && res ok "duration_nan_inf_refused" || res fail "duration_nan_inf_refused" "accepted:$bad"

run full "$d" --duration $T -o /dev/full
[ "$(rc full)" = 5 ] && grep -q "writing to /dev/full: No space left" full.err &&
	res ok "output_full_disk_said_exit_5" ||
	res fail "output_full_disk_said_exit_5" "exit $(rc full): $(head -c 200 full.err)"

run jfull "$d" --duration $T --json-output /dev/full
lost=$(sed -n 's/.* \([0-9]*\) messages not written (output errors).*/\1/p' jfull.err)
[ "$(rc jfull)" = 5 ] && [ "${lost:-0}" -gt 0 ] && grep -q "writing to /dev/full" jfull.err &&
	res ok "json_output_full_disk_counted_in_summary ($lost lost)" ||
	res fail "json_output_full_disk_counted_in_summary" "exit $(rc jfull), lost '${lost}'"

run rfull "$d" -q --duration $T --record /dev/full
[ "$(rc rfull)" = 2 ] && grep -q "record /dev/full: No space left" rfull.err &&
	res ok "record_full_disk_refused_exit_2" ||
	res fail "record_full_disk_refused_exit_2" "exit $(rc rfull): $(head -c 200 rfull.err)"

# the reader of stdout goes away: no SIGPIPE death, the verdict (exit 4) stays
timeout -s KILL 30 "$d" --ci --json --ktap --duration $T 2>pipe.err | head -c 10 >/dev/null
r=${PIPESTATUS[0]}
[ "$r" = 4 ] && grep -q "standard output: Broken pipe" pipe.err &&
	res ok "closed_pipe_survived_verdict_kept" ||
	res fail "closed_pipe_survived_verdict_kept" "exit $r: $(head -c 200 pipe.err)"

# the status lines of the --json-output run above, on stderr
if [ -e /sys/bus/event_source/devices/kprobe ] || [ -e /sys/kernel/tracing/kprobe_events ]; then
	res ok "kprobes_unavailable_said # SKIP this host has kprobes"
elif grep -q "kprobes are not available in this kernel.*do_exit" jfull.err &&
     ! grep "not in this kernel" jfull.err | grep -q "do_exit\|mutex_lock"; then
	res ok "kprobes_unavailable_said"
else
	res fail "kprobes_unavailable_said" "$(grep -m2 'kernel' jfull.err | head -c 300)"
fi
