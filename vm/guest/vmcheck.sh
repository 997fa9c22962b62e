# Guest mode "vmcheck": check a user's driver with iomap-checkd attached.
# The host side is iomap-vmcheck (vm/iomcvm/vmcheck.py), which puts in the initramfs:
#   /vmcheck/conf             shell variables: RUN_TIMEOUT (s),
#                             ATTACH_TIMEOUT (s), CHECKD (1: run the
#                             daemon, 0: development only, no checker),
#                             DRIVER_KOS (the modules under test: the
#                             --kernel-module ones, then the driver's own,
#                             load order), DEP_KOS (the in-kernel modules
#                             they need, load order: vm/iomcvm/closure.py)
#   /vmcheck/iomap_check.ko   the io_mapping module
#   /vmcheck/deps/*.ko        the guest kernel's own modules in DEP_KOS
#   /vmcheck/driver/*.ko      the driver, built with the drop-in header
#   /vmcheck/run.sh           RUN, the driver's own test, verbatim
#   /vmcheck/checkd_args      more arguments for iomap-checkd, one a line
#                             (iomap-vmcheck --checkd-arg)
#   /vmcheck/params           module parameters, "MODULE NAME=VALUE" a line
#                             (iomap-vmcheck --module-param; MODULE with
#                             '_' for '-'), given to insmod of MODULE
#   /bin/iomap-checkd         the checker (static)
# and boots with two more serial ports (vm/vm.sh --chan): ttyS2 carries
# only the checker's JSON lines, ttyS3 only its human reports and log, so
# neither interleaves with kernel messages (ttyS0) or results (ttyS1, our
# stdout).
#
# Steps, each a KTAP result named by its first word, each inside a mark
# window so the host attributes kernel WARN/BUG/oops to it:
#   setup    insmod the dependencies (DEP_KOS, in order; a failure ends
#            the check: "deps=fail MODULE: ERROR"), iomap_check.ko, start
#            one `iomap-checkd --ci --json-output` for both outputs (JSON
#            lines and human reports, see below), wait until it says it
#            attached
#   insmod   the driver's modules, in order (after the checker attached, so
#            nothing the driver does at load is missed)
#   run      RUN as `sh /vmcheck/run.sh` in its own session, output shown
#            as "# | " lines; killed with its process group after
#            RUN_TIMEOUT
#   rmmod    the driver's modules in reverse order: leaks at free and at
#            unload are violations too
#   inject   with INJECT=1 (iomap-vmcheck --inject-faults), for k = 1..n,
#            n = the io_mapping_create_wc/init_wc calls the insmod step
#            made: iomap_check's fail_nth makes the k-th fail, then insmod,
#            run (if it loaded), rmmod again; one result per run, its
#            violations named with the failure they followed
#   checker  stop the daemon (SIGINT); --ci exits 1 if it saw a violation
# Lines "# vmcheck: KEY=VALUE" tell the host what happened (attach, run,
# checkd), for its exit status.
. /guest/lib.sh

V=/vmcheck
RUN_TIMEOUT=600 ATTACH_TIMEOUT=120 CHECKD=1 DRIVER_KOS= DEP_KOS= INJECT=0
. $V/conf
P=/sys/module/iomap_check/parameters
JSON=/dev/ttyS2
REPORTS=/dev/ttyS3
for t in $JSON $REPORTS; do stty -F $t raw -echo 2>/dev/null; done

say() { echo "# vmcheck: $*"; }

# load DIR/FILE.ko [PARAM=VALUE...]: insmod with the given parameters, then
# the module's --module-param parameters, in the order given (each one
# argument: values may hold blanks; a later one wins). The callers capture
# its output as insmod's error: the note goes to fd 3, our stdout.
exec 3>&1
load() {
	_lm=$(basename "$1" .ko | tr - _)
	_ln=$#
	if [ -s $V/params ]; then
		while IFS= read -r _ll; do
			[ "${_ll%% *}" = "$_lm" ] && set -- "$@" "${_ll#* }"
		done <$V/params
	fi
	[ $# = "$_ln" ] || diag "insmod $_lm parameters: $(shift "$_ln"; echo "$*")" >&3
	insmod "$@"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s; 0 if it succeeded in time.
wait_for() {
	n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# ---- setup ------------------------------------------------------------------
mark_begin setup
# The kernel's own modules the driver needs, dependencies first. They stay
# loaded: unloading drm and friends checks nothing of the driver's.
for ko in $DEP_KOS; do
	if err=$(load $V/deps/$ko 2>&1); then
		ok "setup: insmod dependency $ko"
	else
		not_ok "setup: insmod dependency $ko" "${err:-failed}"
		mark_end setup
		say "deps=fail $ko: $(echo "${err:-failed}" | tr '\n' ' ')"
		exit 0
	fi
done
[ -z "$DEP_KOS" ] || say deps=ok
# iomap_check's own --module-param parameters too (fail_nth, ...); the
# strategy the module took is read back, not assumed.
if err=$(load $V/iomap_check.ko strategy=${STRATEGY:-premap} 2>&1); then
	ok "setup: insmod iomap_check.ko (strategy=$(cat $P/strategy 2>/dev/null || echo unknown))"
else
	not_ok "setup: insmod iomap_check.ko" "$err"
	mark_end setup
	say attach=fail
	exit 0
fi

# One instance of the daemon writes both outputs (two instances would arm
# every kprobe twice: aggregated kprobes on hot functions crashed TCG guests):
#   --json-output: JSON lines (status, violations, summary) -> ttyS2;
#   stderr: human reports and log                           -> ttyS3;
#   its --ci exit status is the verdict.
# Each goes into a fifo read by tee, which sends it to its serial port
# as it comes (it survives a guest that dies) and keeps a copy here, in
# which we look for the word that it attached. hpid is the same process.
jpid= hpid= jtee= htee=
alive() { kill -0 $1 2>/dev/null; }
# attached LOG PID: it said so, or it is gone (then it never will).
attached() { grep -q 'attached to its tracepoints' $1 || ! alive $2; }
both_attached() { attached /tmp/checkd.json $jpid && attached /tmp/checkd.log $hpid; }
if [ "$CHECKD" = 1 ]; then
	: >/tmp/checkd.json
	: >/tmp/checkd.log
	mkfifo /tmp/json.pipe /tmp/human.pipe
	tee /tmp/checkd.json </tmp/json.pipe >$JSON &
	jtee=$!
	tee /tmp/checkd.log </tmp/human.pipe >$REPORTS &
	htee=$!
	set --
	if [ -f $V/checkd_args ]; then
		while IFS= read -r a; do set -- "$@" "$a"; done <$V/checkd_args
	fi
	[ $# = 0 ] || diag "iomap-checkd options: $*"
	iomap-checkd --ci --json-output /tmp/json.pipe "$@" </dev/null >/tmp/human.pipe 2>&1 &
	jpid=$!
	hpid=$jpid
	if wait_for "$ATTACH_TIMEOUT" both_attached && alive $jpid && alive $hpid; then
		ok "setup: iomap-checkd attached"
		say attach=ok
		# It read /proc/kallsyms when it attached and rereads it for an
		# unknown address at most once a second: let a second pass, so
		# that the driver's functions, loaded next, get their names.
		sleep 1
	else
		why="no word of attaching after ${ATTACH_TIMEOUT}s"
		alive $jpid && alive $hpid ||
			why="iomap-checkd exited: $(tail -n 3 /tmp/checkd.log | tr '\n' ' ')"
		not_ok "setup: iomap-checkd attached" "$why"
		mark_end setup
		say attach=fail
		kill -INT $jpid 2>/dev/null
		exit 0
	fi
else
	skip "setup: iomap-checkd attached" "no checker (development run)"
	say attach=none
fi
mark_end setup

# sync_checkd WHY: SIGUSR1 makes the daemon reread /proc/kallsyms and print
# its summary so far; it drains its ring buffer before handling a signal,
# so once that summary is out, every earlier report has been printed.
synced() {
	[ "$(grep -c '"final":false' /tmp/checkd.json)" -gt "$1" ] &&
		[ "$(grep -c 'summary so far' /tmp/checkd.log)" -gt "$2" ]
}
sync_checkd() {
	[ -n "$jpid" ] || return 0
	j0=$(grep -c '"final":false' /tmp/checkd.json) h0=$(grep -c 'summary so far' /tmp/checkd.log)
	kill -USR1 $jpid 2>/dev/null
	wait_for 10 synced $j0 $h0 || diag "iomap-checkd: no summary after SIGUSR1 ($1) in 10s"
}

# ---- insmod -------------------------------------------------------------------
mark_begin insmod
loaded= all_loaded=1
creates0=$(cat $P/creates 2>/dev/null || echo 0)
for ko in $DRIVER_KOS; do
	if err=$(load $V/driver/$ko 2>&1); then
		ok "insmod $ko"
		loaded="${ko%.ko} $loaded"	# reverse order, for rmmod
	else
		not_ok "insmod $ko" "${err:-failed}"
		all_loaded=0
		break
	fi
done
creates=$(($(cat $P/creates 2>/dev/null || echo 0) - creates0))
mark_end insmod
# The driver's symbols into the daemon's table now: its reread on an
# unknown address does not happen where a symbol it read before seems to
# contain the driver's code (an ftrace trampoline just below the module,
# in kallsyms as one symbol hundreds of KiB long).
[ $all_loaded = 0 ] || sync_checkd "after insmod"

# ---- run ----------------------------------------------------------------------
# run_test LABEL: RUN with its watchdog; sets run (ok, fail, timeout).
run_test() {
	rm -f /tmp/run.timeout /tmp/run.pipe
	mkfifo /tmp/run.pipe
	sed 's/^/# | /' </tmp/run.pipe &
	spid=$!
	# setsid: RUN leads its own process group, so a timeout kills all of it.
	(cd /tmp && exec setsid sh $V/run.sh) </dev/null >/tmp/run.pipe 2>&1 &
	rpid=$!
	(
		sleep "$RUN_TIMEOUT"
		: >/tmp/run.timeout
		kill -9 -$rpid $rpid 2>/dev/null
	) &
	wpid=$!
	wait $rpid
	rc=$?
	kill $wpid 2>/dev/null
	# A RUN that left a child holding its output open must not stall us.
	wait_for 2 eval '! kill -0 $spid 2>/dev/null' || kill $spid 2>/dev/null
	if [ -e /tmp/run.timeout ]; then
		not_ok "$1: RUN, the driver's test" "TIMEOUT after ${RUN_TIMEOUT}s (killed)"
		run=timeout
	elif [ $rc = 0 ]; then
		ok "$1: RUN, the driver's test (exit 0)"
		run=ok
	else
		not_ok "$1: RUN, the driver's test" "exit $rc"
		run=fail
	fi
}

run=skipped
if [ $all_loaded = 1 ]; then
	mark_begin run
	run_test run
	mark_end run
fi
say run=$run

# ---- rmmod --------------------------------------------------------------------
# The daemon names the sites of a report when it reads it: make it read
# everything RUN caused while the driver's symbols still exist.
sync_checkd "before rmmod"
mark_begin rmmod
for m in $loaded; do
	if err=$(rmmod $m 2>&1); then
		ok "rmmod $m"
	else
		not_ok "rmmod $m" "${err:-failed}"
	fi
done
mark_end rmmod

# ---- inject -------------------------------------------------------------------
# checkd_sync: every report of what happened so far is out (sync_checkd).
checkd_sync() { sync_checkd inject; }
# tell LINE: a line into both of the checker's outputs, between reports.
tell() {
	[ -n "$jpid" ] || return 0
	echo "$2" >/tmp/json.pipe
	echo "$1" >/tmp/human.pipe
}
if [ "$INJECT" = 1 ]; then
	say creates=$creates
	[ "$creates" -gt 0 ] ||
		diag "inject: the driver made no io_mapping_create_wc/init_wc call while loading: nothing to inject"
	k=0
	while [ $k -lt "$creates" ]; do
		k=$((k + 1))
		mark_begin inject$k
		checkd_sync
		from=$(($(wc -l </tmp/checkd.json) + 1))
		echo "$k" >$P/fail_nth
		lloaded= lerr=
		for ko in $DRIVER_KOS; do
			if err=$(load $V/driver/$ko 2>&1); then
				lloaded="${ko%.ko} $lloaded"
			else
				lerr="insmod $ko: ${err:-failed}"
				break
			fi
		done
		left=$(cat $P/fail_nth)
		echo 0 >$P/fail_nth
		what=$(dmesg | sed -n 's/.*fail_nth: injected failure: \(create #[0-9]* failed at [^(]*[^( ]\).*/\1/p' | tail -n 1)
		[ "$left" = 0 ] || what="create #$k did not happen (the driver made fewer creates this time)"
		tell "iomap-vmcheck: ---- injected run $k: $what" \
			"{\"type\":\"injected\",\"run\":$k,\"failure\":\"$what\"}"
		diag "inject $k: $what; ${lerr:-insmod returned 0}"
		if [ -z "$lerr" ]; then
			run_test "inject $k"
		fi
		for m in $lloaded; do
			err=$(rmmod $m 2>&1) || diag "inject $k: rmmod $m: ${err:-failed}"
		done
		checkd_sync
		n=$(tail -n +"$from" /tmp/checkd.json | grep -c '^{"rule"')
		if [ "$n" = 0 ]; then
			ok "inject $k: $what: no violation"
		else
			not_ok "inject $k: $what" "$n violation(s) after it"
			tail -n +"$from" /tmp/checkd.json | sed -n \
				's/^{"rule":"\([a-z_]*\)".*"vaddr":"[^"]*","site":"\([^"]*\)".*/#   \1 at \2/p'
		fi
		mark_end inject$k
	done
fi

# ---- checker ------------------------------------------------------------------
if [ -n "$jpid" ]; then
	mark_begin checker
	# They drain their ring buffer (what the unload produced) before they
	# exit, and print their summary.
	kill -INT $jpid 2>/dev/null
	if wait_for 15 eval '! alive $jpid'; then
		wait $jpid
		crc=$?
	else
		kill -9 $jpid 2>/dev/null
		crc=killed
	fi
	wait_for 5 eval '! alive $hpid' || kill -9 $hpid 2>/dev/null
	# The tees end when their writers are gone.
	wait_for 2 eval '! alive $jtee && ! alive $htee' || kill $jtee $htee 2>/dev/null
	case $crc in
	0) ok "checker: no violation" ;;
	1) not_ok "checker: violations" "iomap-checkd --ci exit 1" ;;
	*) not_ok "checker: iomap-checkd stopped cleanly" "exit $crc" ;;
	esac
	mark_end checker
	say checkd=$crc
fi
exit 0
