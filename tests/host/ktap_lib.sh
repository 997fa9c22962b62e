# KTAP result lines and command capture for the host test scripts (bash,
# sourced). The script sets n=0 and prints "KTAP version 1" and its plan.
#
# res ok|fail NAME [WHY]     one result line (WHY on one line, after #)
# run PREFIX CMD ARGS...     CMD's stdout, stderr and exit status in
#                            PREFIX.out, PREFIX.err, PREFIX.rc; under
#                            `timeout -s KILL $KTAP_RUN_TIMEOUT` when that is
#                            set (a command that might never stop)
# rc PREFIX                  the status run saved
res() {
	local why=${3:-}
	n=$((n + 1))
	why=${why//$'\n'/ }
	if [ "$1" = ok ]; then echo "ok $n $2"; else echo "not ok $n $2${why:+ # $why}"; fi
}
run() {
	local p=$1
	shift
	if [ -n "${KTAP_RUN_TIMEOUT:-}" ]; then
		timeout -s KILL "$KTAP_RUN_TIMEOUT" "$@" >"$p.out" 2>"$p.err"
	else
		"$@" >"$p.out" 2>"$p.err"
	fi
	echo $? >"$p.rc"
}
rc() { cat "$1.rc"; }
