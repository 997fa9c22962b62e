# Helpers for guest mode scripts (busybox sh). Source with: . /guest/lib.sh
#
# A mode script /guest/MODE.sh prints its results on stdout, which /init
# sends to the host over ttyS1:
#   ok N DESC                  a passed test (N: any number, the host
#   not ok N DESC # WHY        renumbers every result into one document)
#   # text                     diagnostics
# The first word of DESC, NAME, identifies the test; more words may follow
# ("nesting_legal (14 events)"). Wrap a test's kernel activity in
#   mark_begin NAME [TAGS] ... mark_end NAME
# and the host attributes every kernel WARN/BUG/oops printed in between to
# the result NAME of this mode: undeclared splats fail it, splats whose tag
# is in TAGS (comma list, e.g. scheduling_while_atomic) are noted only.
# Exit 0 when the script ran to its end (whatever the results); any other
# status is reported as a failure of the mode itself.

T=/sys/kernel/tracing
SCN=/sys/kernel/debug/iomap_scenarios
IOMC_MODE=${IOMC_MODE:-unknown}
ktap_n=0

ok() {
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $*"
}

# not_ok DESC WHY
not_ok() {
	ktap_n=$((ktap_n + 1))
	echo "not ok $ktap_n $1 # $2"
}

# skip DESC WHY
skip() {
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1 # SKIP $2"
}

diag() { echo "# $*"; }

# kmsg TEXT: one line into the kernel log (and the console).
kmsg() { echo "<5>$*" >/dev/kmsg; }

mark_begin() { kmsg "iomap-check: begin $IOMC_MODE/$1 expect=${2:--}"; }
mark_end() { kmsg "iomap-check: end $IOMC_MODE/$1"; }

# trace_start: empty the buffer and record the io_mapping events only.
trace_start() {
	echo 0 >$T/tracing_on
	echo >$T/set_event
	echo >$T/trace
	echo 1 >$T/events/io_mapping/enable
	echo 1 >$T/tracing_on
}

# trace_stop FILE: stop recording and save the buffer (header included).
trace_stop() {
	echo 0 >$T/events/io_mapping/enable
	cat $T/trace >"$1"
}

# scenario_run NAME: run one scenario in a child process, so an oops kills
# the child and not the mode script. Prints the write's error, if any.
scenario_run() {
	(echo "$1" >$SCN/run) 2>&1
}

# scenario_list FILE: "<name> <expect> [kernel:<tag>...]" lines.
scenario_list() { cat $SCN/list >"$1"; }

# kernel_tags "rest of a list line": the comma list of declared kernel tags.
kernel_tags() {
	echo "$*" | tr ' ' '\n' | sed -n 's/^kernel://p' | tr '\n' ',' | sed 's/,$//'
}
