# Guest mode "daemon": iomap-checkd live, against every scenario.
#
# The daemon runs in the background with --json. For each scenario of the
# driver's list, the set of (rule, function of the site) it reports while
# the scenario runs must equal the scenario's expectation: nothing missing,
# nothing extra; legal scenarios ("-") report nothing. Then iomap_check.ko
# is unloaded and loaded again under the running daemon, which must let go
# of it, say so, re-attach, and go on checking.
. /guest/lib.sh

D=/bin/iomap-checkd
OUT=/tmp/checkd.json
ERR=/tmp/checkd.err

if [ ! -x $D ]; then
	not_ok daemon_present "no $D in the initramfs"
	exit 0
fi
if [ ! -f $SCN/run ]; then
	not_ok daemon_scenarios "no $SCN/run (iomap_scenarios.ko not loaded?)"
	exit 0
fi

# count PATTERN: how many output lines match (0 before the file exists)
count() {
	n=$(grep -c "$1" $OUT 2>/dev/null)
	echo "${n:-0}"
}

# wait_for PATTERN N [TENTHS]: until more than N lines match (default 10 s)
wait_for() {
	i=0
	while [ "$(count "$1")" -le "$2" ]; do
		i=$((i + 1))
		[ $i -ge "${3:-100}" ] && return 1
		sleep 0.1
	done
	return 0
}

# sync: everything the daemon got so far is printed once the summary that
# SIGUSR1 asks for is (the loop drains the ring buffer before signals)
sync_daemon() {
	n=$(count '"type":"summary"')
	kill -USR1 $dpid
	wait_for '"type":"summary"' "$n" 100
}

# minus A B: lines of A not in B (busybox has no comm; grep -f of an
# empty file matches everything there)
minus() {
	awk -v b="$2" 'FILENAME == b { in_b[$0] = 1; next } !($0 in in_b)' "$2" "$1"
}

# violations in lines FROM.. of the output as sorted unique rule@function
found_set() {
	tail -n +"$1" $OUT | sed -n \
		's/^{"rule":"\([a-z_]*\)"[^[]*"vaddr":"[^"]*","site":"\([^"+]*\).*/\1@\2/p' |
		sort -u
}

mark_begin daemon_start
$D --json -o $OUT --record /tmp/checkd.rec --ringbuf-size 4M 2>$ERR &
dpid=$!
# attaching ~60 kprobes takes seconds under TCG
if wait_for 'attached to its tracepoints' 0 900; then
	st=$(sed -n 's/.*"message":"\(version[^"]*\)".*/\1/p' $OUT | head -n1)
	ok daemon_start "($st)"
else
	not_ok daemon_start "no 'attached' status in 90 s: $(tail -c 300 $ERR $OUT | tr '\n' ' ')"
	kill $dpid 2>/dev/null
	mark_end daemon_start
	exit 0
fi
mark_end daemon_start

# every might_sleep() is seen in the voluntary mode (Debian 12's 6.1 and
# 6.12); in the lazy mode (7.x: Debian unstable's default, PREEMPT(lazy))
# or full, might_sleep() calls nothing: only the listed sleeping functions
# are hooked, the daemon must say so, and a might_sleep() reached outside
# them cannot be seen (those tests are skipped there).
pmode=$(sed -n 's/.*(\([a-z]*\)).*/\1/p' /sys/kernel/debug/sched/preempt 2>/dev/null)
ms_every=1
case $pmode in '' | voluntary) ;; *) ms_every= ;; esac
cov=$(sed -n 's/.*"message":"might-sleep coverage: \([^"]*\)".*/\1/p' $OUT | head -n1)
case $ms_every:$cov in
"1:every might_sleep() and cond_resched()"*preempt=voluntary*) ok "daemon_might_sleep_coverage ($cov)" ;;
":the listed functions only: "*" runs in preempt=$pmode mode"*) ok "daemon_might_sleep_coverage ($cov)" ;;
*) not_ok daemon_might_sleep_coverage "status: '$cov' (kernel mode '$pmode')" ;;
esac

# where the kernel has fprobe (its BTF names register_fprobe_ips: 6.12 and
# 7.x, not 6.1), the might-sleep hooks are kprobe.multi links, one ftrace
# update each to attach and detach, not one kprobe per function
nm=$(echo "$st" | sed -n 's/.*(\([0-9]*\) through kprobe.multi).*/\1/p')
if grep -q register_fprobe_ips /sys/kernel/btf/vmlinux 2>/dev/null; then
	if [ "${nm:-0}" -ge 40 ]; then
		ok "daemon_kprobe_multi ($nm might-sleep hooks in kprobe.multi links: the kernel has fprobe)"
	else
		not_ok daemon_kprobe_multi "the kernel has fprobe, but: $st"
	fi
elif [ -z "$nm" ]; then
	ok "daemon_kprobe_multi (a kprobe per hook: no fprobe in this kernel)"
else
	not_ok daemon_kprobe_multi "no fprobe in this kernel, but: $st"
fi

# once attached it keeps CAP_BPF, CAP_PERFMON and CAP_SYSLOG only
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/$dpid/status)
capbnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/$dpid/status)
if [ "$capeff" = 000000c400000000 ] && [ "$capbnd" = 000000c400000000 ]; then
	ok daemon_drops_capabilities
else
	not_ok daemon_drops_capabilities "CapEff $capeff CapBnd $capbnd, want 000000c400000000"
fi

scenario_list /tmp/list
while read -r name expect rest <&4; do
	[ -n "$name" ] || continue
	if [ -z "$ms_every" ] && [ "$name" = might_sleep_unlisted ]; then
		skip "daemon_$name" "preempt=$pmode: might_sleep() calls nothing"
		skip "daemon_${name}_culprit" "preempt=$pmode: might_sleep() calls nothing"
		continue
	fi
	tags=$(kernel_tags $rest)
	from=$(($(wc -l <$OUT) + 1))
	mark_begin "daemon_$name" "$tags"
	err=$(scenario_run "$name")
	rc=$?
	# a kthread's exit may trail the scenario's return by a little
	sleep 0.2
	sync_daemon
	mark_end "daemon_$name"
	found_set "$from" >/tmp/found
	if [ "$expect" = - ]; then
		: >/tmp/want
	else
		echo "$expect" | tr , '\n' | sort -u >/tmp/want
	fi
	missing=$(minus /tmp/want /tmp/found | tr '\n' ' ')
	extra=$(minus /tmp/found /tmp/want | tr '\n' ' ')
	if [ $rc != 0 ]; then
		not_ok "daemon_$name" "scenario run failed (exit $rc): $err"
	elif [ -n "$missing$extra" ]; then
		not_ok "daemon_$name" "missing: ${missing:-none}; extra: ${extra:-none}"
		tail -n +"$from" $OUT | grep '^{"rule"' | cut -c1-300 | sed 's/^/# /'
	else
		ok "daemon_$name ($(grep -c . /tmp/found) reported)"
	fi
	# the culprit frame: the scenario function that held the atomic map
	# across the call, though the site is in the kernel (vfree) or in
	# iomap_check.ko's wrapper chain
	case $name in mutex_in_atomic | might_sleep_unlisted)
		c=$(tail -n +"$from" $OUT | grep '^{"rule":"might_sleep_in_atomic"' |
			sed -n 's/.*"culprit":"\([^"+]*\)+[^"]*\[iomap_scenarios\]".*/\1/p' | sort -u | tr '\n' ' ')
		if [ "$c" = "scn_$name " ]; then
			ok "daemon_${name}_culprit"
		else
			not_ok "daemon_${name}_culprit" "culprit '$c', want scn_$name"
		fi ;;
	esac
done 4</tmp/list

# ---- a real kernel user of memremap, checked clean ---------------------------
# The kernel's own pmem driver on the boot's legacy region (memmap=SIZE!START,
# checkd/checkd.mk's VM_ARGS): nd_e820 registers it, nd_pmem maps it (with
# ZONE_DEVICE: devm_memremap_pages of an FS_DAX pgmap; else devm_memremap);
# a block written to /dev/pmem0 reads back; unloading undoes the mapping
# through devres. The daemon must see memremap calls and report nothing.
M=/lib/kernel-modules
if [ -f $M/nd_pmem.ko ] && grep -q 'Persistent Memory (legacy)' /proc/iomem; then
	mark_begin daemon_pmem_clean
	from=$(($(wc -l <$OUT) + 1))
	mr0=$(grep '"type":"summary"' $OUT | tail -n1 | sed -n 's/.*"memremap_events":\([0-9]*\).*/\1/p')
	why=
	for m in libnvdimm nd_btt nd_pmem nd_e820; do
		insmod $M/$m.ko 2>/tmp/insmod.err || { why="insmod $m: $(cat /tmp/insmod.err)"; break; }
	done
	i=0
	while [ -z "$why" ] && [ ! -b /dev/pmem0 ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
	[ -z "$why" ] && [ ! -b /dev/pmem0 ] && why="no /dev/pmem0 after loading the modules"
	if [ -z "$why" ]; then
		dd if=/dev/urandom of=/tmp/blk bs=4096 count=16 2>/dev/null
		dd if=/tmp/blk of=/dev/pmem0 bs=4096 count=16 2>/dev/null
		dd if=/dev/pmem0 of=/tmp/back bs=4096 count=16 2>/dev/null
		cmp -s /tmp/blk /tmp/back || why="/dev/pmem0 did not read back what was written"
	fi
	for m in nd_e820 nd_pmem nd_btt libnvdimm; do rmmod $m 2>/dev/null; done
	sync_daemon
	mark_end daemon_pmem_clean
	mr1=$(grep '"type":"summary"' $OUT | tail -n1 | sed -n 's/.*"memremap_events":\([0-9]*\).*/\1/p')
	found_set "$from" >/tmp/found
	if [ -n "$why" ]; then
		not_ok daemon_pmem_clean "$why"
	elif [ $((${mr1:-0} - ${mr0:-0})) -lt 1 ]; then
		not_ok daemon_pmem_clean "no memremap call seen while nd_pmem bound and unbound (${mr0:-?} -> ${mr1:-?})"
	elif [ -s /tmp/found ]; then
		not_ok daemon_pmem_clean "reports about the kernel's pmem driver: $(tr '\n' ' ' </tmp/found)"
	else
		ok "daemon_pmem_clean ($((mr1 - mr0)) memremap API calls checked while nd_pmem bound, wrote, unbound; none reported)"
	fi
else
	skip daemon_pmem_clean "no pmem modules or no legacy pmem region (vm.sh --kernel-module, --append memmap=)"
fi

# ---- unload and reload under the running daemon ---------------------------
mark_begin daemon_reload
lifo_before=$(grep '"type":"summary"' $OUT | tail -n1 |
	sed -n 's/.*"lifo":{"count":\([0-9]*\).*/\1/p')
attached_before=$(count 'attached to its tracepoints')
rmmod iomap_scenarios 2>/tmp/rmmod.err
# the daemon's links pin iomap_check: it sees the request and lets go;
# the attempt that raced with it fails with EBUSY, a retry succeeds
tries=0
until rmmod iomap_check 2>>/tmp/rmmod.err; do
	tries=$((tries + 1))
	[ $tries -ge 50 ] && break
	sleep 0.1
done
why=
if [ -d /sys/module/iomap_check ]; then
	why="iomap_check still loaded after $tries retries: $(tail -n1 /tmp/rmmod.err)"
elif ! wait_for 'asked to unload iomap_check' 0 50; then
	why="no status about the unload request"
elif ! wait_for 'was unloaded; waiting' 0 50; then
	why="no status about waiting for the module"
fi
if [ -z "$why" ]; then
	insmod /lib/iomap-check/iomap_check.ko && insmod /lib/iomap-check/iomap_scenarios.ko ||
		why="insmod failed"
fi
if [ -z "$why" ] && ! wait_for 'attached to its tracepoints' "$attached_before" 100; then
	why="not re-attached within 10 s of the reload"
fi
if [ -z "$why" ]; then
	scenario_run lifo_local >/dev/null
	sync_daemon
	lifo_after=$(grep '"type":"summary"' $OUT | tail -n1 |
		sed -n 's/.*"lifo":{"count":\([0-9]*\).*/\1/p')
	[ "${lifo_after:-0}" -gt "${lifo_before:-0}" ] ||
		why="no lifo checked after the reload (count ${lifo_before:-?} -> ${lifo_after:-?})"
fi
mark_end daemon_reload
if [ -z "$why" ]; then
	ok "daemon_reload (unload took $tries retries)"
else
	not_ok daemon_reload "$why"
	grep '"type":"status"' $OUT | tail -n 5 | cut -c1-240 | sed 's/^/# /'
fi

# ---- leak_on_unload: what the scenario driver leaves behind at rmmod --------
# Loaded under the attached daemon, so that its __init create and memremap
# are seen too; the scenarios with an "unload:" expectation run (those that
# leak, and those whose devm mappings devres unmapped: "unload:-"), then the
# module goes: the set of (rule, function) reported must equal their
# expectations, the sites in init text (scn_init, scn_init_memremap: freed
# since) named, not addresses.
mark_begin daemon_unload_leaks
why=
rmmod iomap_scenarios 2>/tmp/rmmod.err || why="rmmod iomap_scenarios: $(cat /tmp/rmmod.err)"
sync_daemon
if [ -z "$why" ] && ! insmod /lib/iomap-check/iomap_scenarios.ko; then
	why="insmod iomap_scenarios failed"
fi
: >/tmp/want
if [ -z "$why" ]; then
	scenario_list /tmp/list
	while read -r name expect rest <&4; do
		u=$(echo "$rest" | tr ' ' '\n' | sed -n 's/^unload://p')
		[ -n "$u" ] || continue
		# "-": runs before the unload, which must report nothing of it
		[ "$u" = - ] || echo "$u" | tr , '\n' >>/tmp/want
		err=$(scenario_run "$name") || why="scenario $name failed: $err"
	done 4</tmp/list
	sort -u /tmp/want -o /tmp/want
	sync_daemon
	from=$(($(wc -l <$OUT) + 1))
	rmmod iomap_scenarios 2>/tmp/rmmod.err || why="rmmod iomap_scenarios: $(cat /tmp/rmmod.err)"
	sync_daemon
	found_set "$from" >/tmp/found
	missing=$(minus /tmp/want /tmp/found | tr '\n' ' ')
	extra=$(minus /tmp/found /tmp/want | tr '\n' ' ')
	[ -s /tmp/want ] || why="no scenario declares an unload: expectation"
	[ -z "$missing$extra" ] || why="missing: ${missing:-none}; extra: ${extra:-none}"
	insmod /lib/iomap-check/iomap_scenarios.ko || why="${why:+$why; }reinsmod failed"
fi
mark_end daemon_unload_leaks
if [ -z "$why" ]; then
	ok "daemon_unload_leaks ($(grep -c . /tmp/found) reported: $(tr '\n' ' ' </tmp/found))"
else
	not_ok daemon_unload_leaks "$why"
	tail -n +"${from:-1}" $OUT | grep '^{"rule":"leak_on_unload"' | cut -c1-400 | sed 's/^/# /'
fi

# ---- one spelling per site: the summary names each site as its report did ---
# (a report is named by the kernel; the summary used to name the same
# address from kallsyms, which ends a module's last function elsewhere:
# +0x4a/0xe1a vs +0x4a/0x4e1a)
sync_daemon
grep '"type":"summary"' $OUT | tail -n1 | grep -o '"site":"[^"]*"' | sort -u >/tmp/sum_sites
grep '^{"rule"' $OUT | sed -n 's/^{"rule"[^[]*"vaddr":"[^"]*",\("site":"[^"]*"\).*/\1/p' |
	sort -u >/tmp/rep_sites
differ=$(minus /tmp/rep_sites /tmp/sum_sites | head -n 5 | tr '\n' ' ')
if [ ! -s /tmp/rep_sites ]; then
	not_ok daemon_site_names_agree "no report with a site to compare"
elif [ -n "$differ" ]; then
	not_ok daemon_site_names_agree "spelled otherwise in the summary: $differ"
else
	ok "daemon_site_names_agree ($(grep -c . /tmp/rep_sites) sites)"
fi

# ---- SIGHUP reopens --output (log rotation) ---------------------------------
mv $OUT $OUT.1
kill -HUP $dpid
i=0
while [ ! -f $OUT ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
sync_daemon
if [ -f $OUT ] && grep -q '"type":"summary"' $OUT && [ "$(stat -c %a $OUT)" = 640 ]; then
	ok daemon_sighup_reopens
else
	not_ok daemon_sighup_reopens "after SIGHUP: $(ls -l $OUT 2>&1)"
fi
cat $OUT >>$OUT.1 2>/dev/null

# ---- stop: SIGTERM detaches, prints the final summary, exits 0 --------------
kill -TERM $dpid
wait $dpid
rc=$?
if [ $rc = 0 ] && grep -q '"final":true' $OUT; then
	ok daemon_stop "(final summary: $(grep '"final":true' $OUT | sed -n 's/.*"violations":\([0-9]*\).*/\1/p') violations)"
else
	not_ok daemon_stop "exit $rc, final summary $(grep -c '"final":true' $OUT)"
fi
cat $OUT >>$OUT.1 2>/dev/null
mv $OUT.1 $OUT
# the recording: header (magic, version) and whole events after it
rec_hdr=104 rec_ev=104
size=$(wc -c </tmp/checkd.rec 2>/dev/null || echo 0)
magic=$(head -c 7 /tmp/checkd.rec 2>/dev/null)
mode=$(stat -c %a /tmp/checkd.rec 2>/dev/null)
if [ "$magic" != IOMCREC ]; then
	not_ok daemon_record "no IOMCREC header (size $size)"
elif [ $(((size - rec_hdr) % rec_ev)) != 0 ] || [ "$size" -le $rec_hdr ]; then
	not_ok daemon_record "size $size is not a header and whole events"
elif [ "$mode" != 640 ]; then
	not_ok daemon_record "mode $mode, want 640"
else
	ok "daemon_record ($(((size - rec_hdr) / rec_ev)) events)"
fi
cp /tmp/checkd.rec /tmp/daemon-recording.bin 2>/dev/null

# ---- a steady flood of distinct violations: every one reported, none lost ----
# Both CPUs run a daemon's own map/unmap programs (checkd_flood -p, through
# BPF_PROG_TEST_RUN) flat out, a violation at a new site every 1000
# operations, until FLOOD_N were injected (a few seconds under TCG). Its
# ring is made small (256 KiB: 109 reports), so that only a daemon that
# keeps up with the flood loses none: before, each report of an address
# kallsyms does not know reloaded kallsyms (once a second, slower than that
# in a loaded TCG guest), and each loop wakeup read the HPET clock; the
# daemon fell behind and most reports were lost (make bench-daemon).
FLOOD_N=400
if [ -x /bin/checkd_flood ]; then
	. /guest/flood_lib.sh
	mark_begin daemon_flood_unique
	F=/tmp/flood.json
	$D --json -o $F --might-sleep none --ringbuf-size 256K 2>/tmp/flood.err &
	fpid=$!
	i=0
	until grep -q -e 'attached to its tracepoints' -e 'waiting for iomap_check' $F 2>/dev/null || [ $i -ge 900 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	/bin/checkd_flood -p $fpid -s 60 -e 1000 -u -v -n $FLOOD_N >/tmp/flood.out 2>/tmp/flood.ferr
	kill -TERM $fpid
	wait $fpid
	mark_end daemon_flood_unique
	flood_verdict /tmp/flood.out $F >/tmp/flood.why
	secs=$(sed -n 's/^flood \([^ ]*\) .*/\1/p' /tmp/flood.out)
	if [ -s /tmp/flood.why ]; then
		not_ok daemon_flood_unique "$(cat /tmp/flood.why) $(head -c 200 /tmp/flood.ferr)"
	elif [ "$flood_n" != $FLOOD_N ]; then
		not_ok daemon_flood_unique "$flood_n violations injected, want $FLOOD_N: $(head -c 200 /tmp/flood.ferr)"
	else
		ok "daemon_flood_unique ($flood_n distinct violations in ${secs}s from both CPUs, 256 KiB ring: each reported once, none lost)"
	fi
else
	skip daemon_flood_unique "no /bin/checkd_flood in the guest"
fi

# ---- the culprit frame in a driver loaded after the daemon started ----------
# As a user runs it: the checker first, then the driver. The daemon's symbol
# table has no iomap_scenarios; the report's stack frame in it must be named
# (the daemon rereads kallsyms when the modules changed), not taken for the
# end of the module before it in memory.
# (might_sleep_unlisted: seen only where might_sleep() calls something)
if [ -z "$ms_every" ]; then
	skip daemon_culprit_late_module "preempt=$pmode: might_sleep() calls nothing"
else
mark_begin daemon_culprit_late_module
rmmod iomap_scenarios 2>/tmp/rmmod.err
$D --ci --json -o /tmp/late.json -- sh -c \
	"insmod /lib/iomap-check/iomap_scenarios.ko && echo might_sleep_unlisted >$SCN/run" \
	>/tmp/late.out 2>&1
rc=$?
mark_end daemon_culprit_late_module
[ -f $SCN/run ] || insmod /lib/iomap-check/iomap_scenarios.ko
c=$(grep '^{"rule":"might_sleep_in_atomic"' /tmp/late.json | head -n1 |
	sed -n 's/.*"culprit":"\([^"]*\)".*/\1/p')
case $rc:$c in
"1:scn_might_sleep_unlisted+"*"[iomap_scenarios]") ok "daemon_culprit_late_module ($c)" ;;
*) not_ok daemon_culprit_late_module "exit $rc, culprit '$c'; stack: $(grep '^{"rule"' /tmp/late.json | head -n1 | sed 's/.*"stack"://' | cut -c1-300)" ;;
esac
fi

# ---- --ci with a command: exit status and KTAP ------------------------------
# (--might-sleep none here and below where no sleep rule is tested: the 54
# might-sleep kprobes take seconds to attach and detach under TCG, per
# daemon; daemon_culprit_late_module above runs --ci with them)
mark_begin daemon_ci
$D --ci --ktap -q --json --might-sleep none -o /tmp/ci1.json -- sh -c "echo unaligned_offset >$SCN/run" >/tmp/ci1.ktap 2>&1
rc1=$?
$D --ci --ktap -q --json --might-sleep none -o /tmp/ci0.json -- sh -c "echo nesting_legal >$SCN/run" >/tmp/ci0.ktap 2>&1
rc0=$?
mark_end daemon_ci
if [ $rc1 = 1 ] && [ $rc0 = 0 ] &&
	grep -q '^not ok [0-9]* unaligned_offset' /tmp/ci1.ktap &&
	! grep -q '^not ok' /tmp/ci0.ktap; then
	ok daemon_ci
else
	not_ok daemon_ci "exit $rc1 (want 1) and $rc0 (want 0); KTAP: $(grep -h 'not ok' /tmp/ci1.ktap /tmp/ci0.ktap | tr '\n' ' ')"
fi

# ---- -- COMMAND starts only once attached (its output says so first) -----------
mark_begin daemon_command_after_attach
$D --ci --might-sleep none -o /tmp/ci2.log -- sh -c 'grep -q "attached to its tracepoints" /tmp/ci2.log' 2>/dev/null
rc=$?
mark_end daemon_command_after_attach
if [ $rc = 0 ]; then
	ok daemon_command_after_attach
else
	not_ok daemon_command_after_attach "exit $rc: the command ran before the daemon said it attached"
fi

# ---- a closed output: no SIGPIPE death, the verdict stays -----------------------
mark_begin daemon_closed_pipe
($D --ci --json --might-sleep none -- sh -c "sleep 1; echo unaligned_offset >$SCN/run" 2>/tmp/pipe.err
 echo $? >/tmp/pipe.rc) | head -c 10 >/dev/null
mark_end daemon_closed_pipe
rc=$(cat /tmp/pipe.rc)
if [ "$rc" = 1 ] && grep -q 'standard output: Broken pipe' /tmp/pipe.err; then
	ok daemon_closed_pipe
else
	not_ok daemon_closed_pipe "exit $rc (want 1): $(head -c 200 /tmp/pipe.err | tr '\n' ' ')"
fi

# ---- --record on a file system that fills up: said, counted, exit 5 -------------
mkdir -p /tmp/small
if mount -t tmpfs -o size=16k tmpfs /tmp/small 2>/dev/null; then
	mark_begin daemon_record_full
	$D --ci -q --might-sleep none --record /tmp/small/r.iomc -- sh -c \
		"for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do echo nesting_legal >$SCN/run; done" \
		>/tmp/recfull.out 2>&1
	rc=$?
	mark_end daemon_record_full
	lost=$(sed -n 's/.* \([0-9]*\) events not written to the recording.*/\1/p' /tmp/recfull.out)
	if [ $rc = 5 ] && [ "${lost:-0}" -gt 0 ] && grep -q 'record /tmp/small/r.iomc: write error' /tmp/recfull.out; then
		ok "daemon_record_full ($lost events lost, counted)"
	else
		not_ok daemon_record_full "exit $rc (want 5), lost '${lost}': $(grep -v '^  ' /tmp/recfull.out | head -n 3 | tr '\n' ' ')"
	fi
	umount /tmp/small
else
	skip daemon_record_full "no tmpfs in the guest"
fi

# ---- --syslog ------------------------------------------------------------------
if command -v syslogd >/dev/null 2>&1; then
	syslogd -n -O /tmp/messages &
	spid=$!
	sleep 0.5
	$D --syslog --ci --might-sleep none -- sh -c "echo unaligned_offset >$SCN/run" 2>/dev/null
	rc=$?
	sleep 0.5
	kill $spid 2>/dev/null
	if [ $rc = 1 ] && grep -q 'iomap-checkd.*WARNING: io_mapping rule violated: unaligned_offset' /tmp/messages &&
		grep -q 'iomap-checkd.*summary' /tmp/messages; then
		ok daemon_syslog
	else
		not_ok daemon_syslog "exit $rc; syslog: $(grep -c iomap-checkd /tmp/messages 2>/dev/null) lines from the daemon"
	fi
else
	skip daemon_syslog "no syslogd in the guest"
fi

if [ -s $ERR ]; then
	diag "daemon stderr:"
	head -n 20 $ERR | sed 's/^/#   /'
fi
cp $OUT /tmp/daemon-output.json 2>/dev/null
exit 0
