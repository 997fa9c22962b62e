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
build=$(cd "$build" 2>/dev/null && pwd) || { echo "checkd_cli.sh: no directory '${1:-}'" >&2; exit 2; }
d=${CHECKD:-$build/bin/iomap-checkd}
# a daemon that cannot run would leave the FIFO reader below waiting forever
[ -x "$d" ] || { echo "checkd_cli.sh: no daemon at $d" >&2; exit 2; }
work=$build/check/checkd-cli
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
n=0
KTAP_RUN_TIMEOUT=30	# a daemon that never stops
. "$top/tests/host/ktap_lib.sh"
T=0.3	# --duration: seconds of each run

echo "KTAP version 1"
echo "1..17"
if [ -e /sys/module/iomap_check ]; then
	for i in $(seq 17); do res ok "checkd_cli_$i # SKIP iomap_check is loaded on this host"; done
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

# The same set-up error frees all it made (one cleanup in main, issue 18):
# ring buffer, BPF object, recording, symbols. The dynamic binary: valgrind
# cannot follow malloc in a static one.
run vrfull valgrind --leak-check=summary "$build/bin/host/iomap-checkd" -q --duration $T --record /dev/full
[ "$(rc vrfull)" = 2 ] && grep -q "in use at exit: 0 bytes in 0 blocks" vrfull.err &&
	res ok "record_full_disk_frees_everything" ||
	res fail "record_full_disk_frees_everything" "exit $(rc vrfull): $(grep -m1 'in use at exit' vrfull.err)"

# the reader of stdout goes away: no SIGPIPE death, the verdict (exit 4) stays
timeout -s KILL 30 "$d" --ci --json --ktap --duration $T 2>pipe.err | head -c 10 >/dev/null
r=${PIPESTATUS[0]}
[ "$r" = 4 ] && grep -q "standard output: Broken pipe" pipe.err &&
	res ok "closed_pipe_survived_verdict_kept" ||
	res fail "closed_pipe_survived_verdict_kept" "exit $r: $(head -c 200 pipe.err)"

# the status lines of the --json-output run above, on stderr
if [ -e /sys/bus/event_source/devices/kprobe ] || [ -e /sys/kernel/tracing/kprobe_events ]; then
	res ok "kprobes_unavailable_said # SKIP this host has kprobes"
elif grep -q "kprobes are not available in this kernel.*do_exit.* memremap .*devm_memunmap" jfull.err &&
     ! grep "not in this kernel" jfull.err | grep -q "do_exit\|mutex_lock\|memremap\|memunmap"; then
	res ok "kprobes_unavailable_said"
else
	res fail "kprobes_unavailable_said" "$(grep -m2 'kernel' jfull.err | head -c 300)"
fi

# Two outputs that are one file (the same name, a symbolic or a hard link,
# /dev/stdout beside JSON on stdout) are refused before anything is written;
# a file created for them is removed. Distinct files and /dev/null are fine.
: >same.txt
ln -sf same.txt same.sym
ln -f same.txt same.hard
bad=
for args in "-o same.txt --record same.txt" "-o same.txt --json-output same.sym" \
	    "--json-output same.hard --record same.txt" "-o new.txt --record ./new.txt" \
	    "-j --record /dev/stdout"; do
	# shellcheck disable=SC2086
	run same "$d" -q --duration $T $args
	{ [ "$(rc same)" = 2 ] && grep -q "are the same file" same.err && [ ! -s same.txt ] &&
	  [ ! -e new.txt ]; } || bad="$bad [$args: exit $(rc same)]"
done
run diff "$d" -q --duration $T -o a.txt --record b.rec --json-output /dev/null
[ "$(rc diff)" = 0 ] && [ -s b.rec ] || bad="$bad [distinct files: exit $(rc diff)]"
[ -z "$bad" ] && res ok "same_file_outputs_refused_exit_2" ||
	res fail "same_file_outputs_refused_exit_2" "$bad $(head -c 200 same.err)"

# A FIFO nobody reads: the daemon says it waits, and SIGINT or SIGTERM end
# the wait (exit 2, nothing checked); only SIGKILL did before.
rm -f out.fifo && mkfifo out.fifo
bad=
for case in INT:-o TERM:--record; do
	sig=${case%%:*} opt=${case#*:}
	timeout -k 5 --preserve-status -s "$sig" 2 "$d" -q --duration 30 "$opt" out.fifo \
		>fifo.out 2>fifo.err
	r=$?
	{ [ "$r" = 2 ] && grep -q "out.fifo: a FIFO with no reader: waiting" fifo.err &&
	  grep -q "stopped by a signal while waiting for a reader" fifo.err; } ||
		bad="$bad [$opt SIG$sig: exit $r]"
done
[ -z "$bad" ] && res ok "fifo_without_reader_interruptible" ||
	res fail "fifo_without_reader_interruptible" "$bad $(head -c 200 fifo.err)"

# ... and with a reader, the daemon writes to it.
cat out.fifo >fifo.read &
run fifo "$d" --duration $T -o out.fifo
wait
[ "$(rc fifo)" = 0 ] && grep -q "summary:" fifo.read &&
	res ok "fifo_with_reader_written" || res fail "fifo_with_reader_written" "exit $(rc fifo)"

# One size parser: the range its message gives is accepted, a wrap is not;
# a missing value names the option as given.
bad=
for v in 4096 1G 1g; do
	run size "$d" -q --duration $T --ringbuf-size "$v"
	[ "$(rc size)" = 0 ] || bad="$bad '$v'(exit $(rc size))"
done
for v in 17592186044417m 18446744073709551616 2G 4095 3k -4096 " 4096" 0x1000 1T ""; do
	run size "$d" -q --duration $T --ringbuf-size "$v"
	{ [ "$(rc size)" = 2 ] && grep -q -- "--ringbuf-size: a power of 2 from 4K to 1G" size.err; } ||
		bad="$bad '$v'(exit $(rc size))"
done
[ -z "$bad" ] && res ok "ringbuf_size_range_and_overflow" || res fail "ringbuf_size_range_and_overflow" "$bad"

bad=
for o in --record -r --output --ringbuf-size; do
	run miss "$d" -q $o
	{ [ "$(rc miss)" = 2 ] && grep -q -- "option '$o' needs a value" miss.err; } ||
		bad="$bad $o: $(head -n1 miss.err)"
done
[ -z "$bad" ] && res ok "missing_value_names_option" || res fail "missing_value_names_option" "$bad"

# A reader that stops reading (its pipe shrunk to a page, never read): the
# daemon's writes wait for it, but SIGTERM still ends the daemon, at once,
# and what did not fit is said and counted (exit 5). Before, the write
# blocked with SIGTERM blocked: only SIGKILL ended it.
stall='import fcntl, time; fcntl.fcntl(0, 1031, 4096); time.sleep(40)'	# F_SETPIPE_SZ
rm -f stall.pid stall.rc
( "$d" -j --duration 30 2>stall.err &
  echo $! >stall.pid
  wait $!
  echo $? >stall.rc ) > >(exec python3 -c "$stall" >/dev/null 2>&1) &
for i in $(seq 50); do [ -s stall.pid ] && break; sleep 0.1; done
pid=$(cat stall.pid)
# Summaries (SIGUSR1) until the daemon waits in write(2) for the reader
# (/proc/PID/syscall starts with 1, x86-64's write): a fixed count was not
# enough when loading the BPF programs took longer than the sleep before it
# (the signals queued as one, the pipe never filled: exit 0, a flake).
blocked=0
for i in $(seq 150); do
	kill -USR1 "$pid" 2>/dev/null
	sleep 0.2
	case $(cat /proc/"$pid"/syscall 2>/dev/null) in "1 "*) blocked=1; break ;; esac
done
kill -TERM "$pid" 2>/dev/null
for i in $(seq 50); do [ -s stall.rc ] && break; sleep 0.1; done
alive=0
[ -s stall.rc ] || { alive=1; kill -KILL "$pid"; sleep 0.5; }
r=$(cat stall.rc 2>/dev/null)
[ $alive = 0 ] && [ "$r" = 5 ] && grep -q "writing to standard output: Interrupted" stall.err &&
	res ok "stalled_reader_sigterm_ends_daemon_exit_5" ||
	res fail "stalled_reader_sigterm_ends_daemon_exit_5" "exit $r, $([ $blocked = 0 ] && echo 'never blocked in write(2) in 30 s, ')$([ $alive = 1 ] && echo 'still running 5 s after SIGTERM'): $(head -c 200 stall.err)"

# --help shows the exit statuses as the one table words them (exit_status.h)
"$d" --help >help.out 2>&1
want=$(sed -n 's/^[[:space:]]*X([A-Z_]*, \([0-9]*\), "\(.*\)").*/  \1  \2/p' \
	"$top/include/iomap-check/exit_status.h" | head -n 6)
got=$(sed -n '/^Exit status:$/,/^  [^0-9]/p' help.out | grep '^  [0-9]')
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	res ok "help_exit_statuses_from_table"
else
	res fail "help_exit_statuses_from_table" "help has '$got', table '$want'"
fi
